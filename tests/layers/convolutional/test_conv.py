import numpy as np
import pytest
import torch
from torch import nn

from torchkeras import layers
from torchkeras.testing import run_layer_test


def keras_oracle(keras, name, kwargs, shape, ours_cls=None, seed=0):
    """Same weights in Keras and torchkeras -> same outputs, shapes and configs."""
    rng = np.random.default_rng(seed)
    ref = getattr(keras.layers, name)(**kwargs)
    ours = (ours_cls or getattr(layers, name))(**kwargs)
    x = rng.normal(size=shape).astype("float32")
    y_ref = ref(x)
    ours(torch.as_tensor(x))
    ws = [rng.normal(size=w.shape).astype("float32") for w in ref.get_weights()]
    ref.set_weights(ws)
    ours.set_weights(ref.get_weights())
    y_ref = np.asarray(ref(x).detach().cpu())
    y = ours(torch.as_tensor(x)).detach().numpy()
    assert y.shape == y_ref.shape
    np.testing.assert_allclose(y, y_ref, rtol=1e-4, atol=1e-4)
    assert tuple(ours.compute_output_shape((None,) + shape[1:])) == \
        tuple(ref.compute_output_shape((None,) + shape[1:]))
    cfg, ref_cfg = ours.get_config(), ref.get_config()
    cfg.pop("name"), ref_cfg.pop("name")
    assert cfg == ref_cfg
    assert [w.name for w in ours.weights] == [w.name for w in ref.weights]
    for a, b in zip(ours.get_weights(), ref.get_weights()):
        np.testing.assert_array_equal(a, b)
    return ours


CONV_CASES = [
    ("Conv1D", {"filters": 4, "kernel_size": 3}, (2, 9, 3)),
    ("Conv1D", {"filters": 4, "kernel_size": 3, "padding": "causal", "dilation_rate": 2}, (2, 9, 3)),
    ("Conv1D", {"filters": 4, "kernel_size": 4, "padding": "same", "strides": 2}, (2, 9, 3)),
    ("Conv1D", {"filters": 4, "kernel_size": 2, "groups": 2, "data_format": "channels_first",
                "padding": "same"}, (2, 4, 9)),
    ("Conv2D", {"filters": 5, "kernel_size": 3}, (2, 7, 8, 3)),
    ("Conv2D", {"filters": 5, "kernel_size": (3, 2), "padding": "same", "strides": (2, 3),
                "activation": "relu"}, (2, 7, 8, 3)),
    ("Conv2D", {"filters": 4, "kernel_size": 2, "padding": "same", "dilation_rate": 2,
                "use_bias": False}, (2, 7, 8, 3)),
    ("Conv2D", {"filters": 6, "kernel_size": 3, "groups": 3, "data_format": "channels_first",
                "strides": 2, "padding": "same"}, (2, 3, 8, 8)),
    ("Conv3D", {"filters": 3, "kernel_size": 2, "padding": "same", "strides": 2}, (1, 5, 4, 5, 2)),
    ("Conv3D", {"filters": 3, "kernel_size": (1, 2, 3), "data_format": "channels_first"},
     (1, 2, 4, 5, 6)),
]

TRANSPOSE_CASES = [
    ("Conv1DTranspose", {"filters": 4, "kernel_size": 3, "strides": 2}, (2, 5, 3)),
    ("Conv1DTranspose", {"filters": 4, "kernel_size": 3, "strides": 2, "padding": "same"}, (2, 5, 3)),
    ("Conv1DTranspose", {"filters": 4, "kernel_size": 4, "strides": 3, "padding": "same",
                         "output_padding": 1}, (2, 5, 3)),
    ("Conv1DTranspose", {"filters": 4, "kernel_size": 2, "strides": 3}, (2, 5, 3)),
    ("Conv2DTranspose", {"filters": 4, "kernel_size": 3, "strides": 2, "padding": "same"},
     (2, 5, 6, 3)),
    ("Conv2DTranspose", {"filters": 4, "kernel_size": 4, "strides": 2, "padding": "same"},
     (2, 5, 6, 3)),
    ("Conv2DTranspose", {"filters": 4, "kernel_size": (3, 2), "strides": (2, 3),
                         "output_padding": (1, 2), "data_format": "channels_first"}, (2, 3, 5, 4)),
    ("Conv2DTranspose", {"filters": 4, "kernel_size": 3, "dilation_rate": 2, "padding": "same"},
     (2, 5, 6, 3)),
    ("Conv3DTranspose", {"filters": 2, "kernel_size": 3, "strides": 2, "padding": "same"},
     (1, 3, 4, 3, 2)),
    ("Conv3DTranspose", {"filters": 2, "kernel_size": 2, "strides": (1, 2, 2)}, (1, 3, 4, 3, 2)),
]

DEPTHWISE_CASES = [
    ("DepthwiseConv1D", {"kernel_size": 3, "depth_multiplier": 2}, (2, 9, 3)),
    ("DepthwiseConv1D", {"kernel_size": 4, "strides": 2, "padding": "same",
                         "data_format": "channels_first"}, (2, 3, 9)),
    ("DepthwiseConv2D", {"kernel_size": 3, "depth_multiplier": 3, "padding": "same",
                         "strides": 2}, (2, 7, 8, 3)),
    ("DepthwiseConv2D", {"kernel_size": 2, "dilation_rate": 2, "data_format": "channels_first",
                         "activation": "tanh"}, (2, 3, 7, 8)),
    ("SeparableConv1D", {"filters": 4, "kernel_size": 3, "depth_multiplier": 2}, (2, 9, 3)),
    ("SeparableConv1D", {"filters": 4, "kernel_size": 3, "strides": 2, "padding": "same",
                         "data_format": "channels_first"}, (2, 3, 10)),
    ("SeparableConv2D", {"filters": 5, "kernel_size": 3, "padding": "same", "strides": 2,
                         "depth_multiplier": 2}, (2, 7, 8, 3)),
    ("SeparableConv2D", {"filters": 5, "kernel_size": 2, "dilation_rate": 2, "use_bias": False,
                         "data_format": "channels_first"}, (2, 3, 7, 8)),
]

ALL = CONV_CASES + TRANSPOSE_CASES + DEPTHWISE_CASES


@pytest.mark.keras_oracle
@pytest.mark.parametrize("name,kwargs,shape", ALL, ids=lambda v: str(v)[:40])
def test_oracle(keras, name, kwargs, shape):
    keras_oracle(keras, name, kwargs, shape)


@pytest.mark.parametrize("name,kwargs,shape", ALL[::3], ids=lambda v: str(v)[:40])
def test_layer(name, kwargs, shape):
    n_weights = 3 if name.startswith("Separable") else 2
    if kwargs.get("use_bias") is False:
        n_weights -= 1
    run_layer_test(getattr(layers, name), kwargs, input_shape=shape,
                   expected_num_trainable_weights=n_weights,
                   expected_num_non_trainable_weights=0)


def test_regularizers_constraints_follow_keras_layout():
    layer = layers.Conv2D(4, 3, kernel_regularizer="l2", bias_regularizer="l1",
                          kernel_constraint="unit_norm", activity_regularizer="l2")
    layer(torch.randn(2, 6, 6, 3))
    assert len(layer.losses) == 3
    # unit_norm on Keras's (kh, kw, in, out) kernel normalises over axis 0 (kh)
    projected = layer.weight.constraint(layer.weight.detach())
    k = projected.permute(2, 3, 1, 0)
    torch.testing.assert_close(k.norm(dim=0), torch.ones(3, 3, 4))
    reg = layer.weight.regularizer(layer.weight)
    torch.testing.assert_close(reg, 0.01 * layer.kernel.square().sum())


def test_state_dict_matches_torch_modules():
    x = torch.randn(2, 3, 8, 8)
    conv = layers.Conv2D(4, 3, padding="same", data_format="channels_first", groups=1)
    conv(x)
    ref = nn.Conv2d(3, 4, 3, padding=1)
    ref.load_state_dict(conv.state_dict())
    torch.testing.assert_close(ref(x), conv(x))
    convt = layers.Conv2DTranspose(4, 3, strides=2, data_format="channels_first")
    convt(x)
    ref_t = nn.ConvTranspose2d(3, 4, 3, stride=2)
    ref_t.load_state_dict(convt.state_dict())
    torch.testing.assert_close(ref_t(x), convt(x))
    dw = layers.DepthwiseConv2D(3, depth_multiplier=2, data_format="channels_first")
    dw(x)
    ref_dw = nn.Conv2d(3, 6, 3, groups=3)
    ref_dw.load_state_dict(dw.state_dict())
    torch.testing.assert_close(ref_dw(x), dw(x))


def test_channels_last_is_zero_copy():
    conv = layers.Conv2D(8, 3, padding="same")
    y = conv(torch.randn(2, 6, 6, 3))
    assert y.is_contiguous()  # the NCHW result was channels_last memory: permuting back is free


def test_kernel_property_and_initializer_fans():
    conv = layers.Conv2D(64, 3, kernel_initializer="he_normal")
    conv(torch.zeros(1, 5, 5, 32))
    assert tuple(conv.kernel.shape) == (3, 3, 32, 64)
    assert tuple(conv.weight.shape) == (64, 32, 3, 3)
    std = np.sqrt(2.0 / (9 * 32))  # fan_in = kh * kw * in, as Keras
    assert abs(conv.kernel.std().item() - std) / std < 0.1


@pytest.mark.parametrize("cls,kwargs,msg", [
    (layers.Conv2D, {"filters": 0, "kernel_size": 3}, "filters"),
    (layers.Conv2D, {"filters": 4, "kernel_size": 3, "padding": "causal"}, "padding"),
    (layers.Conv2D, {"filters": 4, "kernel_size": (3, 3, 3)}, "kernel_size"),
    (layers.Conv2D, {"filters": 5, "kernel_size": 3, "groups": 2}, "groups"),
    (layers.Conv2D, {"filters": 4, "kernel_size": 3, "strides": 2, "dilation_rate": 2},
     "dilation_rate"),
    (layers.Conv2DTranspose, {"filters": 4, "kernel_size": 3, "strides": 2,
                              "output_padding": 2}, "output_padding"),
    (layers.DepthwiseConv2D, {"kernel_size": 3, "depth_multiplier": 0}, "depth_multiplier"),
])
def test_bad_arguments(cls, kwargs, msg):
    with pytest.raises(ValueError, match=msg):
        cls(**kwargs)


def test_bad_input():
    with pytest.raises(ValueError, match="rank"):
        layers.Conv2D(4, 3)(torch.zeros(2, 5, 3))
    with pytest.raises(ValueError, match="divisible"):
        layers.Conv2D(4, 3, groups=2)(torch.zeros(2, 5, 5, 3))
    with pytest.raises(ValueError, match="negative"):
        layers.Conv2D(4, 7)(torch.zeros(2, 5, 5, 3))
