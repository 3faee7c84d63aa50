"""Resizing and CenterCrop against Keras 3 (torch backend).

Both use ``F.interpolate`` with half-pixel centres as Keras's torch backend does, so the
outputs agree to float rounding. (Keras's TensorFlow backend uses Keys' cubic a=-0.5 where
torch uses a=-0.75 for ``"bicubic"``; those outputs differ by a few percent near edges.)
"""
import numpy as np
import pytest
import torch
import torch.nn.functional as F

from torchkeras import layers
from torchkeras.testing import run_layer_test

CF = "channels_first"


def _np(t):
    return t.detach().cpu().numpy() if isinstance(t, torch.Tensor) else np.asarray(t)


def _cfg(layer):
    return {k: v for k, v in layer.get_config().items() if k != "name"}


@pytest.mark.parametrize("kwargs,shape,out", [
    ({"height": 4, "width": 6}, (2, 8, 8, 3), (2, 4, 6, 3)),
    ({"height": 5, "width": 3, "interpolation": "nearest", "data_format": CF}, (2, 3, 8, 8),
     (2, 3, 5, 3)),
    ({"height": 6, "width": 6, "interpolation": "bicubic", "crop_to_aspect_ratio": True},
     (1, 9, 5, 2), (1, 6, 6, 2)),
])
def test_resizing_layer_test(kwargs, shape, out):
    run_layer_test(layers.Resizing, kwargs, input_shape=shape, expected_output_shape=out,
                   expected_num_trainable_weights=0, expected_num_non_trainable_weights=0)


RESIZE_CASES = [
    # (kwargs, input shape)
    ({"height": 5, "width": 7}, (2, 9, 11, 3)),
    ({"height": 13, "width": 6}, (2, 9, 11, 3)),
    ({"height": 5, "width": 7, "interpolation": "nearest"}, (2, 9, 11, 3)),
    ({"height": 18, "width": 22, "interpolation": "nearest"}, (2, 9, 11, 3)),
    ({"height": 5, "width": 7, "interpolation": "bicubic"}, (2, 9, 11, 3)),
    ({"height": 14, "width": 15, "interpolation": "bicubic", "data_format": CF}, (2, 3, 9, 11)),
    ({"height": 4, "width": 5, "antialias": True}, (2, 12, 13, 3)),
    ({"height": 4, "width": 5, "interpolation": "bicubic", "antialias": True}, (1, 12, 13, 2)),
    ({"height": 6, "width": 6, "crop_to_aspect_ratio": True}, (2, 9, 13, 3)),
    ({"height": 6, "width": 4, "crop_to_aspect_ratio": True, "data_format": CF}, (2, 3, 9, 13)),
    ({"height": 6, "width": 6, "pad_to_aspect_ratio": True, "fill_value": 2.0}, (2, 8, 13, 3)),
    ({"height": 6, "width": 9, "pad_to_aspect_ratio": True, "interpolation": "nearest",
      "data_format": CF}, (2, 3, 8, 5)),
    ({"height": 5, "width": 7}, (9, 11, 3)),                        # unbatched
]


@pytest.mark.keras_oracle
@pytest.mark.parametrize("kwargs,shape", RESIZE_CASES)
def test_resizing_matches_keras(keras, kwargs, shape):
    x = np.random.default_rng(0).uniform(0, 255, size=shape).astype("float32")
    k = keras.layers.Resizing(**kwargs)
    ours = layers.Resizing(**kwargs)
    assert _cfg(ours) == _cfg(k)
    expected = _np(k(x))
    got = ours(torch.as_tensor(x))
    assert tuple(got.shape) == expected.shape == ours.compute_output_shape(shape)
    np.testing.assert_allclose(_np(got), expected, rtol=1e-4, atol=1e-3)
    xi = x.astype("uint8")
    got_i = ours(torch.as_tensor(xi))
    assert got_i.dtype == torch.uint8
    diff = np.abs(_np(got_i).astype(int) - _np(k(xi)).astype(int))
    assert diff.max() <= 1   # rounding of values that land on .5 may differ


def test_resizing_area_is_average_pooling_for_integer_factors():
    x = torch.rand(2, 8, 12, 3)
    out = layers.Resizing(4, 3, interpolation="area")(x)
    ref = F.avg_pool2d(x.permute(0, 3, 1, 2), (2, 4)).permute(0, 2, 3, 1)
    torch.testing.assert_close(out, ref)


def test_resizing_validation():
    with pytest.raises(ValueError, match="Lanczos"):
        layers.Resizing(4, 4, interpolation="lanczos3")
    with pytest.raises(ValueError, match="interpolation"):
        layers.Resizing(4, 4, interpolation="cubic")
    with pytest.raises(ValueError, match="only one of"):
        layers.Resizing(4, 4, crop_to_aspect_ratio=True, pad_to_aspect_ratio=True)
    with pytest.raises(ValueError, match="fill_mode"):
        layers.Resizing(4, 4, fill_mode="reflect")
    with pytest.raises(ValueError, match="positive integer"):
        layers.Resizing(0, 4)
    with pytest.raises(ValueError, match="rank 3"):
        layers.Resizing(4, 4)(torch.ones(2, 3))


@pytest.mark.parametrize("kwargs,shape,out", [
    ({"height": 4, "width": 6}, (2, 8, 8, 3), (2, 4, 6, 3)),
    ({"height": 5, "width": 3, "data_format": CF}, (2, 3, 8, 8), (2, 3, 5, 3)),
    ({"height": 10, "width": 6}, (2, 8, 8, 3), (2, 10, 6, 3)),
])
def test_center_crop_layer_test(kwargs, shape, out):
    run_layer_test(layers.CenterCrop, kwargs, input_shape=shape, expected_output_shape=out,
                   expected_num_trainable_weights=0, expected_num_non_trainable_weights=0)


@pytest.mark.keras_oracle
@pytest.mark.parametrize("kwargs,shape", [
    ({"height": 4, "width": 5}, (2, 9, 10, 3)),
    ({"height": 4, "width": 5, "data_format": CF}, (2, 3, 9, 10)),
    ({"height": 12, "width": 5}, (2, 9, 10, 3)),           # taller than input: smart resize
    ({"height": 12, "width": 14, "data_format": CF}, (2, 3, 9, 10)),
    ({"height": 3, "width": 3}, (7, 8, 2)),                # unbatched
    ({"height": 3, "width": 3, "data_format": CF}, (2, 7, 8)),
])
def test_center_crop_matches_keras(keras, kwargs, shape):
    x = np.random.default_rng(0).uniform(0, 255, size=shape).astype("float32")
    k = keras.layers.CenterCrop(**kwargs)
    ours = layers.CenterCrop(**kwargs)
    assert _cfg(ours) == _cfg(k)
    for inp in (x, x.astype("uint8")):
        got = ours(torch.as_tensor(inp))
        assert got.dtype == torch.float32
        np.testing.assert_allclose(_np(got), _np(k(inp)), rtol=1e-4, atol=1e-3)
