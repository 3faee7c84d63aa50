"""Update rules against real Keras 3: same start, same 10 gradient sets, same weights."""
import numpy as np
import pytest
import torch

import torchkeras.optimizers as tko

CASES = [
    ("SGD", {}),
    ("SGD", {"momentum": 0.9}),
    ("SGD", {"momentum": 0.9, "nesterov": True}),
    ("Adam", {}),
    ("Adam", {"amsgrad": True, "learning_rate": 0.01}),
    ("AdamW", {}),
    ("AdamW", {"weight_decay": 0.1, "amsgrad": True}),
    ("RMSprop", {}),
    ("RMSprop", {"momentum": 0.5, "centered": True}),
    ("Adadelta", {"learning_rate": 1.0}),
    ("Adagrad", {"learning_rate": 0.1}),
    ("Adamax", {}),
    ("Nadam", {"learning_rate": 0.01}),
    ("Lion", {}),
    ("Adafactor", {"learning_rate": 0.1}),
    ("Ftrl", {"learning_rate": 0.1, "l1_regularization_strength": 0.01,
              "l2_regularization_strength": 0.01,
              "l2_shrinkage_regularization_strength": 0.01, "beta": 0.1}),
    ("Lamb", {"learning_rate": 0.01}),
    ("Adam", {"weight_decay": 0.1, "clipnorm": 1.0}),
    ("SGD", {"momentum": 0.9, "global_clipnorm": 1.0, "weight_decay": 0.01}),
    ("RMSprop", {"clipvalue": 0.5}),
    ("Nadam", {"clipnorm": 0.5, "weight_decay": 0.05}),
    ("Adam", {"use_ema": True, "ema_momentum": 0.9}),
    ("SGD", {"use_ema": True, "ema_overwrite_frequency": 3, "momentum": 0.5}),
    ("Adam", {"gradient_accumulation_steps": 3}),
    ("Nadam", {"gradient_accumulation_steps": 2, "use_ema": True}),
    ("Adam", {"learning_rate": 0.1, "loss_scale_factor": 4.0}),
    ("Lion", {"weight_decay": 0.5, "clipvalue": 0.3}),
]


def _ids(case):
    name, kwargs = case
    return name + "-" + "-".join("%s=%s" % kv for kv in sorted(kwargs.items()))


@pytest.mark.keras_oracle
@pytest.mark.parametrize("case", CASES, ids=[_ids(c) for c in CASES])
def test_matches_keras_after_10_steps(keras, helpers, data, case):
    name, kwargs = case
    weights, grads = data
    theirs = helpers.keras_trajectory(keras, getattr(keras.optimizers, name)(**kwargs),
                                      weights, grads)
    ours = helpers.our_trajectory(getattr(tko, name)(**kwargs), weights, grads)
    moved = max(np.abs(t - w).max() for t, w in zip(theirs, weights))
    assert moved > 1e-3  # the case really exercises the update
    helpers.assert_weights_close(ours, theirs)


SCHEDULES = [
    ("SGD", {"momentum": 0.9}, "ExponentialDecay", (0.1, 3, 0.5), {}),
    ("Adam", {}, "PiecewiseConstantDecay", ([2, 5], [0.1, 0.05, 0.01]), {}),
    ("RMSprop", {}, "PolynomialDecay", (0.01, 8), {"power": 2.0}),
    ("Adam", {"weight_decay": 0.1}, "InverseTimeDecay", (0.05, 2, 0.5), {"staircase": True}),
    ("Nadam", {}, "CosineDecay", (0.0, 6), {"warmup_target": 0.05, "warmup_steps": 3}),
    ("SGD", {"momentum": 0.5, "nesterov": True}, "CosineDecayRestarts", (0.1, 3), {}),
]


@pytest.mark.keras_oracle
@pytest.mark.parametrize("case", SCHEDULES, ids=[c[2] for c in SCHEDULES])
def test_schedules_as_learning_rate_match_keras(keras, helpers, data, case):
    name, kwargs, sched, args, sched_kwargs = case
    weights, grads = data
    k_opt = getattr(keras.optimizers, name)(
        learning_rate=getattr(keras.optimizers.schedules, sched)(*args, **sched_kwargs), **kwargs)
    o_opt = getattr(tko, name)(
        learning_rate=getattr(tko.schedules, sched)(*args, **sched_kwargs), **kwargs)
    theirs = helpers.keras_trajectory(keras, k_opt, weights, grads)
    ours = helpers.our_trajectory(o_opt, weights, grads)
    helpers.assert_weights_close(ours, theirs)
    assert float(o_opt.learning_rate) == pytest.approx(float(k_opt.learning_rate), rel=1e-5)


@pytest.mark.keras_oracle
@pytest.mark.parametrize("name,kwargs", [("SGD", {"momentum": 0.9}), ("Adam", {}),
                                         ("RMSprop", {"momentum": 0.3})])
def test_learning_rate_changed_mid_training_matches_keras(keras, helpers, data, name, kwargs):
    """Keras's SGD keeps lr inside the velocity: a new rate only scales new gradients."""
    weights, grads = data

    def halve(step, opt, _):
        if step == 5:
            opt.learning_rate = float(opt.learning_rate) * 0.5

    theirs = helpers.keras_trajectory(keras, getattr(keras.optimizers, name)(**kwargs),
                                      weights, grads, between=halve)
    ours = helpers.our_trajectory(getattr(tko, name)(**kwargs), weights, grads, between=halve)
    helpers.assert_weights_close(ours, theirs)


@pytest.mark.keras_oracle
def test_apply_path_matches_keras_and_leaves_grads_untouched(keras, helpers, data):
    weights, grads = data
    theirs = helpers.keras_trajectory(keras, keras.optimizers.Adam(clipnorm=0.5), weights,
                                      grads)
    ours = helpers.our_trajectory(tko.Adam(clipnorm=0.5), weights, grads, use_apply=True)
    helpers.assert_weights_close(ours, theirs)
    # apply must not clip the caller's gradient tensors in place
    params = helpers.torch_params(weights)
    opt = tko.Adam(clipnorm=0.5)
    given = [torch.tensor(g) for g in grads[0]]
    copies = [g.clone() for g in given]
    opt.apply(given, params)
    for g, c in zip(given, copies):
        assert torch.equal(g, c)


@pytest.mark.keras_oracle
def test_exclude_from_weight_decay_matches_keras(keras, helpers, data):
    weights, grads = data
    names = ["kernel", "bias", "other"]
    k_opt = keras.optimizers.AdamW(weight_decay=0.5, learning_rate=0.01)
    k_opt.exclude_from_weight_decay(var_names=["bias"])
    o_opt = tko.AdamW(weight_decay=0.5, learning_rate=0.01)
    o_opt.exclude_from_weight_decay(var_names=["bias"])
    theirs = helpers.keras_trajectory(keras, k_opt, weights, grads, names=names)
    ours = helpers.our_trajectory(o_opt, weights, grads, names=names)
    helpers.assert_weights_close(ours, theirs)
    # and the exclusion made a difference
    plain = helpers.our_trajectory(tko.AdamW(weight_decay=0.5, learning_rate=0.01), weights,
                                   grads, names=names)
    assert not np.allclose(plain[1], ours[1])
    np.testing.assert_allclose(plain[0], ours[0], rtol=1e-6)


@pytest.mark.keras_oracle
def test_ema_finalize_matches_keras(keras, helpers, data):
    weights, grads = data
    k_opt = keras.optimizers.SGD(learning_rate=0.1, use_ema=True, ema_momentum=0.8)
    k_vars = [keras.Variable(w) for w in weights]
    for gs in grads:
        k_opt.apply_gradients(zip([torch.tensor(g) for g in gs], k_vars))
    k_opt.finalize_variable_values(k_vars)
    o_opt = tko.SGD(learning_rate=0.1, use_ema=True, ema_momentum=0.8)
    params = helpers.our_trajectory(o_opt, weights, grads)
    params = helpers.torch_params(params)
    o_opt.finalize_variable_values(params)
    helpers.assert_weights_close([p.detach().numpy() for p in params],
                                 [keras.ops.convert_to_numpy(v) for v in k_vars])


def test_fused_and_foreach_adam_agree(helpers, data):
    weights, grads = data
    for kwargs in ({}, {"amsgrad": True, "learning_rate": 0.05}):
        fused = tko.Adam(**kwargs)
        plain = tko.Adam(**kwargs)
        plain._fused = False
        a = helpers.our_trajectory(fused, weights, grads)
        b = helpers.our_trajectory(plain, weights, grads)
        assert fused._fused_step is not None and plain._fused_step is None
        helpers.assert_weights_close(a, b, rtol=1e-5, atol=1e-6)
