"""Iterations, learning rate, variables, save/load, skipping, constraints, no host syncs."""
import re

import numpy as np
import pytest
import torch

import torchkeras.optimizers as tko

ALL = [("SGD", {"momentum": 0.9}), ("Adam", {"amsgrad": True}), ("AdamW", {}),
       ("RMSprop", {"momentum": 0.5, "centered": True}), ("Adadelta", {}), ("Adagrad", {}),
       ("Adamax", {}), ("Nadam", {}), ("Lion", {}), ("Adafactor", {}), ("Ftrl", {}),
       ("Lamb", {}), ("Adam", {"use_ema": True, "gradient_accumulation_steps": 2})]
ALL += [("Muon", {"learning_rate": 0.01}), ("ScheduleFreeAdamW", {"warmup_steps": 2}),
        ("MultiOptimizer", {"optimizer_map": lambda v: tko.Adam() if v.dim() == 1
                            else tko.SGD(momentum=0.9)})]


def _set_grads(params, grads):
    for p, g in zip(params, grads):
        p.grad = torch.tensor(g)


@pytest.mark.parametrize("name,kwargs", ALL)
def test_save_load_then_identical_next_steps(helpers, data, name, kwargs):
    weights, grads = data
    opt = getattr(tko, name)(**kwargs)
    params = helpers.torch_params(weights)
    opt.build(params)
    for gs in grads[:5]:
        _set_grads(params, gs)
        opt.step()
    store = {}
    opt.save_own_variables(store)
    assert set(store) == {str(i) for i in range(len(opt.variables))}
    assert int(store["0"]) == 5

    twin_params = helpers.torch_params([p.detach().numpy() for p in params])
    twin = getattr(tko, name)(**kwargs)
    twin.build(twin_params)
    twin.load_own_variables(store)
    assert int(twin.iterations) == int(opt.iterations)
    for gs in grads[5:]:
        for ps, o in ((params, opt), (twin_params, twin)):
            _set_grads(ps, gs)
            o.step()
    for a, b in zip(params, twin_params):
        assert torch.equal(a, b)


def test_load_own_variables_mismatch_warns_and_bad_shape_raises(helpers, data):
    weights, _ = data
    opt = tko.Adam()
    with pytest.warns(UserWarning, match="Skipping variable loading"):
        opt.load_own_variables({"0": np.array(3)})
    opt.build(helpers.torch_params(weights))
    store = {}
    opt.save_own_variables(store)
    store["2"] = np.zeros((9, 9), "float32")
    before = [v.clone() for v in opt.variables]
    with pytest.raises(ValueError, match="shape"):
        opt.load_own_variables(store)
    for a, b in zip(before, opt.variables):
        assert torch.equal(a, b)


@pytest.mark.keras_oracle
@pytest.mark.parametrize("name,kwargs", [("Adam", {"use_ema": True}), ("Nadam", {}),
                                         ("SGD", {"momentum": 0.9}),
                                         ("RMSprop", {"centered": True}),
                                         ("Adafactor", {"gradient_accumulation_steps": 2})])
def test_variables_names_order_and_keras_state_loading(keras, helpers, data, name, kwargs):
    weights, grads = data
    names = ["kernel", "bias", "other"]
    k_opt = getattr(keras.optimizers, name)(**kwargs)
    k_vars = [keras.Variable(w, name=n) for w, n in zip(weights, names)]
    for gs in grads[:4]:
        k_opt.apply_gradients(zip([torch.tensor(g) for g in gs], k_vars))
    opt = getattr(tko, name)(**kwargs)
    params = helpers.torch_params([keras.ops.convert_to_numpy(v) for v in k_vars], names)
    opt.build(params)
    # Keras numbers anonymous variables globally ("variable_3"); ours stay "variable".
    assert [v.name for v in opt.variables] == [
        re.sub(r"^variable_\d+$", "variable", v.name) for v in k_opt.variables]
    assert [tuple(v.shape) for v in opt.variables] == [tuple(v.shape) for v in k_opt.variables]
    # Keras's saved optimizer state loads into ours and training continues identically.
    store = {}
    k_opt.save_own_variables(store)
    opt.load_own_variables(store)
    assert int(opt.iterations) == int(keras.ops.convert_to_numpy(k_opt.iterations))
    for gs in grads[4:]:
        k_opt.apply_gradients(zip([torch.tensor(g) for g in gs], k_vars))
        _set_grads(params, gs)
        opt.step()
    helpers.assert_weights_close([p.detach().numpy() for p in params],
                                 [keras.ops.convert_to_numpy(v) for v in k_vars])


def test_iterations_is_int64_variable_and_settable(helpers, data):
    weights, grads = data
    opt = tko.Adam()
    params = helpers.torch_params(weights)
    opt.build(params)
    it = opt.iterations
    for gs in grads[:3]:
        _set_grads(params, gs)
        opt.step()
    assert int(opt.iterations) == 3 and opt.iterations.numpy() == 3
    assert int(it) == 3  # a held reference stays current
    assert opt.iterations.dtype == torch.int64
    opt.iterations.assign(10)
    assert opt._iterations == 10
    opt.iterations = 2
    assert int(opt.iterations) == 2 and opt._iterations == 2
    acc = tko.SGD(gradient_accumulation_steps=2)
    acc.build(helpers.torch_params(weights))
    acc.iterations = 5
    assert int(acc.iterations) == 2


def test_learning_rate_read_write(helpers, data):
    weights, grads = data
    opt = tko.SGD(learning_rate=0.1)
    assert float(opt.learning_rate) == pytest.approx(0.1)
    assert opt.learning_rate.numpy() == np.float32(0.1)
    opt.learning_rate = 0.5
    assert float(opt.learning_rate) == 0.5
    params = helpers.torch_params(weights)
    opt.build(params)
    _set_grads(params, grads[0])
    opt.step()
    np.testing.assert_allclose(params[0].detach().numpy(), weights[0] - 0.5 * grads[0][0],
                               rtol=1e-6)
    opt.learning_rate.assign(0.25)
    assert opt._lr_value == 0.25 and float(opt.lr) == 0.25
    opt.lr = 0.125
    assert float(opt.learning_rate) == 0.125
    assert opt.get_config()["learning_rate"] == 0.125
    with pytest.raises(ValueError):
        opt.learning_rate = -1.0
    sched = tko.SGD(learning_rate=tko.schedules.ExponentialDecay(0.1, 1, 0.5))
    sched.iterations = 2
    assert float(sched.learning_rate) == pytest.approx(0.025)
    calls = tko.SGD(learning_rate=lambda: 0.3)
    assert float(calls.learning_rate) == pytest.approx(0.3)
    assert len(calls.variables) == 1  # no learning-rate variable for a callable


def test_params_without_grad_are_skipped(helpers, data):
    weights, grads = data
    opt = tko.Adam()
    params = helpers.torch_params(weights)
    opt.build(params)
    params[0].grad = torch.tensor(grads[0][0])
    opt.step()
    assert torch.equal(params[1], torch.tensor(weights[1]))
    assert not torch.equal(params[0], torch.tensor(weights[0]))
    assert torch.count_nonzero(opt._momentums[1]) == 0
    assert int(opt.iterations) == 1
    opt.zero_grad()
    assert all(p.grad is None for p in params)
    opt.step()  # nothing to do, nothing counted
    assert int(opt.iterations) == 1
    _set_grads(params, grads[1])
    opt.zero_grad(set_to_none=False)
    assert all(torch.count_nonzero(p.grad) == 0 for p in params)


def test_apply_validation_and_missing_gradients(helpers, data):
    weights, grads = data
    params = helpers.torch_params(weights)
    opt = tko.SGD()
    with pytest.raises(ValueError, match="must already be built"):
        opt.apply([torch.tensor(g) for g in grads[0]])
    with pytest.raises(ValueError, match="build"):
        opt.step()
    opt.apply([torch.tensor(g) for g in grads[0]], params)
    with pytest.raises(ValueError, match="Unknown variable"):
        opt.apply([torch.zeros(2)], [torch.nn.Parameter(torch.zeros(2))])
    with pytest.raises(ValueError, match="No gradients"):
        opt.apply([None, None, None], params)
    before = params[1].detach().clone()
    with pytest.warns(UserWarning, match="Gradients do not exist"):
        opt.apply([torch.tensor(grads[1][0]), None, np.asarray(grads[1][2])], params)
    assert torch.equal(before, params[1])
    it = opt.apply_gradients(zip([torch.tensor(g) for g in grads[2]], params))
    assert int(it) == 3


def test_constraints_applied_after_update(helpers, data):
    weights, grads = data
    params = helpers.torch_params(weights)
    params[0].constraint = lambda w: torch.clamp(w, -0.1, 0.1)
    params[1].constraint = None
    opt = tko.SGD(learning_rate=0.1)
    opt.build(params)
    _set_grads(params, grads[0])
    opt.step()
    assert params[0].abs().max() <= 0.1
    np.testing.assert_allclose(params[1].detach().numpy(), weights[1] - 0.1 * grads[0][1],
                               rtol=1e-6)


def test_step_closure_and_plain_parameters():
    w = torch.nn.Parameter(torch.tensor([1.0, -2.0]))
    opt = tko.SGD(learning_rate=0.5)
    opt.build([w])

    def closure():
        opt.zero_grad()
        loss = (w ** 2).sum()
        loss.backward()
        return loss

    loss = opt.step(closure)
    assert float(loss.detach()) == 5.0
    assert torch.allclose(w.detach(), torch.tensor([0.0, 0.0]))
    assert [v.name for v in tko.SGD(momentum=0.5).variables] == ["iteration", "learning_rate"]


@pytest.mark.parametrize("name,kwargs", ALL + [
    ("SGD", {"global_clipnorm": 1.0, "weight_decay": 0.1}), ("Adam", {"clipnorm": 1.0}),
    ("RMSprop", {"clipvalue": 0.1, "loss_scale_factor": 2.0}),
    ("Adam", {"learning_rate": tko.schedules.CosineDecay(0.1, 10)}),
    ("SGD", {"use_ema": True, "ema_overwrite_frequency": 2})])
def test_step_never_reads_device_values(helpers, data, monkeypatch, name, kwargs):
    weights, grads = data
    opt = getattr(tko, name)(**kwargs)
    params = helpers.torch_params(weights)
    opt.build(params)

    def forbidden(*args, **kwargs):
        raise AssertionError("host sync in the optimizer step")

    for attr in ("item", "tolist", "numpy", "cpu", "__float__", "__int__", "__bool__",
                 "__index__"):
        monkeypatch.setattr(torch.Tensor, attr, forbidden)
    with pytest.raises(AssertionError):
        float(torch.ones(()))  # the trap works
    for gs in grads[:4]:
        for p, g in zip(params, gs):
            p.grad = torch.from_numpy(g)
        opt.step()
    monkeypatch.undo()
    assert opt._iterations == 4


def test_deepcopy_keeps_mirrors_bound_to_the_copy(helpers, data):
    import copy
    weights, grads = data
    opt = tko.Adam()
    params = helpers.torch_params(weights)
    opt.build(params)
    _set_grads(params, grads[0])
    opt.step()
    twin = copy.deepcopy(opt)
    twin.iterations.assign(7)
    twin.learning_rate.assign(0.5)
    assert twin._iterations == 7 and twin._lr_value == 0.5
    assert opt._iterations == 1 and float(opt.learning_rate) == pytest.approx(0.001)


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
def test_rebuild_moves_slots_to_the_parameters_device(helpers, data):
    weights, grads = data
    opt = tko.Adam(use_ema=True)
    params = helpers.torch_params(weights)
    opt.build(params)
    for p in params:
        p.data = p.data.to("cuda")
    opt.build(params)  # what fit() does at its start
    assert all(v.device.type == "cuda" for v in opt.variables[2:])
    assert opt.variables[0].device.type == "cpu"  # host mirrors stay on the host
    for p, g in zip(params, grads[0]):
        p.grad = torch.tensor(g, device="cuda")
    opt.step()


def test_keras_style_custom_optimizer_with_update_step(helpers, data):
    class HalfMomentum(tko.Optimizer):
        def __init__(self, learning_rate=0.1, **kwargs):
            super().__init__(learning_rate=learning_rate, **kwargs)

        def build(self, variables):
            if self.built:
                return
            super().build(variables)
            self.m = [self.add_variable_from_reference(v, "m") for v in variables]

        def update_step(self, gradient, variable, learning_rate):
            m = self.m[self._get_variable_index(variable)]
            self.assign(m, m * 0.5 + gradient)
            self.assign_sub(variable, learning_rate * m)

    weights, grads = data
    ours = helpers.our_trajectory(HalfMomentum(weight_decay=0.1, clipvalue=1.0), weights,
                                  grads[:3])
    expected = [w.copy() for w in weights]
    moms = [np.zeros_like(w) for w in weights]
    for gs in grads[:3]:
        for k, g in enumerate(gs):
            expected[k] = expected[k] - expected[k] * 0.1 * np.float32(0.1)
            moms[k] = moms[k] * 0.5 + np.clip(g, -1.0, 1.0)
            expected[k] = expected[k] - np.float32(0.1) * moms[k]
    helpers.assert_weights_close(ours, expected, rtol=1e-5, atol=1e-6)
    names = [v.name for v in HalfMomentum().variables]
    assert names == ["iteration", "learning_rate"]


@pytest.mark.parametrize("make", [
    lambda: tko.MultiOptimizer(tko.OptimizerMap(tko.SGD(0.1, momentum=0.9),
                                                {".*enc.*": tko.Adam(0.01)})),
    lambda: tko.Muon(0.01), lambda: tko.ScheduleFreeAdamW(0.01)],
    ids=["MultiOptimizer", "Muon", "ScheduleFreeAdamW"])
def test_model_file_keeps_optimizer_state(tmp_path, make):
    import torchkeras as tk
    rng = np.random.default_rng(0)
    x = rng.normal(size=(16, 6)).astype("float32")
    y = rng.normal(size=(16, 2)).astype("float32")
    model = tk.Sequential([tk.Input((6,)), tk.layers.Dense(8, name="enc"),
                           tk.layers.Dense(2, name="head")])
    model.compile(optimizer=make(), loss="mse")
    model.fit(x, y, epochs=1, batch_size=8, verbose=0)
    model.save(tmp_path / "m.keras")
    again = tk.models.load_model(tmp_path / "m.keras")
    assert type(again.optimizer) is type(model.optimizer)
    assert int(again.optimizer.iterations) == 2
    for m in (model, again):
        m.fit(x, y, epochs=1, batch_size=8, verbose=0, shuffle=False)
    for a, b in zip(model.get_weights(), again.get_weights()):
        np.testing.assert_array_equal(a, b)
