"""LossScaleOptimizer: unscaling, skipping on overflow, scale halving and growth."""
import numpy as np
import pytest
import torch

import torchkeras.optimizers as tko


def _step(opt, params, grads):
    for p, g in zip(params, grads):
        p.grad = torch.as_tensor(g).clone()
    opt.step()


def test_unscales_gradients_before_the_inner_update(helpers, data):
    weights, grads = data
    params = helpers.torch_params(weights)
    opt = tko.LossScaleOptimizer(tko.SGD(learning_rate=0.1), initial_scale=8.0)
    opt.build(params)
    _step(opt, params, [g * 8.0 for g in grads[0]])
    for p, w, g in zip(params, weights, grads[0]):
        np.testing.assert_allclose(p.detach().numpy(), w - 0.1 * g, rtol=1e-6)
    assert float(opt.dynamic_scale) == 8.0 and int(opt.step_counter) == 1
    assert int(opt.iterations) == 1


INNER = {
    "adam-fused": lambda: tko.Adam(learning_rate=0.1),
    "adamw-fused-excluded": lambda: _excluding(tko.AdamW(learning_rate=0.1, amsgrad=True,
                                                         weight_decay=0.1)),
    "adam-ema": lambda: tko.Adam(learning_rate=0.1, use_ema=True),
    "adam-foreach": lambda: _foreach(tko.Adam(learning_rate=0.1, weight_decay=0.1)),
    "rmsprop": lambda: tko.RMSprop(centered=True, momentum=0.5, clipnorm=1.0),
    "nadam-accumulating": lambda: tko.Nadam(gradient_accumulation_steps=2),
    "lamb": lambda: tko.Lamb(weight_decay=0.1),
}


def _excluding(opt):
    opt.exclude_from_weight_decay(var_names=["v1"])
    return opt


def _foreach(opt):
    opt._fused = False
    return opt


@pytest.mark.parametrize("inner_name", sorted(INNER))
@pytest.mark.parametrize("bad", [float("inf"), float("nan")])
def test_non_finite_step_is_skipped_and_scale_halves(helpers, data, bad, inner_name):
    weights, grads = data
    params = helpers.torch_params(weights)
    inner = INNER[inner_name]()
    opt = tko.LossScaleOptimizer(inner, initial_scale=1024.0)
    opt.build(params)
    _step(opt, params, grads[0])
    _step(opt, params, grads[1])
    before_params = [p.detach().clone() for p in params]
    before_slots = [v.detach().clone() for v in inner.variables[2:]]
    poisoned = [g.copy() for g in grads[2]]
    poisoned[1][0] = bad
    fast = inner._can_skip_on_device()
    assert fast == inner_name.startswith(("adam-fused", "adamw-fused"))
    _step(opt, params, poisoned)
    for a, b in zip(before_params, params):
        assert torch.equal(a, b)
    for a, b in zip(before_slots, inner.variables[2:]):
        assert torch.equal(a, b)
    assert float(opt.dynamic_scale) == 512.0 and int(opt.step_counter) == 0
    _step(opt, params, grads[3])  # training goes on
    assert all(torch.isfinite(p).all() for p in params)
    assert not torch.equal(before_params[0], params[0])


def test_scale_doubles_after_growth_steps(helpers, data):
    weights, grads = data
    params = helpers.torch_params(weights)
    opt = tko.LossScaleOptimizer(tko.SGD(), initial_scale=4.0, dynamic_growth_steps=3)
    opt.build(params)
    scales = []
    for gs in grads[:7]:
        _step(opt, params, gs)
        scales.append(float(opt.dynamic_scale))
    assert scales == [4.0, 4.0, 8.0, 8.0, 8.0, 16.0, 16.0]
    assert int(opt.step_counter) == 1


def test_scale_loss_and_delegation():
    opt = tko.LossScaleOptimizer(tko.Adam(learning_rate=0.01), initial_scale=16.0)
    assert float(opt.scale_loss(torch.tensor(2.0))) == 32.0
    w = torch.nn.Parameter(torch.ones(3))
    opt.build([w])
    opt.dynamic_scale.fill_(4.0)
    assert float(opt.scale_loss(torch.tensor(2.0))) == 8.0
    opt.learning_rate = 0.5
    assert float(opt.inner_optimizer.learning_rate) == 0.5
    assert float(opt.learning_rate) == 0.5
    assert opt.inner_optimizer.loss_scale_factor is None
    assert [v.name for v in opt.variables][:4] == ["iteration", "learning_rate", "step_counter",
                                                   "dynamic_scale"]


@pytest.mark.keras_oracle
def test_matches_keras_loss_scale_optimizer_through_overflows(keras, helpers, data):
    weights, grads = data
    sequence = [[g * 64.0 for g in gs] for gs in grads]
    sequence[2][0] = sequence[2][0].copy()
    sequence[2][0][1, 1] = np.inf
    sequence[6][2] = np.full_like(sequence[6][2], np.nan)
    k_opt = keras.optimizers.LossScaleOptimizer(keras.optimizers.SGD(momentum=0.9),
                                                initial_scale=64.0, dynamic_growth_steps=3)
    k_vars = [keras.Variable(w) for w in weights]
    o_opt = tko.LossScaleOptimizer(tko.SGD(momentum=0.9), initial_scale=64.0,
                                   dynamic_growth_steps=3)
    params = helpers.torch_params(weights)
    o_opt.build(params)
    for gs in sequence:
        k_opt.apply([torch.tensor(g) for g in gs], k_vars)
        _step(o_opt, params, gs)
        assert float(o_opt.dynamic_scale) == float(
            keras.ops.convert_to_numpy(k_opt.dynamic_scale))
        assert int(o_opt.step_counter) == int(keras.ops.convert_to_numpy(k_opt.step_counter))
    helpers.assert_weights_close([p.detach().numpy() for p in params],
                                 [keras.ops.convert_to_numpy(v) for v in k_vars])


def test_save_load_round_trip(helpers, data):
    weights, grads = data
    params = helpers.torch_params(weights)
    opt = tko.LossScaleOptimizer(tko.Adam(), initial_scale=32.0, dynamic_growth_steps=2)
    opt.build(params)
    for gs in grads[:3]:
        _step(opt, params, gs)
    store = {}
    opt.save_own_variables(store)
    twin_params = helpers.torch_params([p.detach().numpy() for p in params])
    twin = tko.LossScaleOptimizer(tko.Adam(), initial_scale=32.0, dynamic_growth_steps=2)
    twin.build(twin_params)
    twin.load_own_variables(store)
    assert float(twin.dynamic_scale) == float(opt.dynamic_scale) == 64.0
    assert int(twin.iterations) == 3
    for gs in grads[3:6]:
        _step(opt, params, gs)
        _step(twin, twin_params, gs)
    for a, b in zip(params, twin_params):
        assert torch.equal(a, b)


def test_step_never_reads_device_values(helpers, data, monkeypatch):
    weights, grads = data
    params = helpers.torch_params(weights)
    opt = tko.LossScaleOptimizer(tko.Adam(clipnorm=1.0))
    opt.build(params)

    def forbidden(*args, **kwargs):
        raise AssertionError("host sync in the optimizer step")

    for attr in ("item", "tolist", "numpy", "cpu", "__float__", "__int__", "__bool__"):
        monkeypatch.setattr(torch.Tensor, attr, forbidden)
    for gs in grads[:3]:
        for p, g in zip(params, gs):
            p.grad = torch.from_numpy(g)
        opt.step()
    monkeypatch.undo()
    assert int(opt.iterations) == 3


def test_rejects_torch_optimizer_inner():
    w = torch.nn.Parameter(torch.ones(2))
    with pytest.raises(ValueError, match="GradScaler"):
        tko.LossScaleOptimizer(tko.TorchOptimizer(torch.optim.SGD([w], lr=0.1)))


@pytest.mark.parametrize("inner_name", sorted(INNER))
def test_finite_steps_equal_the_unwrapped_optimizer(helpers, data, inner_name):
    weights, grads = data
    wrapped_params, plain_params = helpers.torch_params(weights), helpers.torch_params(weights)
    wrapped = tko.LossScaleOptimizer(INNER[inner_name](), initial_scale=256.0,
                                     dynamic_growth_steps=100)
    plain = INNER[inner_name]()
    wrapped.build(wrapped_params)
    plain.build(plain_params)
    for gs in grads[:6]:
        _step(wrapped, wrapped_params, [g * 256.0 for g in gs])
        _step(plain, plain_params, gs)
    for a, b in zip(wrapped_params, plain_params):
        np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), rtol=1e-6,
                                   atol=1e-7)
