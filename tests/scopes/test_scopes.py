import pytest
import torch

import torchkeras
from torchkeras import scopes


def test_name_scope_nesting():
    with scopes.name_scope("outer"):
        with scopes.name_scope("inner"):
            assert scopes.current_path() == "outer/inner"
        with scopes.name_scope("outer"):  # deduplicated
            assert scopes.current_path() == "outer"
    assert scopes.current_path() == ""
    with pytest.raises(ValueError, match="name"):
        scopes.name_scope("a/b")


def test_device_scope_sets_default_device():
    before = torchkeras.config.get_device()
    with torchkeras.device("cpu") as dev:
        assert dev == torch.device("cpu")
        assert torchkeras.config.get_device() == torch.device("cpu")
        assert torch.zeros(1).device.type == "cpu"
        layer = torchkeras.layers.Dense(2)
        layer(torch.ones(1, 3))
        assert layer.kernel.device.type == "cpu"
    assert torchkeras.config.get_device() == before
    with pytest.raises(ValueError, match="device"):
        torchkeras.device(3)


def test_remat_matches_plain_gradients_and_scope_wraps_layers():
    w = torch.randn(4, 4, requires_grad=True)
    x = torch.randn(2, 4)
    f = lambda x: torch.tanh(x @ w).sum()  # noqa: E731
    g_plain = torch.autograd.grad(f(x), w)[0]
    g_remat = torch.autograd.grad(torchkeras.remat(f)(x), w)[0]
    assert torch.allclose(g_plain, g_remat)
    with torchkeras.RematScope(mode="list_of_layers", layer_names=["big"]):
        big, small = torchkeras.layers.Dense(2, name="big"), torchkeras.layers.Dense(2)
    assert "call" in vars(big) and "call" not in vars(small)
    y = big(x)
    y.sum().backward()
    assert all(p.grad is not None for p in big.parameters())
    with pytest.raises(NotImplementedError, match="larger_than"):
        torchkeras.RematScope(mode="larger_than")


def test_stateless_scope_swaps_and_restores():
    layer = torchkeras.layers.Dense(2, use_bias=False)
    layer(torch.ones(1, 2))
    original = layer.kernel.detach().clone()
    with torchkeras.StatelessScope(state_mapping=[(layer.kernel, torch.zeros(2, 2))]) as s:
        assert torch.equal(layer(torch.ones(1, 2)), torch.zeros(1, 2))
        with torch.no_grad():
            layer.kernel.copy_(torch.ones(2, 2))  # an assignment inside the block
    assert torch.equal(layer.kernel.detach(), original)
    assert torch.equal(s.get_current_value(layer.kernel), torch.ones(2, 2))
    with torchkeras.SymbolicScope():
        assert scopes.in_symbolic_scope()
    assert not scopes.in_symbolic_scope()


def test_function_operation_inputspec_and_version():
    x = torchkeras.Input((3,))
    fn = torchkeras.Function(x, torchkeras.layers.ReLU()(x) * 2)
    assert torch.equal(fn(torch.tensor([[-1.0, 1.0, 2.0]])), torch.tensor([[0.0, 2.0, 4.0]]))

    class Double(torchkeras.Operation):
        def call(self, t):
            return t * 2

    assert torch.equal(Double()(torch.ones(2)), torch.full((2,), 2.0))
    inp = torchkeras.Input((2,))
    model = torchkeras.Model(inp, Double()(inp))
    assert torch.equal(model(torch.ones(1, 2)), torch.full((1, 2), 2.0))
    assert torchkeras.version() == torchkeras.__version__

    class OnlyMatrices(torchkeras.layers.Layer):
        def __init__(self):
            super().__init__()
            self.input_spec = torchkeras.InputSpec(ndim=2, axes={-1: 3})

        def call(self, t):
            return t

    with pytest.raises(ValueError, match="expected ndim=2, found ndim=1"):
        OnlyMatrices()(torch.ones(3))
    with pytest.raises(ValueError, match="expected axis -1"):
        OnlyMatrices()(torchkeras.Input((4,)))
    assert OnlyMatrices()(torchkeras.Input((3,))).shape == (None, 3)
    for name in ("Loss", "Metric", "Optimizer", "Initializer", "Regularizer", "DTypePolicy",
                 "FloatDTypePolicy", "Variable"):
        assert isinstance(getattr(torchkeras, name), type)
