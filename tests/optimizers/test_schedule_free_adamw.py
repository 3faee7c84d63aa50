"""ScheduleFreeAdamW: Keras's update rule (value semantics), config, state, fit."""
import numpy as np
import pytest
import torch

import torchkeras as tk
import torchkeras.optimizers as tko

CASES = [
    {},
    {"learning_rate": 0.01, "warmup_steps": 4},
    {"learning_rate": 0.01, "beta_1": 0.7, "beta_2": 0.99, "weight_decay": 0.1},
    {"learning_rate": 0.02, "clipnorm": 0.5, "gradient_accumulation_steps": 2},
    {"learning_rate": 0.01, "use_ema": True, "ema_momentum": 0.8},
]


def _reference(weights, grads, learning_rate=0.0025, beta_1=0.9, beta_2=0.999, epsilon=1e-8,
               warmup_steps=0, weight_decay=None):
    """Keras's update_step written out in float64 (the old z read before it changes)."""
    ys = [w.astype("float64") for w in weights]
    zs = [y.copy() for y in ys]
    vs = [np.zeros_like(y) for y in ys]
    for t, gs in enumerate(grads, 1):
        lr = learning_rate * (min(t / warmup_steps, 1.0) if warmup_steps else 1.0)
        for i, g in enumerate(gs):
            if weight_decay:
                ys[i] = ys[i] - ys[i] * weight_decay * learning_rate
            z_old = zs[i]
            vs[i] = beta_2 * vs[i] + (1 - beta_2) * g * g
            denom = np.sqrt(vs[i] / (1 - beta_2 ** t)) + epsilon
            zs[i] = z_old - lr * g / denom
            x = (ys[i] - (1 - beta_1) * z_old) / beta_1
            x = (1 - 1 / t) * x + (1 / t) * zs[i]
            ys[i] = (1 - beta_1) * zs[i] + beta_1 * x
    return ys


@pytest.mark.parametrize("kwargs", [CASES[0], CASES[1], CASES[2]], ids=["0", "1", "2"])
def test_matches_written_out_rule_after_10_steps(helpers, data, kwargs):
    weights, grads = data
    ours = helpers.our_trajectory(tko.ScheduleFreeAdamW(**kwargs), weights, grads)
    expected = _reference(weights, grads, **kwargs)
    assert max(np.abs(e - w).max() for e, w in zip(expected, weights)) > 1e-3
    helpers.assert_weights_close(ours, expected)


@pytest.fixture
def keras_value_semantics(keras, monkeypatch):
    """Keras whose variable assignment rebinds the value, as on JAX and TensorFlow.

    On the torch backend Keras assigns in place, so the ``momentum_old = momentum.value``
    of ScheduleFreeAdamW.update_step sees the new momentum; rebinding gives the rule
    its code states.
    """
    from keras.src.backend.torch import core

    def rebind(self, value):
        self._value = torch.nn.Parameter(value.detach().clone(), requires_grad=False)

    monkeypatch.setattr(core.Variable, "_direct_assign", rebind)
    return keras


@pytest.mark.keras_oracle
@pytest.mark.parametrize("kwargs", CASES, ids=[str(i) for i in range(len(CASES))])
def test_matches_keras_after_10_steps(keras_value_semantics, helpers, data, kwargs):
    keras = keras_value_semantics
    weights, grads = data
    theirs = helpers.keras_trajectory(keras, keras.optimizers.ScheduleFreeAdamW(**kwargs),
                                      weights, grads)
    ours = helpers.our_trajectory(tko.ScheduleFreeAdamW(**kwargs), weights, grads)
    assert max(np.abs(t - w).max() for t, w in zip(theirs, weights)) > 1e-3
    helpers.assert_weights_close(ours, theirs)


@pytest.mark.keras_oracle
def test_config_and_slots_equal_keras(keras, helpers, data):
    kwargs = {"name": "sf", "warmup_steps": 10, "weight_decay": 0.01}
    theirs = keras.optimizers.ScheduleFreeAdamW(**kwargs)
    ours = tko.ScheduleFreeAdamW(**kwargs)
    assert ours.get_config() == theirs.get_config()
    assert list(ours.get_config()) == list(theirs.get_config())
    again = tko.deserialize(tko.serialize(ours))
    assert isinstance(again, tko.ScheduleFreeAdamW)
    assert again.get_config() == ours.get_config()
    weights, _ = data
    theirs.build([keras.Variable(w, name="v%d" % i) for i, w in enumerate(weights)])
    ours.build(helpers.torch_params(weights))
    assert [v.name for v in ours.variables] == [v.name for v in theirs.variables]
    # z (the momentum slot) starts at the weights
    np.testing.assert_array_equal(ours.variables[2].numpy(), weights[0])


def test_state_round_trip_continues_identically(helpers, data):
    weights, grads = data
    opt = tko.ScheduleFreeAdamW(learning_rate=0.01, warmup_steps=3)
    params = helpers.torch_params(weights)
    opt.build(params)
    for gs in grads[:4]:
        opt.apply([torch.tensor(g) for g in gs], params)
    store = {}
    opt.save_own_variables(store)
    twin_params = helpers.torch_params([p.detach().numpy() for p in params])
    twin = tko.ScheduleFreeAdamW(learning_rate=0.01, warmup_steps=3)
    twin.build(twin_params)
    twin.load_own_variables(store)
    helpers.assert_same_continuation(opt, params, twin, twin_params, grads[4:])


def test_fit_decreases_loss():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(64, 4)).astype("float32")
    y = x @ rng.normal(size=(4, 1)).astype("float32")
    model = tk.Sequential([tk.Input((4,)), tk.layers.Dense(1)])
    model.compile(optimizer=tko.ScheduleFreeAdamW(learning_rate=0.2), loss="mse")
    history = model.fit(x, y, batch_size=16, epochs=8, verbose=0).history["loss"]
    assert history[-1] < 0.5 * history[0]


@pytest.mark.parametrize("kwargs,match", [
    ({"beta_1": 0.0}, "beta_1"), ({"beta_2": 1.0}, "beta_2"), ({"epsilon": -1.0}, "epsilon"),
    ({"warmup_steps": -1}, "warmup_steps"), ({"warmup_steps": 1.5}, "warmup_steps")])
def test_bad_arguments_raise(kwargs, match):
    with pytest.raises(ValueError, match=match):
        tko.ScheduleFreeAdamW(**kwargs)
