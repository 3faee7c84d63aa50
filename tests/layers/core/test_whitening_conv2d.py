"""WhiteningConv2D: frozen patch-whitening filters fitted by ``adapt``."""
import numpy as np
import pytest
import torch
import torch.nn.functional as F

import torchkeras as keras
from torchkeras import layers
from torchkeras.layers.core.whitening_conv2d import patch_whitening_kernel


def _images(n=64, seed=0):
    g = torch.Generator().manual_seed(seed)
    # Correlated channels and neighbouring pixels: whitening has work to do.
    base = torch.randn(n, 3, 17, 17, generator=g)
    x = base[:, :, 1:, 1:] + 0.8 * base[:, :, :-1, :-1]
    x = torch.stack([x[:, 0], x[:, 0] + 0.5 * x[:, 1], x[:, 2] - x[:, 0]], dim=1)
    return x.permute(0, 2, 3, 1).contiguous()   # NHWC


def test_outputs_are_white():
    x = _images()
    layer = layers.WhiteningConv2D(kernel_size=2, epsilon=0.0)
    layer.adapt(x)
    y = layer(x) - layer.bias   # the bias is trained; whiteness concerns the kernel
    assert y.shape == (64, 15, 15, 24)
    half = y[..., :12].reshape(-1, 12)
    moment = half.T @ half / half.shape[0]
    np.testing.assert_allclose(moment.detach().numpy(), np.eye(12), atol=2e-3)
    np.testing.assert_allclose(y[..., 12:].detach().numpy(), -y[..., :12].detach().numpy(),
                               atol=1e-5)


def test_epsilon_limits_gain():
    x = _images()
    small = patch_whitening_kernel(x.permute(0, 3, 1, 2), (2, 2), 0.0)
    large = patch_whitening_kernel(x.permute(0, 3, 1, 2), (2, 2), 10.0)
    assert large.norm() < small.norm()


def test_weights_and_trainability():
    layer = layers.WhiteningConv2D(2)
    layer.build((None, 8, 8, 3))
    assert [tuple(w.shape) for w in layer.trainable_weights] == [(24,)]
    assert [tuple(w.shape) for w in layer.non_trainable_weights] == [(2, 2, 3, 24)]   # Keras layout, as get_weights
    assert [w.shape for w in layer.get_weights()] == [(24,), (2, 2, 3, 24)]
    assert not layer.weight.requires_grad
    layer.trainable = False
    layer.trainable = True
    assert not layer.weight.requires_grad and layer.bias.requires_grad
    # state_dict loads into nn.Conv2d as it is
    conv = torch.nn.Conv2d(3, 24, 2)
    conv.load_state_dict(layer.state_dict())


def test_channels_first_agrees_with_channels_last():
    x = _images(16)
    last = layers.WhiteningConv2D(2, use_bias=False)
    first = layers.WhiteningConv2D(2, use_bias=False, data_format="channels_first")
    last.adapt(x)
    first.adapt(x.permute(0, 3, 1, 2))
    np.testing.assert_allclose(last(x).permute(0, 3, 1, 2).detach().numpy(),
                               first(x.permute(0, 3, 1, 2)).detach().numpy(), atol=1e-5)


def test_config_round_trip_and_functional_use():
    layer = layers.WhiteningConv2D(3, epsilon=1e-3, use_bias=False)
    config = layer.get_config()
    again = layers.WhiteningConv2D.from_config(config)
    assert (again.kernel_size, again.epsilon, again.use_bias) == ((3, 3), 1e-3, False)
    inputs = keras.Input((16, 16, 3))
    outputs = layers.WhiteningConv2D(2, name="w")(inputs)
    assert tuple(outputs.shape) == (None, 15, 15, 24)
    model = keras.Model(inputs, outputs)
    model.get_layer("w").adapt(_images(8).numpy())
    assert model.get_layer("w").adapted


@pytest.mark.parametrize("kwargs, match", [({"epsilon": -1.0}, "epsilon"),
                                           ({"kernel_size": 0}, "kernel_size")])
def test_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        layers.WhiteningConv2D(**kwargs)


def test_adapt_rejects_other_shapes():
    layer = layers.WhiteningConv2D(2)
    layer.build((None, 8, 8, 3))
    with pytest.raises(ValueError, match="adapt"):
        layer.adapt(torch.zeros(4, 8, 8))
    with pytest.raises(ValueError, match="filters"):
        layer.adapt(torch.zeros(4, 8, 8, 1))
