"""Muon against real Keras 3: update rule, slots, config, state, fit."""
import numpy as np
import pytest
import torch

import torchkeras as tk
import torchkeras.optimizers as tko

# Two same-shaped matrices (one batched Newton-Schulz), a tall and a wide one, a vector,
# a 3-D weight and an "embedding" matrix (the last three take the Adam step).
SHAPES = [(4, 3), (4, 3), (3, 6), (3,), (2, 3, 5), (5, 4)]
NAMES = ["d1_kernel", "d2_kernel", "out_dense_kernel", "d1_bias", "conv_kernel",
         "token_embedding"]

CASES = [
    {},
    {"learning_rate": 0.01, "nesterov": False, "rms_rate": None},
    {"learning_rate": 0.01, "exclude_layers": ["out_dense"], "adam_lr_ratio": 0.5,
     "weight_decay": 0.1, "adam_weight_decay": None},
    {"learning_rate": 0.02, "exclude_embeddings": False, "momentum": 0.8, "ns_steps": 3,
     "clipnorm": 1.0},
    {"learning_rate": 0.01, "weight_decay": None, "adam_weight_decay": 0.3,
     "gradient_accumulation_steps": 2, "use_ema": True},
]


@pytest.mark.keras_oracle
@pytest.mark.parametrize("kwargs", CASES, ids=[str(i) for i in range(len(CASES))])
def test_matches_keras_after_10_steps(keras, helpers, kwargs):
    weights, grads = helpers.make_data(shapes=SHAPES)
    theirs = helpers.keras_trajectory(keras, keras.optimizers.Muon(**kwargs), weights, grads,
                                      names=NAMES)
    ours = helpers.our_trajectory(tko.Muon(**kwargs), weights, grads, names=NAMES)
    moved = max(np.abs(t - w).max() for t, w in zip(theirs, weights))
    assert moved > 1e-3
    helpers.assert_weights_close(ours, theirs)


@pytest.mark.keras_oracle
def test_slots_names_order_and_keras_state_loading(keras, helpers):
    weights, grads = helpers.make_data(shapes=SHAPES)
    k_opt = keras.optimizers.Muon(learning_rate=0.01)
    k_vars = [keras.Variable(w, name=n) for w, n in zip(weights, NAMES)]
    for gs in grads[:4]:
        k_opt.apply_gradients(zip([torch.tensor(g) for g in gs], k_vars))
    opt = tko.Muon(learning_rate=0.01)
    params = helpers.torch_params([keras.ops.convert_to_numpy(v) for v in k_vars], NAMES)
    opt.build(params)
    assert [tuple(v.shape) for v in opt.variables] == [tuple(v.shape) for v in k_opt.variables]
    assert [v.name for v in opt.variables] == [v.name for v in k_opt.variables]
    store = {}
    k_opt.save_own_variables(store)
    opt.load_own_variables(store)
    for gs in grads[4:]:
        k_opt.apply_gradients(zip([torch.tensor(g) for g in gs], k_vars))
        for p, g in zip(params, gs):
            p.grad = torch.tensor(g)
        opt.step()
    helpers.assert_weights_close([p.detach().numpy() for p in params],
                                 [keras.ops.convert_to_numpy(v) for v in k_vars])


@pytest.mark.keras_oracle
def test_config_equals_keras_and_round_trips(keras):
    kwargs = {"name": "m", "exclude_layers": ["head"], "rms_rate": None, "ns_steps": 4}
    theirs = keras.optimizers.Muon(**kwargs).get_config()
    ours = tko.Muon(**kwargs).get_config()
    assert ours == theirs and list(ours) == list(theirs)
    again = tko.deserialize(tko.serialize(tko.Muon(**kwargs)))
    assert isinstance(again, tko.Muon) and again.get_config() == ours
    assert isinstance(tko.deserialize(keras.optimizers.serialize(keras.optimizers.Muon())),
                      tko.Muon)


@pytest.mark.keras_oracle
def test_dense_model_fit_step_matches_keras(keras):
    """Our Dense kernels are stored transposed; the Muon update must not care."""
    rng = np.random.default_rng(1)
    x = rng.normal(size=(16, 6)).astype("float32")
    y = rng.normal(size=(16, 2)).astype("float32")

    def build(lib):
        return lib.Sequential([lib.Input((6,)), lib.layers.Dense(8, activation="tanh"),
                               lib.layers.Dense(2)])

    k_model, o_model = build(keras), build(tk)
    o_model.set_weights(k_model.get_weights())
    for lib, model in ((keras, k_model), (tko, o_model)):
        opt = (keras.optimizers if lib is keras else tko).Muon(learning_rate=0.05)
        model.compile(optimizer=opt, loss="mse")
        model.fit(x, y, batch_size=8, epochs=2, shuffle=False, verbose=0)
    for a, b in zip(o_model.get_weights(), k_model.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-5)


def test_newton_schulz_orthogonalises():
    opt = tko.Muon()
    g = torch.Generator().manual_seed(0)
    x = torch.randn(3, 16, 8, generator=g)
    out = opt.zeropower_via_newtonschulz5(x, 10)
    assert out.shape == x.shape
    # singular values pushed into the quintic's band around 1 (about 0.7 to 1.2)
    s = torch.linalg.svdvals(out)
    assert s.min() > 0.5 and s.max() < 1.3
    single = opt.zeropower_via_newtonschulz5(x[1], 10)
    torch.testing.assert_close(single, out[1], rtol=1e-5, atol=1e-5)
    with pytest.raises(ValueError, match="at least 2 dimensions"):
        opt.zeropower_via_newtonschulz5(torch.ones(3), 5)


def test_which_weights_take_the_adam_step(helpers):
    params = helpers.torch_params([np.zeros(s, "float32") for s in SHAPES], NAMES)
    opt = tko.Muon(exclude_layers=["out_"])
    opt.build(params)
    assert opt._use_adam == [False, False, True, True, True, True]
    # Adam-stepped weights get a velocity, Muon-stepped ones only a momentum.
    assert len(opt.variables) == 2 + len(SHAPES) + 4


@pytest.mark.parametrize("kwargs,match", [
    ({"momentum": 1.5}, "momentum"), ({"ns_steps": 2.5}, "ns_steps"),
    ({"adam_beta_1": -0.1}, "adam_beta_1"), ({"rms_rate": 0.0}, "rms_rate"),
    ({"adam_weight_decay": -1.0}, "adam_weight_decay"), ({"epsilon": "x"}, "epsilon")])
def test_bad_arguments_raise(kwargs, match):
    with pytest.raises(ValueError, match=match):
        tko.Muon(**kwargs)
    with pytest.raises(TypeError, match="exclude_layers"):
        tko.Muon(exclude_layers="dense")


@pytest.mark.keras_oracle
def test_weights_without_gradients_are_skipped_like_keras(keras, helpers):
    weights, grads = helpers.make_data(shapes=SHAPES, steps=4)
    chosen = [0, 2, 3, 5]
    k_opt = keras.optimizers.Muon(learning_rate=0.01)
    k_vars = [keras.Variable(w, name=n) for w, n in zip(weights, NAMES)]
    k_opt.build(k_vars)
    opt = tko.Muon(learning_rate=0.01)
    params = helpers.torch_params(weights, NAMES)
    opt.build(params)
    for gs in grads:
        k_opt.apply_gradients([(torch.tensor(gs[i]), k_vars[i]) for i in chosen])
        for i, p in enumerate(params):
            p.grad = torch.tensor(gs[i]) if i in chosen else None
        opt.step()
    helpers.assert_weights_close([p.detach().numpy() for p in params],
                                 [keras.ops.convert_to_numpy(v) for v in k_vars])
    np.testing.assert_array_equal(params[1].detach().numpy(), weights[1])
