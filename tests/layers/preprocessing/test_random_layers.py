"""Random image layers: layer tests, structural/statistical checks and Keras oracles.

Random draws cannot match Keras's, so the oracles pin the draws with degenerate ranges
(``factor=(a, a)`` always draws ``a``) and compare whole training-mode outputs.
"""
import math

import numpy as np
import pytest
import torch

from torchkeras import layers
from torchkeras.layers.preprocessing.affine import affine_transform, pixel_matrix_to_theta
from torchkeras.testing import run_layer_test

CF = "channels_first"
FILL_MODES = ["reflect", "wrap", "constant", "nearest"]


def _np(t):
    return t.detach().cpu().numpy() if isinstance(t, torch.Tensor) else np.asarray(t)


def _cfg(layer):
    return {k: v for k, v in layer.get_config().items() if k != "name"}


CASES = [
    ("RandomFlip", {"mode": "horizontal"}, (2, 6, 5, 3), (2, 6, 5, 3)),
    ("RandomFlip", {"seed": 1, "data_format": CF}, (2, 3, 6, 5), (2, 3, 6, 5)),
    ("RandomTranslation", {"height_factor": 0.2, "width_factor": (-0.1, 0.3)}, (2, 6, 5, 3),
     (2, 6, 5, 3)),
    ("RandomTranslation", {"height_factor": 0.2, "width_factor": 0.2, "fill_mode": "constant",
                           "data_format": CF, "seed": 3}, (2, 3, 6, 5), (2, 3, 6, 5)),
    ("RandomRotation", {"factor": 0.2, "fill_mode": "wrap"}, (2, 6, 5, 3), (2, 6, 5, 3)),
    ("RandomRotation", {"factor": (-0.1, 0.3), "interpolation": "nearest", "data_format": CF},
     (2, 3, 6, 5), (2, 3, 6, 5)),
    ("RandomZoom", {"height_factor": 0.2}, (2, 6, 5, 3), (2, 6, 5, 3)),
    ("RandomZoom", {"height_factor": (-0.3, 0.2), "width_factor": 0.1, "fill_mode": "nearest",
                    "data_format": CF}, (2, 3, 6, 5), (2, 3, 6, 5)),
    ("RandomCrop", {"height": 4, "width": 3, "seed": 2}, (2, 6, 5, 3), (2, 4, 3, 3)),
    ("RandomCrop", {"height": 4, "width": 3, "data_format": CF}, (2, 3, 6, 5), (2, 3, 4, 3)),
    ("RandomContrast", {"factor": 0.3}, (2, 6, 5, 3), (2, 6, 5, 3)),
    ("RandomBrightness", {"factor": (-0.2, 0.4), "value_range": (0, 1)}, (2, 6, 5, 3),
     (2, 6, 5, 3)),
]
IDS = ["%s-%d" % (c[0], i) for i, c in enumerate(CASES)]


@pytest.mark.parametrize("name,kwargs,shape,out", CASES, ids=IDS)
def test_layer_test(name, kwargs, shape, out):
    run_layer_test(getattr(layers, name), kwargs, input_shape=shape, expected_output_shape=out,
                   expected_num_trainable_weights=0, expected_num_non_trainable_weights=0)


@pytest.mark.keras_oracle
@pytest.mark.parametrize("name,kwargs,shape,out", CASES, ids=IDS)
def test_config_matches_keras(keras, name, kwargs, shape, out):
    ours, k = getattr(layers, name)(**kwargs), getattr(keras.layers, name)(**kwargs)
    oc, kc = _cfg(ours), _cfg(k)
    if name == "RandomCrop" and "seed" not in kwargs:
        assert isinstance(oc.pop("seed"), int) and isinstance(kc.pop("seed"), int)
    assert oc == kc


@pytest.mark.parametrize("name,kwargs,shape,out", CASES, ids=IDS)
def test_identity_at_inference_random_when_called_directly(name, kwargs, shape, out):
    layer = getattr(layers, name)(**kwargs)
    x = torch.rand(*shape)
    assert layer(x, training=False) is x
    # As in Keras, a direct call (no `training`) augments.
    assert layer(torch.rand(16, *shape[1:])).shape == (16,) + out[1:]
    assert layer(x[0], training=True).shape == out[1:]          # a single 3D image


def test_inference_identity_inside_models():
    from torchkeras import Sequential
    model = Sequential([layers.Input((8, 8, 3)), layers.RandomFlip(),
                        layers.RandomTranslation(0.2, 0.2), layers.RandomRotation(0.1),
                        layers.RandomZoom(0.2), layers.RandomContrast(0.2)])
    x = torch.rand(4, 8, 8, 3) * 255
    assert torch.equal(model(x, training=False), x)
    np.testing.assert_array_equal(model.predict(x.numpy(), verbose=0), x.numpy())
    assert not torch.equal(model(x, training=True), x)


# ---------------------------------------------------------------- flips
@pytest.mark.parametrize("mode,data_format", [("horizontal", None), ("vertical", CF),
                                              ("horizontal_and_vertical", None)])
def test_flip_is_exact_flip_or_identity_per_image(mode, data_format):
    layer = layers.RandomFlip(mode, data_format=data_format)
    x = torch.rand(64, 3, 5, 6) if data_format == CF else torch.rand(64, 5, 6, 3)
    h, w = (2, 3) if data_format == CF else (1, 2)
    dims = {"horizontal": (w,), "vertical": (h,), "horizontal_and_vertical": (h, w)}[mode]
    y = layer(x, training=True)
    same = (y == x).flatten(1).all(1)
    flipped = (y == x.flip(tuple(d for d in dims))).flatten(1).all(1)
    assert bool((same | flipped).all())
    assert 10 < int(flipped.sum()) < 54 and 10 < int(same.sum()) < 54


# ---------------------------------------------------------------- affine sampler
@pytest.mark.keras_oracle
@pytest.mark.parametrize("fill_mode", FILL_MODES)
@pytest.mark.parametrize("interpolation", ["bilinear", "nearest"])
def test_affine_sampler_matches_keras_affine_transform(keras, fill_mode, interpolation):
    rng = np.random.default_rng(0)
    b, h, w = 3, 7, 9
    x = rng.normal(size=(b, h, w, 2)).astype("float32")
    mats = []
    for _ in range(b):
        ang, s = rng.uniform(-1, 1), rng.uniform(0.6, 1.5)
        tx, ty = rng.uniform(-6, 6, 2)
        c, si = math.cos(ang), math.sin(ang)
        mats.append([s * c, -s * si, tx, s * si, s * c, ty, 0, 0])
    m = np.array(mats, "float32")
    expected = _np(keras.ops.image.affine_transform(x, m.copy(), interpolation=interpolation,
                                                    fill_mode=fill_mode, fill_value=0.5))
    theta = pixel_matrix_to_theta(torch.as_tensor(m), h, w)
    got = affine_transform(torch.as_tensor(x).permute(0, 3, 1, 2), theta, interpolation,
                           fill_mode, 0.5).permute(0, 2, 3, 1)
    np.testing.assert_allclose(_np(got), expected, atol=1e-4)


@pytest.mark.parametrize("fill_mode", FILL_MODES)
def test_affine_identity_theta_is_identity(fill_mode):
    x = torch.rand(2, 3, 5, 7)
    theta = torch.eye(2, 3).repeat(2, 1, 1)
    for interp in ("bilinear", "nearest"):
        torch.testing.assert_close(affine_transform(x, theta, interp, fill_mode), x)


# ---------------------------------------------------------------- pinned-draw oracles
ORACLE = [
    ("RandomTranslation", {"height_factor": (0.25, 0.25), "width_factor": (-0.17, -0.17)}),
    ("RandomRotation", {"factor": (0.1, 0.1)}),   # 36 degrees: no nearest ties
    ("RandomRotation", {"factor": (-0.25, -0.25)}),
    ("RandomZoom", {"height_factor": (0.5, 0.5), "width_factor": (-0.3, -0.3)}),
    ("RandomZoom", {"height_factor": (-0.4, -0.4)}),
]


@pytest.mark.keras_oracle
@pytest.mark.parametrize("name,kwargs", ORACLE)
@pytest.mark.parametrize("fill_mode", FILL_MODES)
@pytest.mark.parametrize("interpolation", ["bilinear", "nearest"])
def test_geometric_layers_match_keras_with_pinned_draws(keras, name, kwargs, fill_mode,
                                                         interpolation):
    x = np.random.default_rng(0).uniform(0, 1, size=(2, 8, 10, 3)).astype("float32")
    kwargs = dict(kwargs, fill_mode=fill_mode, interpolation=interpolation, fill_value=0.25)
    for data_format, inp in (("channels_last", x), (CF, x.transpose(0, 3, 1, 2).copy())):
        kw = dict(kwargs, data_format=data_format)
        expected = _np(getattr(keras.layers, name)(**kw)(inp, training=True))
        got = getattr(layers, name)(**kw)(torch.as_tensor(inp), training=True)
        np.testing.assert_allclose(_np(got), expected, atol=1e-4)


@pytest.mark.keras_oracle
def test_brightness_and_contrast_match_keras_with_pinned_draws(keras):
    x = np.random.default_rng(0).uniform(0, 255, size=(2, 5, 6, 3)).astype("float32")
    for name, kwargs in [("RandomBrightness", {"factor": (0.1, 0.1)}),
                         ("RandomBrightness", {"factor": (-0.3, -0.3), "value_range": (0, 200)}),
                         ("RandomContrast", {"factor": 0.0, "value_range": (10, 200)})]:
        expected = _np(getattr(keras.layers, name)(**kwargs)(x, training=True))
        got = getattr(layers, name)(**kwargs)(torch.as_tensor(x), training=True)
        np.testing.assert_allclose(_np(got), expected, rtol=1e-5, atol=1e-4)


# ---------------------------------------------------------------- structural checks
@pytest.mark.parametrize("interpolation", ["bilinear", "nearest"])
@pytest.mark.parametrize("data_format", [None, CF])
def test_integer_translation_with_constant_fill_is_a_shift(interpolation, data_format):
    x = torch.rand(3, 8, 10, 2) + 1
    layer = layers.RandomTranslation((0.25, 0.25), (-0.3, -0.3), fill_mode="constant",
                                     fill_value=-1.0, interpolation=interpolation,
                                     data_format=data_format)
    inp = x if data_format is None else x.permute(0, 3, 1, 2)
    y = layer(inp, training=True)
    y = y if data_format is None else y.permute(0, 2, 3, 1)
    expected = torch.full_like(x, -1.0)
    expected[:, 2:, :7] = x[:, :6, 3:]          # down by 2 rows, left by 3 columns
    torch.testing.assert_close(y, expected, atol=1e-5, rtol=0)


def test_rotation_by_half_and_quarter_turns():
    x = torch.rand(2, 6, 9, 3)
    half = layers.RandomRotation((0.5, 0.5), fill_mode="constant")(x, training=True)
    torch.testing.assert_close(half, x.flip((1, 2)), atol=1e-5, rtol=0)
    sq = torch.rand(2, 7, 7, 3)
    quarter = layers.RandomRotation((0.25, 0.25), fill_mode="constant")(sq, training=True)
    torch.testing.assert_close(quarter, torch.rot90(sq, 1, dims=(1, 2)), atol=1e-5, rtol=0)


def test_zero_factors_are_identity():
    x = torch.rand(4, 6, 5, 3)
    for layer in (layers.RandomZoom(0.0), layers.RandomZoom(0.0, 0.0),
                  layers.RandomTranslation(0.0, 0.0), layers.RandomRotation(0.0)):
        assert torch.equal(layer(x, training=True), x)


def test_translation_draws_differ_per_image_and_stay_in_range():
    x = torch.zeros(64, 9, 9, 1)
    x[:, 4, 4] = 1.0
    layer = layers.RandomTranslation((-0.25, 0.25), (-0.25, 0.25), fill_mode="constant",
                                     interpolation="nearest")
    y = layer(x, training=True)
    peak = y.flatten(1).argmax(1)
    rows, cols = peak // 9, peak % 9
    assert rows.min() >= 2 and rows.max() <= 6 and cols.min() >= 2 and cols.max() <= 6
    assert len(set(zip(rows.tolist(), cols.tolist()))) > 10


@pytest.mark.parametrize("data_format", [None, CF])
def test_random_crop_windows_are_per_image(data_format):
    b, h, w = 32, 9, 11
    # pixel value encodes its own (row, col), so each crop reveals its offset
    grid = (torch.arange(h)[:, None] * 100 + torch.arange(w)[None, :]).float()
    x = grid[None, :, :, None].expand(b, h, w, 2).clone()
    inp = x if data_format is None else x.permute(0, 3, 1, 2)
    y = layers.RandomCrop(5, 6, data_format=data_format)(inp, training=True)
    y = y if data_format is None else y.permute(0, 2, 3, 1)
    assert y.shape == (b, 5, 6, 2)
    top, left = (y[:, 0, 0, 0] // 100).long(), (y[:, 0, 0, 0] % 100).long()
    for i in range(b):
        assert torch.equal(y[i], x[i, top[i]:top[i] + 5, left[i]:left[i] + 6])
    assert top.max() <= h - 5 and left.max() <= w - 6
    assert len(set(zip(top.tolist(), left.tolist()))) > 5


@pytest.mark.keras_oracle
def test_random_crop_small_input_and_inference_match_keras(keras):
    x = np.random.default_rng(0).uniform(0, 1, size=(2, 5, 9, 3)).astype("float32")
    for size in [(6, 6), (5, 4), (4, 9)]:
        k, ours = keras.layers.RandomCrop(*size), layers.RandomCrop(*size)
        np.testing.assert_allclose(_np(ours(torch.as_tensor(x), training=True)),
                                   _np(k(x, training=True)), atol=1e-5)
        np.testing.assert_array_equal(_np(ours(torch.as_tensor(x), training=False)),
                                      _np(k(x, training=False)))


def test_contrast_factor_per_image_in_range():
    x = torch.rand(64, 6, 5, 3) * 0.5 + 0.25
    y = layers.RandomContrast((0.2, 0.4), value_range=(0, 1))(x, training=True)
    mean = x.mean((1, 2), keepdim=True)
    c = ((y - mean) / (x - mean)).flatten(1)
    torch.testing.assert_close(c.min(1).values, c.max(1).values, atol=1e-3, rtol=0)
    assert c.min() >= 0.8 - 1e-4 and c.max() <= 1.4 + 1e-4
    assert c.max(1).values.std() > 0.05
    clipped = layers.RandomContrast(1.0, value_range=(0, 1))(torch.rand(64, 6, 5, 3) * 3,
                                                           training=True)
    assert clipped.min() >= 0 and clipped.max() <= 1


def test_brightness_delta_per_image():
    x = torch.full((64, 4, 4, 3), 100.0)
    y = layers.RandomBrightness(0.2)(x, training=True)
    delta = (y - x).flatten(1)
    assert torch.equal(delta.min(1).values, delta.max(1).values)
    assert delta.min() >= -51 - 1e-3 and delta.max() <= 51 + 1e-3 and delta[:, 0].std() > 10


# ---------------------------------------------------------------- seeds, devices, dtypes
@pytest.mark.parametrize("name,kwargs,shape,out", CASES, ids=IDS)
def test_seed_reproducible_and_streams_advance(name, kwargs, shape, out):
    kwargs = dict(kwargs, seed=7)
    x = torch.rand(8, *shape[1:]) * 0.8 + 0.1
    a, b = getattr(layers, name)(**kwargs), getattr(layers, name)(**kwargs)
    first = a(x, training=True)
    assert torch.equal(first, b(x, training=True))
    assert not torch.equal(first, a(x, training=True))


def test_global_seed_governs_unseeded_layers():
    x = torch.rand(8, 6, 6, 3)
    layer = layers.RandomRotation(0.3)
    torch.manual_seed(3)
    a = layer(x, training=True)
    torch.manual_seed(3)
    assert torch.equal(a, layer(x, training=True))


def test_integer_images_come_out_in_compute_dtype():
    x = torch.randint(0, 256, (2, 6, 6, 3), dtype=torch.uint8)
    for layer in (layers.RandomFlip(), layers.RandomTranslation(0.1, 0.1),
                  layers.RandomRotation(0.1), layers.RandomZoom(0.1), layers.RandomCrop(4, 4),
                  layers.RandomContrast(0.1), layers.RandomBrightness(0.1),
                  layers.CenterCrop(4, 4), layers.Rescaling(1 / 255.0)):
        assert layer(x, training=True).dtype == torch.float32


def test_no_host_reads_on_meta_device():
    # Meta tensors have no data: any .item()/numpy()/host round trip would fail here.
    x = torch.empty(4, 16, 16, 3, device="meta")
    for layer in (layers.RandomFlip(), layers.RandomFlip(seed=1),
                  layers.RandomTranslation(0.1, 0.2, fill_mode="wrap"),
                  layers.RandomTranslation(0.1, 0.2, fill_mode="constant", fill_value=1.0),
                  layers.RandomRotation(0.2), layers.RandomZoom(0.2, 0.1),
                  layers.RandomCrop(8, 8), layers.RandomContrast(0.3),
                  layers.RandomBrightness(0.2), layers.Resizing(7, 9), layers.CenterCrop(5, 5),
                  layers.Rescaling([1.0, 2.0, 3.0])):
        y = layer(x, training=True)
        assert y.device.type == "meta"


def test_cuda_outputs_stay_on_device():
    if not torch.cuda.is_available():
        pytest.skip("no CUDA")
    x = torch.rand(8, 16, 16, 3, device="cuda")
    for layer in (layers.RandomFlip(seed=1), layers.RandomTranslation(0.1, 0.1, seed=1),
                  layers.RandomRotation(0.1), layers.RandomZoom(0.1), layers.RandomCrop(8, 8),
                  layers.RandomContrast(0.2), layers.RandomBrightness(0.2)):
        y = layer(x, training=True)
        assert y.device == x.device and y.dtype == x.dtype


@pytest.mark.parametrize("make", [
    lambda: layers.RandomFlip("diagonal"),
    lambda: layers.RandomTranslation(1.5, 0.1),
    lambda: layers.RandomTranslation(0.1, (0.1, 0.2, 0.3)),
    lambda: layers.RandomRotation(2.0),
    lambda: layers.RandomZoom(-1.0),
    lambda: layers.RandomContrast(1.5),
    lambda: layers.RandomContrast(0.1, value_range=5),
    lambda: layers.RandomBrightness(0.1, value_range=(1, 2, 3)),
    lambda: layers.RandomCrop(0, 3),
    lambda: layers.RandomFlip(seed="x"),
])
def test_validation(make):
    with pytest.raises(ValueError):
        make()


@pytest.mark.parametrize("make", [lambda: layers.RandomTranslation(0.1, 0.1, fill_mode="edge"),
                                  lambda: layers.RandomRotation(0.1, interpolation="bicubic"),
                                  lambda: layers.RandomZoom(0.1, fill_mode="mirror")])
def test_unsupported_modes_raise_like_keras(make):
    with pytest.raises(NotImplementedError):
        make()
