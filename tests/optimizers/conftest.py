"""Shared helpers for optimizer tests: same start weights and gradients for Keras and us."""
import numpy as np
import pytest
import torch

SHAPES = [(4, 3), (3,), (2, 3, 5)]


def make_data(steps: int = 10, seed: int = 0, shapes=SHAPES):
    rng = np.random.default_rng(seed)
    weights = [rng.normal(size=s).astype("float32") for s in shapes]
    grads = [[rng.normal(size=s).astype("float32") for s in shapes] for _ in range(steps)]
    return weights, grads


def keras_trajectory(keras, optimizer, weights, grads, names=None, between=None):
    """Weights after applying each gradient set with a real Keras optimizer."""
    names = names or ["v%d" % i for i in range(len(weights))]
    variables = [keras.Variable(w, name=n) for w, n in zip(weights, names)]
    for step, gs in enumerate(grads):
        if between is not None:
            between(step, optimizer, variables)
        optimizer.apply_gradients(zip([torch.tensor(g) for g in gs], variables))
    return [keras.ops.convert_to_numpy(v) for v in variables]


def torch_params(weights, names=None):
    from torchkeras.variables import Variable
    names = names or ["v%d" % i for i in range(len(weights))]
    return [Variable(torch.tensor(w), name=n) for w, n in zip(weights, names)]


def our_trajectory(optimizer, weights, grads, names=None, between=None, use_apply=False):
    """Weights after ``.grad`` + ``step()`` (or ``apply``) with a torchkeras optimizer."""
    params = torch_params(weights, names)
    optimizer.build(params)
    for step, gs in enumerate(grads):
        if between is not None:
            between(step, optimizer, params)
        if use_apply:
            optimizer.apply([torch.tensor(g) for g in gs], params)
        else:
            for p, g in zip(params, gs):
                p.grad = torch.tensor(g)
            optimizer.step()
    return [p.detach().numpy() for p in params]


def assert_weights_close(ours, theirs, rtol=1e-4, atol=1e-5):
    assert len(ours) == len(theirs)
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(a, b, rtol=rtol, atol=atol)


def assert_same_continuation(opt, params, twin, twin_params, grads):
    """Applies each gradient set to both optimizers; their weights must stay bit-equal
    (``twin`` restored from ``opt``'s saved state)."""
    for gs in grads:
        opt.apply([torch.tensor(g) for g in gs], params)
        twin.apply([torch.tensor(g) for g in gs], twin_params)
    for a, b in zip(params, twin_params):
        assert torch.equal(a, b)


@pytest.fixture
def data():
    return make_data()


@pytest.fixture
def helpers():
    """This module's helpers (tests run in importlib mode and cannot import conftest)."""
    import sys
    return sys.modules[__name__]
