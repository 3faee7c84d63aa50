"""What changes a layer call after a model's first call is honoured: the models' cached
direct-call plans are derived again (activity regularizers, hooks, trainable, policy)."""
import pytest
import torch

import torchkeras as tk


def _functional():
    inp = tk.Input((4,))
    h = tk.layers.Dense(3)(inp)
    return tk.Model(inp, tk.layers.Dense(2)(h))


def _sequential():
    return tk.Sequential([tk.Input((4,)), tk.layers.Dense(3), tk.layers.Dense(2)])


@pytest.mark.parametrize("build", [_functional, _sequential], ids=["functional", "sequential"])
def test_activity_regularizer_set_after_first_call_adds_a_loss(build):
    model = build()
    x = torch.randn(5, 4)
    model(x)
    assert model.losses == []
    layer = [l for l in model.layers if isinstance(l, tk.layers.Dense)][0]
    layer.activity_regularizer = tk.regularizers.L2(0.1)
    out = model(x)
    assert len(model.losses) == 1
    expected = 0.1 * (layer(x) ** 2).sum() / x.shape[0]
    torch.testing.assert_close(model.losses[0], expected)
    layer.activity_regularizer = None
    model(x)
    assert model.losses == [] and out.shape == (5, 2)


@pytest.mark.parametrize("build", [_functional, _sequential], ids=["functional", "sequential"])
def test_hook_and_policy_changes_after_first_call(build):
    model = build()
    x = torch.randn(5, 4)
    model(x)
    seen = []
    layer = [l for l in model.layers if isinstance(l, tk.layers.Dense)][-1]
    handle = layer.register_forward_hook(lambda m, i, o: seen.append(o.shape))
    model(x)
    assert seen == [torch.Size([5, 2])]
    handle.remove()
    layer.dtype_policy = "float64"
    layer.weight.data = layer.weight.data.double()
    layer.bias.data = layer.bias.data.double()
    assert model(x).dtype == torch.float64   # the float64 layer casts its input again


@pytest.mark.parametrize("build", [_functional, _sequential], ids=["functional", "sequential"])
def test_trainable_change_reaches_fit(build):
    model = build()
    model.compile("sgd", "mse")
    x, y = torch.randn(16, 4), torch.randn(16, 2)
    model.fit(x, y, epochs=1, verbose=0)
    first = [l for l in model.layers if isinstance(l, tk.layers.Dense)][0]
    first.trainable = False
    model.compile("sgd", "mse")
    before = first.weight.detach().clone()
    model.fit(x, y, epochs=1, verbose=0)
    torch.testing.assert_close(first.weight.detach(), before)
