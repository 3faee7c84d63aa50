"""MultiOptimizer against real Keras 3: dispatch, iterations, variables, state, config, fit."""
import numpy as np
import pytest
import torch

import torchkeras as tk
import torchkeras.optimizers as tko

NAMES = ["enc_kernel", "enc_bias", "head_kernel"]


def _map(lib, **kw):
    opt_map = lib.OptimizerMap(
        default_optimizer=lib.SGD(learning_rate=0.1, momentum=0.9, name="sgd_in"), **kw)
    opt_map["enc_.*"] = lib.Adam(learning_rate=0.05, name="adam_in")
    return opt_map


@pytest.mark.keras_oracle
@pytest.mark.parametrize("use_apply", [False, True])
def test_matches_keras_after_10_steps(keras, helpers, data, use_apply):
    weights, grads = data
    k_opt = keras.optimizers.MultiOptimizer(_map(keras.optimizers))
    o_opt = tko.MultiOptimizer(_map(tko))
    theirs = helpers.keras_trajectory(keras, k_opt, weights, grads, names=NAMES)
    ours = helpers.our_trajectory(o_opt, weights, grads, names=NAMES, use_apply=use_apply)
    helpers.assert_weights_close(ours, theirs)
    assert int(o_opt.iterations) == 10
    assert [int(o.iterations) for o in o_opt.optimizers] == \
        [int(keras.ops.convert_to_numpy(o.iterations)) for o in k_opt.optimizers] == [10, 10]
    assert [v.name for v in o_opt.variables] == [v.name for v in k_opt.variables]
    assert [tuple(v.shape) for v in o_opt.variables] == \
        [tuple(v.shape) for v in k_opt.variables]


@pytest.mark.keras_oracle
def test_callable_map_and_loss_scale_factor_match_keras(keras, helpers, data):
    weights, grads = data

    def selector(lib):
        chosen = {}

        def pick(variable):
            key = "adam" if "bias" in variable.path else "sgd"
            if key not in chosen:
                chosen[key] = lib.Adam(0.02) if key == "adam" else lib.SGD(0.05)
            return chosen[key]
        return pick

    k_opt = keras.optimizers.MultiOptimizer(selector(keras.optimizers), loss_scale_factor=4.0)
    o_opt = tko.MultiOptimizer(selector(tko), loss_scale_factor=4.0)
    scaled = [[g * 4.0 for g in gs] for gs in grads]
    theirs = helpers.keras_trajectory(keras, k_opt, weights, scaled, names=NAMES)
    ours = helpers.our_trajectory(o_opt, weights, scaled, names=NAMES)
    helpers.assert_weights_close(ours, theirs)
    assert [type(o).__name__ for o in o_opt.optimizers] == ["SGD", "Adam"]
    assert all(o.loss_scale_factor == 4.0 for o in o_opt.optimizers)
    assert float(o_opt.scale_loss(torch.tensor(2.0))) == 8.0


@pytest.mark.keras_oracle
def test_keras_state_loads_and_training_continues(keras, helpers, data):
    weights, grads = data
    k_opt = keras.optimizers.MultiOptimizer(_map(keras.optimizers))
    k_vars = [keras.Variable(w, name=n) for w, n in zip(weights, NAMES)]
    for gs in grads[:4]:
        k_opt.apply_gradients(zip([torch.tensor(g) for g in gs], k_vars))
    store = {}
    k_opt.save_own_variables(store)
    o_opt = tko.MultiOptimizer(_map(tko))
    params = helpers.torch_params([keras.ops.convert_to_numpy(v) for v in k_vars], NAMES)
    o_opt.build(params)
    o_opt.load_own_variables(store)
    assert int(o_opt.iterations) == 4
    assert [int(o.iterations) for o in o_opt.optimizers] == [4, 4]
    for gs in grads[4:]:
        k_opt.apply_gradients(zip([torch.tensor(g) for g in gs], k_vars))
        o_opt.apply([torch.tensor(g) for g in gs], params)
    helpers.assert_weights_close([p.detach().numpy() for p in params],
                                 [keras.ops.convert_to_numpy(v) for v in k_vars])


def test_save_load_round_trip_and_set_weights(helpers, data):
    weights, grads = data
    opt = tko.MultiOptimizer(_map(tko))
    params = helpers.torch_params(weights, NAMES)
    opt.build(params)
    for gs in grads[:3]:
        for p, g in zip(params, gs):
            p.grad = torch.tensor(g)
        opt.step()
    state = opt.state_dict()
    twin = tko.MultiOptimizer(_map(tko))
    twin_params = helpers.torch_params([p.detach().numpy() for p in params], NAMES)
    twin.build(twin_params)
    twin.load_state_dict(state)
    helpers.assert_same_continuation(opt, params, twin, twin_params, grads[3:])
    third = tko.MultiOptimizer(_map(tko))
    third.build(helpers.torch_params(weights, NAMES))
    third.set_weights([v.detach().numpy() for v in opt.variables])
    for a, b in zip(third.variables, opt.variables):
        assert torch.equal(a, b)


@pytest.mark.keras_oracle
def test_config_matches_keras_and_deserializes(keras):
    theirs = keras.optimizers.MultiOptimizer(_map(keras.optimizers), name="multi")
    ours = tko.MultiOptimizer(_map(tko), name="multi")
    k_conf, o_conf = theirs.get_config(), ours.get_config()
    assert list(o_conf) == list(k_conf)
    assert o_conf["name"] == k_conf["name"] and o_conf["loss_scale_factor"] is None
    inner = o_conf["optimizer_map"]["config"]
    k_inner = k_conf["optimizer_map"]["config"]
    assert inner["default_optimizer"]["config"] == k_inner["default_optimizer"]["config"]
    assert inner["optimizer_map"]["enc_.*"]["config"] == \
        k_inner["optimizer_map"]["enc_.*"]["config"]
    again = tko.deserialize(tko.serialize(ours))
    assert isinstance(again, tko.MultiOptimizer)
    assert again.get_config() == o_conf
    from_keras = tko.deserialize(keras.optimizers.serialize(theirs))
    assert [type(o).__name__ for o in from_keras.optimizers] == ["Adam", "SGD"]


def test_learning_rate_is_not_an_attribute_but_callbacks_drive_the_inner_ones():
    opt = tko.MultiOptimizer(_map(tko))
    with pytest.raises(AttributeError, match="sub-optimizers"):
        opt.learning_rate
    with pytest.raises(AttributeError, match="sub-optimizers"):
        opt.learning_rate = 0.1
    assert not hasattr(opt, "learning_rate")

    rng = np.random.default_rng(0)
    x = rng.normal(size=(32, 6)).astype("float32")
    y = rng.normal(size=(32, 2)).astype("float32")
    model = tk.Sequential([tk.Input((6,)), tk.layers.Dense(8, name="enc_dense"),
                           tk.layers.Dense(2, name="head")])
    model.compile(optimizer=opt, loss="mse")
    halve = tk.callbacks.LearningRateScheduler(lambda epoch, lr: lr * 0.5)
    history = model.fit(x, y, epochs=2, batch_size=8, verbose=0, callbacks=[halve])
    assert [round(float(o.learning_rate), 6) for o in opt.optimizers] == [0.0125, 0.025]
    assert int(opt.iterations) == 8
    assert history.history["loss"][1] < history.history["loss"][0]


@pytest.mark.keras_oracle
def test_fit_matches_keras(keras):
    rng = np.random.default_rng(1)
    x = rng.normal(size=(16, 6)).astype("float32")
    y = rng.normal(size=(16, 2)).astype("float32")
    models = []
    for lib in (keras, tk):
        model = lib.Sequential([lib.Input((6,)), lib.layers.Dense(8, name="enc_dense"),
                                lib.layers.Dense(2, name="head")])
        opt_map = lib.optimizers.OptimizerMap(lib.optimizers.SGD(0.1, momentum=0.5))
        # Keras prefixes Sequential layers' paths with the model's name; match anywhere.
        opt_map[".*enc_dense/.*"] = lib.optimizers.Adam(0.01)
        model.compile(optimizer=lib.optimizers.MultiOptimizer(opt_map), loss="mse")
        models.append(model)
    models[1].set_weights(models[0].get_weights())
    for model in models:
        model.fit(x, y, batch_size=8, epochs=2, shuffle=False, verbose=0)
    for a, b in zip(models[1].get_weights(), models[0].get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-5)
    assert len(models[1].optimizer.optimizers[0]._params) == 2   # Adam got the encoder


def test_loss_scale_optimizer_skip_restores_every_inner_slot(helpers, data):
    weights, grads = data
    opt = tko.LossScaleOptimizer(tko.MultiOptimizer(_map(tko)), initial_scale=2.0)
    params = helpers.torch_params(weights, NAMES)
    opt.build(params)
    opt.apply([torch.tensor(g) for g in grads[0]], params)
    before = [v.detach().clone() for v in params + opt.variables[2:]]
    bad = [torch.tensor(g) for g in grads[1]]
    bad[0][0, 0] = float("inf")
    opt.apply(bad, params)
    after = params + opt.variables[2:]
    for a, b, name in zip(after, before, ["p"] * 3 + [v.name for v in opt.variables[2:]]):
        if "iteration" in name or "scale" in name or "step_counter" in name:
            continue
        assert torch.equal(a, b), name
    assert float(opt.dynamic_scale) == 1.0


def test_bad_maps_raise_before_building(helpers, data):
    weights, _ = data
    with pytest.raises(TypeError, match="optimizer_map"):
        tko.MultiOptimizer("adam")
    for wrong, match in ((lambda v: "sgd", "not an Optimizer"),
                         (lambda v: tko.LossScaleOptimizer(tko.SGD()), "LossScaleOptimizer"),
                         (lambda v: tko.MultiOptimizer(_map(tko)), "MultiOptimizer cannot")):
        opt = tko.MultiOptimizer(wrong)
        with pytest.raises(ValueError, match=match):
            opt.build(helpers.torch_params(weights, NAMES))
        assert not opt.built and opt.optimizers == []


def _two_dense():
    model = tk.Sequential([tk.Input((1,)),
                           tk.layers.Dense(2, kernel_initializer="ones", use_bias=False,
                                           name="dense_1"),
                           tk.layers.Dense(1, kernel_initializer="ones", use_bias=False,
                                           name="dense_2")])
    return model


def test_reduce_lr_on_plateau_scales_every_inner_rate():
    opt_1, opt_2 = tko.SGD(0.1), tko.SGD(0.01)
    model = _two_dense()
    model.compile(loss="mse", optimizer=tko.MultiOptimizer(
        tko.OptimizerMap(opt_2, {".*dense_1/.*": opt_1})))
    reduce_lr = tk.callbacks.ReduceLROnPlateau(monitor="val_loss", factor=0.5, patience=1)
    reduce_lr.set_model(model)
    reduce_lr.on_train_begin()
    reduce_lr.on_epoch_end(0, {"val_loss": 1.0})
    reduce_lr.on_epoch_end(1, {"val_loss": 1.0})
    assert float(opt_1.learning_rate) == pytest.approx(0.05)
    assert float(opt_2.learning_rate) == pytest.approx(0.005)


def test_swap_ema_weights_swaps_only_the_ema_optimizers_variables():
    opt_1 = tko.SGD(0.1, use_ema=True, ema_momentum=0.9)
    opt_2 = tko.SGD(0.1)
    model = _two_dense()
    model.compile(loss="mse", optimizer=tko.MultiOptimizer(
        tko.OptimizerMap(opt_2, {".*dense_1/.*": opt_1})))
    model.train_on_batch(np.ones((1, 1), "float32"), np.ones((1, 1), "float32"))
    model.layers[0].kernel.assign(np.array([[2.0, 2.0]], "float32"))
    model.layers[1].kernel.assign(np.array([[3.0], [3.0]], "float32"))
    opt_1._model_variables_moving_average[0].copy_(torch.full((2, 1), 9.0))
    swap = tk.callbacks.SwapEMAWeights()
    swap.set_model(model)
    swap.on_test_begin()
    np.testing.assert_allclose(model.layers[0].kernel.numpy(), [[9.0, 9.0]])
    np.testing.assert_allclose(model.layers[1].kernel.numpy(), [[3.0], [3.0]])
    swap.on_test_end()
    np.testing.assert_allclose(model.layers[0].kernel.numpy(), [[2.0, 2.0]])
    np.testing.assert_allclose(opt_1._model_variables_moving_average[0].numpy(),
                               [[9.0], [9.0]])
