"""Permute, RepeatVector, UpSampling*, ZeroPadding*, Cropping*: shapes, configs, Keras oracle."""
import numpy as np
import pytest
import torch

from torchkeras import layers
from torchkeras.testing import run_layer_test

CF, CL = "channels_first", "channels_last"
CASES = [
    ("Permute", {"dims": (2, 1)}, (2, 3, 4), (2, 4, 3)),
    ("Permute", {"dims": (3, 1, 2)}, (2, 3, 4, 5), (2, 5, 3, 4)),
    ("RepeatVector", {"n": 3}, (2, 4), (2, 3, 4)),
    ("UpSampling1D", {"size": 3}, (2, 4, 5), (2, 12, 5)),
    ("UpSampling2D", {"size": (2, 3)}, (2, 3, 4, 2), (2, 6, 12, 2)),
    ("UpSampling2D", {"size": 2, "data_format": CF}, (2, 2, 3, 4), (2, 2, 6, 8)),
    ("UpSampling2D", {"size": (2, 3), "interpolation": "bilinear"}, (2, 3, 4, 2), (2, 6, 12, 2)),
    ("UpSampling2D", {"size": 2, "interpolation": "bilinear", "data_format": CF},
     (2, 2, 3, 4), (2, 2, 6, 8)),
    ("UpSampling2D", {"size": 2, "interpolation": "bicubic"}, (1, 4, 4, 2), (1, 8, 8, 2)),
    ("UpSampling3D", {"size": (1, 2, 3)}, (1, 2, 3, 4, 2), (1, 2, 6, 12, 2)),
    ("UpSampling3D", {"size": 2, "data_format": CF}, (1, 2, 2, 3, 2), (1, 2, 4, 6, 4)),
    ("ZeroPadding1D", {"padding": (1, 2)}, (2, 3, 4), (2, 6, 4)),
    ("ZeroPadding1D", {"padding": 2, "data_format": CF}, (2, 3, 4), (2, 3, 8)),
    ("ZeroPadding2D", {"padding": ((1, 2), (0, 3))}, (2, 3, 4, 2), (2, 6, 7, 2)),
    ("ZeroPadding2D", {"padding": (1, 2), "data_format": CF}, (2, 2, 3, 4), (2, 2, 5, 8)),
    ("ZeroPadding3D", {"padding": 1}, (1, 2, 3, 4, 2), (1, 4, 5, 6, 2)),
    ("ZeroPadding3D", {"padding": ((0, 1), (2, 0), (1, 1)), "data_format": CF},
     (1, 2, 2, 3, 4), (1, 2, 3, 5, 6)),
    ("Cropping1D", {"cropping": (1, 2)}, (2, 6, 3), (2, 3, 3)),
    ("Cropping2D", {"cropping": ((1, 0), (1, 2))}, (2, 5, 6, 2), (2, 4, 3, 2)),
    ("Cropping2D", {"cropping": 1, "data_format": CF}, (2, 2, 5, 6), (2, 2, 3, 4)),
    ("Cropping3D", {"cropping": 1}, (1, 4, 5, 6, 2), (1, 2, 3, 4, 2)),
    ("Cropping3D", {"cropping": ((0, 1), (1, 1), (2, 0)), "data_format": CF},
     (1, 2, 4, 5, 6), (1, 2, 3, 3, 4)),
]
IDS = ["%s-%d" % (c[0], i) for i, c in enumerate(CASES)]


@pytest.mark.parametrize("name,kwargs,in_shape,out_shape", CASES, ids=IDS)
def test_layer_test(name, kwargs, in_shape, out_shape):
    layer = run_layer_test(getattr(layers, name), kwargs, input_shape=in_shape,
                           expected_output_shape=out_shape, expected_num_trainable_weights=0)
    sym = (None,) + tuple(in_shape[1:])
    assert layer.compute_output_shape(sym) == (None,) + tuple(out_shape[1:])


@pytest.mark.keras_oracle
@pytest.mark.parametrize("name,kwargs,in_shape,out_shape", CASES, ids=IDS)
def test_matches_keras(keras, name, kwargs, in_shape, out_shape):
    x = np.random.default_rng(0).normal(size=in_shape).astype("float32")
    k = getattr(keras.layers, name)(**kwargs)
    ours = getattr(layers, name)(**kwargs)
    np.testing.assert_allclose(ours(torch.as_tensor(x)).numpy(), np.asarray(k(x).cpu()),
                               rtol=1e-5, atol=1e-5)
    assert {a: b for a, b in ours.get_config().items() if a != "name"} == \
        {a: b for a, b in k.get_config().items() if a != "name"}
    sym = (None,) + tuple(in_shape[1:])
    assert tuple(ours.compute_output_shape(sym)) == tuple(k.compute_output_shape(sym))


def test_unknown_dims_stay_unknown():
    assert layers.UpSampling2D().compute_output_shape((None, None, 4, 3)) == (None, None, 8, 3)
    assert layers.ZeroPadding2D().compute_output_shape((None, None, 4, 3)) == (None, None, 6, 3)
    assert layers.Cropping1D().compute_output_shape((None, None, 3)) == (None, None, 3)


@pytest.mark.parametrize("make", [
    lambda: layers.Permute((1, 3)),
    lambda: layers.RepeatVector(0),
    lambda: layers.UpSampling1D(0),
    lambda: layers.UpSampling2D(interpolation="lanczos9"),
    lambda: layers.UpSampling2D(size=(2, 0)),
    lambda: layers.ZeroPadding2D(((1, 2, 3), (0, 0))),
    lambda: layers.ZeroPadding3D((1, 1)),
    lambda: layers.Cropping2D(-1),
    lambda: layers.Cropping1D((1, -1)),
])
def test_argument_validation(make):
    with pytest.raises((ValueError, TypeError)):
        make()


def test_input_rank_and_crop_size_errors():
    with pytest.raises(ValueError, match="rank"):
        layers.UpSampling2D()(torch.zeros(2, 3, 4))
    with pytest.raises(ValueError, match="smaller"):
        layers.Cropping2D(2)(torch.zeros(1, 4, 6, 1))
    with pytest.raises(ValueError, match="rank"):
        layers.RepeatVector(2)(torch.zeros(2, 3, 4))


def test_channels_last_bilinear_keeps_layout():
    x = torch.randn(2, 4, 5, 3)
    y = layers.UpSampling2D(2, interpolation="bilinear")(x)
    ref = torch.nn.functional.interpolate(x.permute(0, 3, 1, 2).contiguous(), scale_factor=2,
                                          mode="bilinear", align_corners=False)
    torch.testing.assert_close(y, ref.permute(0, 2, 3, 1))
