"""TorchOptimizer: a torch.optim optimizer behind the Keras optimizer API."""
import copy

import numpy as np
import pytest
import torch

import torchkeras.optimizers as tko


def _params(weights):
    return [torch.nn.Parameter(torch.tensor(w)) for w in weights]


def _run(opt_step, params, grads):
    for gs in grads:
        for p, g in zip(params, gs):
            p.grad = torch.tensor(g)
        opt_step()


def test_wrapped_instance_steps_like_raw_torch(data):
    weights, grads = data
    raw_params, our_params = _params(weights), _params(weights)
    raw = torch.optim.AdamW(raw_params, lr=0.01, weight_decay=0.1)
    ours = tko.get(torch.optim.AdamW(our_params, lr=0.01, weight_decay=0.1))
    _run(raw.step, raw_params, grads)
    _run(ours.step, our_params, grads)
    for a, b in zip(raw_params, our_params):
        assert torch.equal(a, b)
    assert int(ours.iterations) == len(grads)
    assert float(ours.learning_rate) == pytest.approx(0.01)


def test_class_is_built_lazily_with_kwargs(data):
    weights, grads = data
    opt = tko.TorchOptimizer(torch.optim.SGD, lr=0.1, momentum=0.9)
    assert not opt.built
    params = _params(weights)
    opt.build(params)
    assert isinstance(opt.optimizer, torch.optim.SGD)
    ref_params = _params(weights)
    ref = torch.optim.SGD(ref_params, lr=0.1, momentum=0.9)
    _run(opt.step, params, grads[:3])
    _run(ref.step, ref_params, grads[:3])
    for a, b in zip(ref_params, params):
        assert torch.equal(a, b)
    assert opt.get_config()["optimizer"] == "SGD"
    again = tko.TorchOptimizer.from_config(opt.get_config())
    assert again.optimizer_class is torch.optim.SGD
    assert again.optimizer_kwargs["momentum"] == 0.9


def test_learning_rate_set_reaches_param_groups_and_schedulers_are_seen():
    w = torch.nn.Parameter(torch.ones(2))
    torch_opt = torch.optim.SGD([{"params": [w]}, {"params": [], "lr": 0.3}], lr=0.1)
    opt = tko.TorchOptimizer(torch_opt)
    opt.learning_rate = 0.5
    assert all(g["lr"] == 0.5 for g in torch_opt.param_groups)
    opt.learning_rate.assign(0.25)
    assert torch_opt.param_groups[0]["lr"] == 0.25
    torch_opt.param_groups[0]["lr"] = 0.125  # e.g. a torch lr_scheduler
    assert float(opt.learning_rate) == 0.125


def test_apply_and_clipping(data):
    weights, grads = data
    params = _params(weights)
    opt = tko.TorchOptimizer(torch.optim.SGD, lr=1.0, clipvalue=0.1)
    opt.apply([torch.tensor(g) for g in grads[0]], params)
    for p, w, g in zip(params, weights, grads[0]):
        np.testing.assert_allclose(p.detach().numpy(), w - np.clip(g, -0.1, 0.1), rtol=1e-6)
    assert int(opt.iterations) == 1


def test_save_load_round_trip(data):
    weights, grads = data
    params = _params(weights)
    opt = tko.TorchOptimizer(torch.optim.Adam, lr=0.01, betas=(0.8, 0.9))
    opt.build(params)
    _run(opt.step, params, grads[:4])
    store = {}
    opt.save_own_variables(store)
    assert int(store["iteration"]) == 4
    assert len(opt.variables) == 1 + 3 * len(params)

    twin_params = [torch.nn.Parameter(p.detach().clone()) for p in params]
    twin = tko.TorchOptimizer(torch.optim.Adam, lr=0.5, betas=(0.1, 0.2))
    twin.build(twin_params)
    twin.load_own_variables(copy.deepcopy(store))
    assert twin.optimizer.param_groups[0]["betas"] == (0.8, 0.9)
    assert float(twin.learning_rate) == pytest.approx(0.01)
    assert int(twin.iterations) == 4
    _run(opt.step, params, grads[4:])
    _run(twin.step, twin_params, grads[4:])
    for a, b in zip(params, twin_params):
        assert torch.equal(a, b)


def test_rejects_non_optimizers():
    with pytest.raises(ValueError, match="torch.optim.Optimizer"):
        tko.TorchOptimizer("adam")
    w = torch.nn.Parameter(torch.ones(1))
    with pytest.raises(ValueError, match="keyword arguments"):
        tko.TorchOptimizer(torch.optim.SGD([w], lr=0.1), lr=0.2)
