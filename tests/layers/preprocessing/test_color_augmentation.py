"""Colour augmentation layers: layer tests, Keras oracles (pinned draws exactly, random
draws by set membership or distribution), inference behaviour, seeding and bad input."""
import numpy as np
import pytest
import torch

from torchkeras import layers
from torchkeras.ops import convert_to_numpy as _np
from torchkeras.testing import run_layer_test

CF = "channels_first"
CLAHE = "ContrastLimitedAdaptiveHistogramEqualization"


def _cf(x):
    return np.ascontiguousarray(x.transpose(0, 3, 1, 2))


CASES = [
    ("RandomGrayscale", {}),
    ("RandomGrayscale", {"factor": 1.0, "data_format": CF}),
    ("RandomInvert", {"value_range": (0, 1), "seed": 3}),
    ("Solarization", {"addition_factor": 0.2, "threshold_factor": (0.1, 0.5)}),
    ("RandomPosterization", {"factor": 4}),
    ("AutoContrast", {"value_range": (0, 1)}),
    ("Equalization", {"bins": 64, "data_format": CF}),
    ("RandomColorDegeneration", {"factor": 0.5, "seed": 1}),
    ("RandomSharpness", {"factor": (0.2, 0.9), "data_format": CF}),
    ("RandomSaturation", {"factor": 0.5, "value_range": (0, 1)}),
    ("RandomHue", {"factor": 0.5}),
    ("RandomColorJitter", {"brightness_factor": 0.2, "contrast_factor": 0.3,
                           "saturation_factor": (0.4, 0.6), "hue_factor": 0.2, "seed": 2}),
    ("RandomGaussianBlur", {"kernel_size": 5, "sigma": (0.2, 0.9)}),
    ("RandomShear", {"x_factor": 0.2, "y_factor": (0.1, 0.3), "fill_mode": "constant"}),
    (CLAHE, {"tile_grid_size": (2, 2), "clip_limit": 2.0}),
]
IDS = ["%s-%d" % (c[0], i) for i, c in enumerate(CASES)]
ALWAYS_ON = ("AutoContrast", CLAHE)      # deterministic: applied at inference too
UNSEEDED = ALWAYS_ON + ("Equalization",)


def _shape(kwargs):
    return (2, 3, 8, 9) if kwargs.get("data_format") == CF else (2, 8, 9, 3)


@pytest.mark.parametrize("name,kwargs", CASES, ids=IDS)
def test_layer_test(name, kwargs):
    shape = _shape(kwargs)
    run_layer_test(getattr(layers, name), kwargs, input_shape=shape, expected_output_shape=shape,
                   expected_num_trainable_weights=0, expected_num_non_trainable_weights=0)


@pytest.mark.keras_oracle
@pytest.mark.parametrize("name,kwargs", CASES, ids=IDS)
def test_config_matches_keras(check_config_matches_keras, name, kwargs):
    check_config_matches_keras(name, kwargs)


@pytest.mark.parametrize("name,kwargs", CASES, ids=IDS)
def test_inference_and_single_images(name, kwargs):
    layer = getattr(layers, name)(**kwargs)
    shape = _shape(kwargs)
    x = torch.rand(*shape) * (1 if kwargs.get("value_range") == (0, 1) else 255)
    y = layer(x, training=False)
    if name in ALWAYS_ON:
        assert not torch.equal(y, x)
        torch.testing.assert_close(layer(x, training=True), y)
    else:
        assert torch.equal(y, x)
    assert layer(x[0], training=True).shape == shape[1:]      # a single 3D image


@pytest.mark.parametrize("name,kwargs", CASES, ids=IDS)
def test_seeded_layers_repeat_their_draws(name, kwargs):
    x = torch.rand(*_shape(kwargs)) * 255
    kwargs = dict(kwargs, seed=7) if name not in UNSEEDED else kwargs
    a, b = getattr(layers, name)(**kwargs), getattr(layers, name)(**kwargs)
    torch.testing.assert_close(a(x, training=True), b(x, training=True), atol=0, rtol=0)


# ---------------------------------------------------------------- exact oracles
_RNG = np.random.default_rng(0)
X255 = _RNG.uniform(0, 255, size=(3, 13, 17, 3)).astype("float32")
X01 = X255 / 255.0
XINT = np.round(X255)
XBIG = np.round(_RNG.uniform(0, 255, size=(2, 16, 16, 3))).astype("float32")

EXACT = [
    ("RandomGrayscale", {"factor": 1.0}, X255),
    ("RandomInvert", {"factor": (1.0, 1.0)}, X255),
    ("RandomInvert", {"factor": (1.0, 1.0), "value_range": (0, 1)}, X01),
    ("Solarization", {}, X255),
    ("Solarization", {"value_range": (0, 1)}, X01),
    ("RandomPosterization", {"factor": (3, 3)}, X255),
    ("RandomPosterization", {"factor": (5, 5), "value_range": (0, 1)}, X01),
    ("AutoContrast", {}, X255 * 0.5 + 20),
    ("AutoContrast", {"value_range": (0, 1)}, X01 * 0.3 + 0.1),
    ("Equalization", {}, XINT * 0.5),
    ("Equalization", {"value_range": (0, 1)}, X01),
    ("Equalization", {"bins": 64}, X255),
    ("RandomColorDegeneration", {"factor": (0.5, 0.5)}, X255),
    ("RandomColorDegeneration", {"factor": (-0.7, -0.7)}, X255),
    ("RandomSharpness", {"factor": (0.8, 0.8)}, X255),
    ("RandomSharpness", {"factor": (0.2, 0.2), "value_range": (0, 1)}, X01),
    ("RandomSaturation", {"factor": (0.5, 0.5)}, X255),
    ("RandomSaturation", {"factor": (0.8, 0.8), "value_range": (0, 1)}, X01),
    ("RandomSaturation", {"factor": (0.2, 0.2)}, X01),
    ("RandomHue", {"factor": (0.0, 0.0)}, X255),
    ("RandomGaussianBlur", {"factor": (1.0, 1.0), "sigma": (0.7, 0.7)}, X255),
    ("RandomGaussianBlur", {"factor": (1.0, 1.0), "sigma": (0.4, 0.4), "kernel_size": 5,
                            "value_range": (0, 1)}, X01),
    # CLAHE on whole tiles with a whole-number clip count (see test_clahe_* below).
    (CLAHE, {"tile_grid_size": (2, 2)}, XBIG),
    (CLAHE, {"tile_grid_size": (2, 2), "clip_limit": 8.0, "value_range": (0, 1)},
     np.ascontiguousarray(X01[:, :8, :16])),
    (CLAHE, {"tile_grid_size": (3, 4), "clip_limit": 0},
     np.ascontiguousarray(XBIG[:, :12])),
]


@pytest.mark.keras_oracle
@pytest.mark.parametrize("name,kwargs,x", EXACT, ids=["%s-%d" % (c[0], i)
                                                       for i, c in enumerate(EXACT)])
@pytest.mark.parametrize("data_format", ["channels_last", CF])
def test_pinned_configurations_match_keras(keras, name, kwargs, x, data_format):
    if name == "AutoContrast" and data_format == CF:
        pytest.skip("Keras reduces AutoContrast over axes (1, 2) whatever the data format")
    data = x if data_format == "channels_last" else _cf(x)
    expected = _np(getattr(keras.layers, name)(**kwargs, data_format=data_format)(
        data, training=True))
    got = getattr(layers, name)(**kwargs, data_format=data_format)(torch.as_tensor(data),
                                                                   training=True)
    np.testing.assert_allclose(_np(got), expected, rtol=0, atol=1e-4)


@pytest.mark.keras_oracle
def test_clahe_pads_symmetrically_and_keeps_integer_dtype(keras):
    # Keras's torch backend pads with "replicate" and floors the clip count; its other
    # backends (and this layer) pad symmetrically: compare on an explicitly padded image.
    x = XINT[:, :13, :15]                                   # 4x4 tiles of 4x4 pixels
    padded = np.pad(x, [(0, 0), (0, 3), (0, 1), (0, 0)], mode="symmetric")
    expected = _np(keras.layers.ContrastLimitedAdaptiveHistogramEqualization(
        tile_grid_size=(4, 4), clip_limit=0)(padded))[:, :13, :15]
    layer = layers.ContrastLimitedAdaptiveHistogramEqualization(tile_grid_size=(4, 4),
                                                                clip_limit=0)
    np.testing.assert_allclose(_np(layer(torch.as_tensor(x))), expected, atol=1e-4)
    as_int = layer(torch.as_tensor(x).to(torch.uint8))
    assert as_int.dtype == torch.uint8


# ---------------------------------------------------------------- random draws vs Keras
def _repeat(x, n=48):
    return np.repeat(x[:1], n, axis=0)


def _variants(out) -> np.ndarray:
    """The distinct images of a batch (equal within 1e-2), flattened."""
    flat = _np(out).reshape(len(out), -1)
    kept = []
    for img in flat:
        if not any(np.abs(img - k).max() < 1e-2 for k in kept):
            kept.append(img)
    return np.stack(kept)


def _same_sets(a: np.ndarray, b: np.ndarray) -> bool:
    d = np.abs(a[:, None] - b[None]).max(-1)
    return len(a) == len(b) and bool((d.min(1) < 1e-2).all() and (d.min(0) < 1e-2).all())


@pytest.mark.keras_oracle
@pytest.mark.parametrize("name,kwargs", [
    ("RandomHue", {"factor": (0.6, 0.6)}),                           # sign is the only draw
    ("RandomShear", {"x_factor": (0.3, 0.3), "y_factor": (0.2, 0.2)}),
    ("RandomPosterization", {"factor": (1, 4)}),                     # bits in {1, 2, 3}
    ("RandomGrayscale", {"factor": 0.5}),
    ("RandomInvert", {}),
])
def test_discrete_draws_give_keras_outputs(keras, name, kwargs):
    x = _repeat(X255[:, :8, :9])
    expected = _variants(getattr(keras.layers, name)(**kwargs)(x, training=True))
    got = _variants(getattr(layers, name)(**kwargs)(torch.as_tensor(x), training=True))
    assert _same_sets(got, expected) and len(got) > 1


@pytest.mark.keras_oracle
@pytest.mark.parametrize("name,kwargs", [
    ("Solarization", {"addition_factor": 0.3, "threshold_factor": (0.4, 0.7)}),
    ("RandomColorDegeneration", {"factor": 0.8}),
    ("RandomSharpness", {"factor": 0.9}),
    ("RandomSaturation", {"factor": (0.1, 0.9)}),
    ("RandomHue", {"factor": 0.8}),
    ("RandomColorJitter", {"brightness_factor": 0.3, "contrast_factor": 0.5,
                           "saturation_factor": (0.3, 0.7), "hue_factor": 0.3}),
])
def test_random_draws_match_keras_in_distribution(keras, name, kwargs):
    x = _repeat(X255[:, :6, :7], 256)
    ours = _np(getattr(layers, name)(**kwargs)(torch.as_tensor(x), training=True))
    ref = _np(getattr(keras.layers, name)(**kwargs)(x, training=True))
    change_ours = np.abs(ours - x).reshape(len(x), -1).mean(1)
    change_ref = np.abs(ref - x).reshape(len(x), -1).mean(1)
    scale = change_ref.std() + 1.0
    assert abs(change_ours.mean() - change_ref.mean()) < 0.3 * scale
    assert abs(change_ours.std() - change_ref.std()) < 0.4 * scale
    if name != "RandomSaturation":        # as Keras, saturation does not clip its output
        assert ours.min() >= -1e-3 and ours.max() <= 255 + 1e-3


@pytest.mark.keras_oracle
def test_gaussian_blur_share_and_sigma_match_keras(keras):
    x = _repeat(X255[:, :6, :7], 256)
    for _ in range(2):
        ours = _np(layers.RandomGaussianBlur()(torch.as_tensor(x), training=True))
        ref = _np(keras.layers.RandomGaussianBlur()(x, training=True))
        blurred_ours = np.abs(ours - x).reshape(len(x), -1).max(1) > 1e-3
        blurred_ref = np.abs(ref - x).reshape(len(x), -1).max(1) > 1e-3
        assert abs(blurred_ours.mean() - blurred_ref.mean()) < 0.15     # both about 1/2
        # one sigma pair per call: all blurred images of a call are the same image
        assert len(_variants(ours[blurred_ours])) == 1


# ---------------------------------------------------------------- structure
def test_grayscale_keeps_dtype_and_channels():
    x = torch.randint(0, 256, (4, 5, 6, 3), dtype=torch.uint8)
    y = layers.RandomGrayscale(factor=1.0)(x, training=True)
    assert y.dtype == torch.uint8 and y.shape == x.shape
    assert torch.equal(y[..., 0], y[..., 2])


def test_auto_contrast_stretches_and_keeps_flat_channels():
    x = torch.rand(2, 6, 7, 3) * 50 + 100
    x[1, ..., 2] = 42.0
    y = layers.AutoContrast()(x)
    torch.testing.assert_close(y[0].amin((0, 1)), torch.zeros(3), atol=1e-3, rtol=0)
    torch.testing.assert_close(y[0].amax((0, 1)), torch.full((3,), 255.0), atol=1e-3, rtol=0)
    assert torch.equal(y[1, ..., 2], x[1, ..., 2])


def test_shear_zero_is_identity_and_colour_ops_stay_in_range():
    x = torch.rand(4, 8, 8, 3)
    assert torch.equal(layers.RandomShear()(x, training=True), x)
    for layer in (layers.RandomSaturation(0.9, value_range=(0, 1)),
                  layers.RandomSharpness(1.0, value_range=(0, 1)),
                  layers.RandomColorDegeneration(1.0, value_range=(0, 1))):
        y = layer(x, training=True)
        assert y.min() >= 0 and y.max() <= 1


# ---------------------------------------------------------------- bad input
@pytest.mark.parametrize("name,kwargs,arg", [
    ("RandomGrayscale", {"factor": 1.5}, "factor"),
    ("RandomInvert", {"factor": 2.0}, "factor"),
    ("RandomInvert", {"value_range": (0,)}, "value_range"),
    ("Solarization", {"addition_factor": 1.5}, "addition_factor"),
    ("Solarization", {"threshold_factor": (0.1, 0.2, 0.3)}, "threshold_factor"),
    ("RandomPosterization", {"factor": 9}, "factor"),
    ("AutoContrast", {"value_range": 255}, "value_range"),
    ("Equalization", {"bins": 0}, "bins"),
    ("RandomColorDegeneration", {"factor": "x"}, "factor"),
    ("RandomSharpness", {"factor": 0.5, "value_range": "0-255"}, "value_range"),
    ("RandomSaturation", {"factor": 1.5}, "factor"),
    ("RandomHue", {"factor": -0.5}, "factor"),
    ("RandomColorJitter", {"value_range": None}, "value_range"),
    ("RandomGaussianBlur", {"kernel_size": 4}, "kernel_size"),
    ("RandomGaussianBlur", {"sigma": 2.0}, "sigma"),
    ("RandomShear", {"x_factor": 1.5}, "x_factor"),
    (CLAHE, {"tile_grid_size": (0, 8)}, "tile_grid_size"),
])
def test_bad_arguments_raise(name, kwargs, arg):
    with pytest.raises(ValueError, match=arg):
        getattr(layers, name)(**kwargs)


@pytest.mark.parametrize("name,kwargs", CASES, ids=IDS)
def test_wrong_rank_raises(name, kwargs):
    layer = getattr(layers, name)(**kwargs)
    with pytest.raises(ValueError, match="rank"):
        layer(torch.rand(8, 9), training=True)
