"""RandomPerspective, RandomElasticTransform and RandomErasing: layer tests, Keras oracles
(configs, the resampling kernels, degenerate factors) and statistical/structural checks."""
import numpy as np
import pytest
import torch

from torchkeras import layers
from torchkeras.ops import convert_to_numpy as _np
from torchkeras.layers.preprocessing.warp_ops import (apply_homography, gaussian_smooth,
                                                      homography, sample_pixels)
from torchkeras.testing import run_layer_test

CF = "channels_first"


CASES = [
    ("RandomPerspective", {}, (2, 6, 5, 3)),
    ("RandomPerspective", {"factor": (0.5, 1.0), "scale": 0.4, "interpolation": "nearest",
                           "fill_value": 2.0, "seed": 3, "data_format": CF}, (2, 3, 6, 5)),
    ("RandomElasticTransform", {}, (2, 12, 10, 3)),
    ("RandomElasticTransform", {"factor": 0.7, "scale": (0.2, 0.9), "fill_mode": "constant",
                                "interpolation": "nearest", "value_range": (0, 1), "seed": 1,
                                "data_format": CF}, (2, 3, 12, 10)),
    ("RandomErasing", {}, (2, 6, 5, 3)),
    ("RandomErasing", {"factor": (0.2, 0.8), "scale": 0.5, "fill_value": 3.0,
                       "value_range": (0, 10), "seed": 2, "data_format": CF}, (2, 3, 6, 5)),
    ("RandomErasing", {"fill_value": [1, 2, 3], "value_range": (0, 1)}, (2, 6, 5, 3)),
]
IDS = ["%s-%d" % (c[0], i) for i, c in enumerate(CASES)]


@pytest.mark.parametrize("name,kwargs,shape", CASES, ids=IDS)
def test_layer_test(name, kwargs, shape):
    run_layer_test(getattr(layers, name), kwargs, input_shape=shape,
                   expected_output_shape=shape, expected_num_trainable_weights=0,
                   expected_num_non_trainable_weights=0)


@pytest.mark.keras_oracle
@pytest.mark.parametrize("name,kwargs,shape", CASES, ids=IDS)
def test_config_matches_keras(check_config_matches_keras, name, kwargs, shape):
    check_config_matches_keras(name, kwargs)


@pytest.mark.parametrize("name,kwargs,shape", CASES, ids=IDS)
def test_inference_identity_and_seeded_reproducibility(name, kwargs, shape):
    x = torch.rand(*shape) * 0.9
    layer = getattr(layers, name)(**kwargs)
    assert layer(x, training=False) is x
    kw = dict(kwargs, seed=11)
    a = getattr(layers, name)(**kw)(x, training=True)
    b = getattr(layers, name)(**kw)(x, training=True)
    assert torch.equal(a, b)
    assert layer(x[0], training=True).shape == x.shape[1:]


# ---------------------------------------------------------------- resampling kernels
@pytest.mark.keras_oracle
@pytest.mark.parametrize("interpolation", ["bilinear", "nearest"])
@pytest.mark.parametrize("data_format", [None, CF])
def test_perspective_warp_matches_keras_op(keras, interpolation, data_format):
    rng = np.random.default_rng(0)
    b, h, w = 3, 7, 9
    x = rng.normal(size=(b, h, w, 2)).astype("float32")
    start = np.tile(np.array([[0, 0], [w - 1, 0], [0, h - 1], [w - 1, h - 1]], "float32"),
                    (b, 1, 1))
    end = start + rng.uniform(-1.3, 1.3, size=start.shape).astype("float32")
    inp = x if data_format is None else x.transpose(0, 3, 1, 2).copy()
    expected = _np(keras.ops.image.perspective_transform(
        inp, start, end, interpolation=interpolation, fill_value=0.5,
        data_format=data_format or "channels_last"))
    xs, ys = torch.meshgrid(torch.arange(h, dtype=torch.float32),
                            torch.arange(w, dtype=torch.float32), indexing="ij")[::-1]
    sx, sy = apply_homography(homography(torch.as_tensor(start), torch.as_tensor(end)),
                              xs.expand(b, h, w), ys.expand(b, h, w))
    got = sample_pixels(torch.as_tensor(x).permute(0, 3, 1, 2), sx, sy, interpolation,
                        "constant", 0.5)
    got = got.permute(0, 2, 3, 1) if data_format is None else got
    np.testing.assert_allclose(_np(got), expected, atol=2e-4)


@pytest.mark.keras_oracle
@pytest.mark.parametrize("fill_mode", ["constant", "nearest", "wrap", "mirror", "reflect"])
@pytest.mark.parametrize("interpolation", ["bilinear", "nearest"])
def test_sampler_fill_modes_match_keras_map_coordinates(keras, fill_mode, interpolation):
    rng = np.random.default_rng(1)
    h, w = 5, 7
    img = rng.normal(size=(h, w)).astype("float32")
    # Off-grid points (no rounding ties), inside and up to 1.5 images outside.
    ys = (rng.uniform(-1.5, 2.5, size=(6, 8)) * h).astype("float32") + 0.013
    xs = (rng.uniform(-1.5, 2.5, size=(6, 8)) * w).astype("float32") + 0.017
    expected = _np(keras.ops.image.map_coordinates(
        img, [ys, xs], order=1 if interpolation == "bilinear" else 0, fill_mode=fill_mode,
        fill_value=0.25))
    got = sample_pixels(torch.as_tensor(img)[None, None], torch.as_tensor(xs)[None],
                        torch.as_tensor(ys)[None], interpolation, fill_mode, 0.25)[0, 0]
    np.testing.assert_allclose(_np(got), expected, atol=1e-4)


@pytest.mark.keras_oracle
@pytest.mark.parametrize("sigma,shape", [(0.7, (2, 11, 13, 1)), (1.6, (2, 11, 13, 1)),
                                         (2.5, (2, 11, 13, 1)), (1.3, (1, 1030, 6, 1))])
def test_gaussian_smoothing_matches_keras_blur(keras, sigma, shape):
    # (the tall image takes the convolution path, the others the banded products)
    x = np.random.default_rng(2).normal(size=shape).astype("float32")
    size = int(6 * sigma) | 1
    expected = _np(keras.ops.image.gaussian_blur(x, (size, size), (sigma, sigma),
                                                data_format="channels_last"))
    got = gaussian_smooth(torch.as_tensor(x).permute(0, 3, 1, 2), sigma).permute(0, 2, 3, 1)
    np.testing.assert_allclose(_np(got), expected, atol=1e-5)


# ---------------------------------------------------------------- degenerate factors (oracle)
@pytest.mark.keras_oracle
@pytest.mark.parametrize("name,kwargs", [
    ("RandomPerspective", {"scale": 0.0}),
    ("RandomPerspective", {"factor": 0.0, "scale": 0.8}),
    ("RandomElasticTransform", {"scale": 0.0}),
    ("RandomElasticTransform", {"factor": 0.0}),
    ("RandomErasing", {"factor": 0.0}),
    ("RandomErasing", {"factor": (1.0, 1.0), "scale": (1.0, 1.0), "fill_value": 40.0}),
    ("RandomErasing", {"factor": (1.0, 1.0), "scale": (1.0, 1.0), "fill_value": 300.0}),
    ("RandomErasing", {"factor": (1.0, 1.0), "scale": (1.0, 1.0), "fill_value": [1, 2, 3],
                       "value_range": (0, 2)}),
])
def test_degenerate_draws_match_keras(keras, name, kwargs):
    x = np.random.default_rng(0).uniform(0, 255, size=(3, 6, 7, 3)).astype("float32")
    expected = _np(getattr(keras.layers, name)(**kwargs)(x, training=True))
    got = _np(getattr(layers, name)(**kwargs)(torch.as_tensor(x), training=True))
    np.testing.assert_allclose(got, expected, atol=1e-4)


# ---------------------------------------------------------------- RandomPerspective
def test_perspective_moves_corners_and_boxes_follow():
    h, w = 20, 24
    layer = layers.RandomPerspective(scale=0.3, seed=4, bounding_box_format="xyxy",
                                     interpolation="nearest", fill_value=-1.0)
    img = torch.zeros(4, h, w, 1)
    img[:, 5:9, 6:11] = 1.0                             # a bright box: x 6..11, y 5..9
    boxes = {"boxes": torch.tensor([[6.0, 5, 11, 9]]).expand(4, 1, 4),
             "labels": torch.ones(4, 1, dtype=torch.long)}
    out = layer({"images": img, "bounding_boxes": boxes,
                 "segmentation_masks": img.clone()}, training=True)
    assert torch.equal(out["segmentation_masks"], out["images"])
    moved = 0
    for i in range(4):
        ys, xs = torch.nonzero(out["images"][i, ..., 0] == 1.0, as_tuple=True)
        x0, y0, x1, y1 = out["bounding_boxes"]["boxes"][i, 0].tolist()
        # the box around the moved corners holds every pixel of the warped bright patch
        assert xs.min() >= x0 - 1 and xs.max() <= x1 and ys.min() >= y0 - 1 and ys.max() <= y1
        moved += int(not torch.equal(out["images"][i], img[i]))
    assert moved > 0


@pytest.mark.keras_oracle
def test_perspective_boxes_match_keras_for_the_same_corners(keras):
    h, w = 20, 24
    layer = layers.RandomPerspective(scale=0.5, seed=7, bounding_box_format="xyxy")
    imgs = torch.rand(3, h, w, 3)
    t = layer.get_random_transformation(imgs, True)
    boxes = np.array([[[2, 3, 10, 12], [12, 4, 22, 18]]] * 3, "float32")
    labels = np.array([[1, 2]] * 3)
    got = layer.transform_bounding_boxes({"boxes": torch.as_tensor(boxes),
                                          "labels": torch.as_tensor(labels)}, t, True, h, w)
    k_layer = keras.layers.RandomPerspective(scale=0.5, bounding_box_format="xyxy")
    expected = k_layer.transform_bounding_boxes(
        {"boxes": keras.ops.convert_to_tensor(boxes),
         "labels": keras.ops.convert_to_tensor(labels)},
        {"apply_perspective": _np(t["apply"]), "start_points": _np(t["start"]),
         "end_points": _np(t["end"]), "input_shape": (3, h, w, 3)}, training=True)
    np.testing.assert_allclose(_np(got["boxes"]), _np(expected["boxes"]), atol=1e-3)
    np.testing.assert_array_equal(_np(got["labels"]), _np(expected["labels"]))


def test_perspective_bad_args():
    with pytest.raises(ValueError, match="scale"):
        layers.RandomPerspective(scale=1.5)
    with pytest.raises(ValueError, match="factor"):
        layers.RandomPerspective(factor=2.0)
    with pytest.raises(NotImplementedError, match="interpolation"):
        layers.RandomPerspective(interpolation="bicubic")


# ---------------------------------------------------------------- RandomElasticTransform
def test_elastic_displacements_are_smooth_and_masks_follow():
    h, w = 48, 40
    layer = layers.RandomElasticTransform(factor=(1.0, 1.0), scale=(1.0, 1.0),
                                          interpolation="nearest", fill_mode="nearest",
                                          value_range=(0, 10000), seed=5)
    # An image whose value names its own pixel: the output says where each pixel read.
    idx = torch.arange(h * w, dtype=torch.float32).view(1, h, w, 1).expand(2, h, w, 1)
    out = layer({"images": idx, "segmentation_masks": idx}, training=True)
    assert torch.equal(out["images"], out["segmentation_masks"])
    src = out["images"][..., 0].long()
    dy = (src // w - torch.arange(h).view(1, h, 1)).float()
    dx = (src % w - torch.arange(w).view(1, 1, w)).float()
    inner = (slice(None), slice(6, -6), slice(6, -6))   # away from the clamped border
    disp = torch.sqrt(dx[inner] ** 2 + dy[inner] ** 2)
    # alpha = 4.8, sigma = 2: displacement std ~ alpha / (2 sqrt(pi)) ~ 1.35 px per axis.
    assert 0.4 < float(disp.mean()) < 4.0
    assert float(disp.max()) < 12
    # neighbouring pixels move alike (a smooth field, not per-pixel noise)
    assert float((dx[:, :, 1:] - dx[:, :, :-1]).abs().mean()) < 0.6 * float(dx.abs().mean())


def test_elastic_output_is_clipped_to_value_range():
    x = torch.rand(2, 16, 16, 3) * 2 - 0.5
    y = layers.RandomElasticTransform(value_range=(0, 1), seed=1)(x, training=True)
    assert float(y.min()) >= 0 and float(y.max()) <= 1


def test_elastic_bad_args():
    with pytest.raises(ValueError, match="scale"):
        layers.RandomElasticTransform(scale=2.0)
    with pytest.raises(NotImplementedError, match="fill_mode"):
        layers.RandomElasticTransform(fill_mode="edge")
    with pytest.raises(ValueError, match="value_range"):
        layers.RandomElasticTransform(value_range=(1, 0))


# ---------------------------------------------------------------- RandomErasing
@pytest.mark.parametrize("data_format", [None, CF])
def test_erasing_fills_one_rectangle_of_the_expected_size(data_format):
    b, h, w = 64, 20, 30
    x = torch.rand(b, h, w, 3) + 2.0
    layer = layers.RandomErasing(factor=(1.0, 1.0), scale=(0.1, 0.3), fill_value=0.5,
                                 value_range=(0, 10), data_format=data_format, seed=0)
    inp = x if data_format is None else x.permute(0, 3, 1, 2)
    y = layer(inp, training=True)
    y = y if data_format is None else y.permute(0, 2, 3, 1)
    erased = (y == 0.5)
    assert torch.equal(erased.all(-1), erased.any(-1))          # all channels alike
    m = erased[..., 0]
    torch.testing.assert_close(y[~erased], x[~erased])
    for i in range(b):
        rows, cols = m[i].any(1), m[i].any(0)
        # a filled axis-aligned rectangle
        assert int(m[i].sum()) == int(rows.sum()) * int(cols.sum())
        fw, fh = int(cols.sum()) / w, int(rows.sum()) / h
        assert np.sqrt(0.1) - 0.1 <= fw <= np.sqrt(0.3) + 0.1
        assert np.sqrt(0.1) - 0.15 <= fh <= np.sqrt(0.3) + 0.15


def test_erasing_probability_and_noise_fill():
    x = torch.full((400, 4, 4, 1), 5.0)
    y = layers.RandomErasing(factor=(0.3, 0.3), scale=(0.5, 0.5), seed=1,
                             value_range=(0, 10))(x, training=True)
    hit = (y != 5.0).flatten(1).any(1).float().mean()
    assert 0.22 < float(hit) < 0.38
    changed = y[y != 5.0]
    assert float(changed.min()) >= 0 and float(changed.max()) <= 10   # clipped noise
    assert float(changed.std()) > 1.0


def test_erasing_passes_labels_and_boxes_through():
    layer = layers.RandomErasing(bounding_box_format="xyxy", value_range=(0, 1))
    data = {"images": torch.rand(2, 8, 8, 3), "labels": torch.eye(2),
            "bounding_boxes": {"boxes": torch.rand(2, 3, 4), "labels": torch.ones(2, 3)},
            "segmentation_masks": torch.ones(2, 8, 8, 1)}
    out = layer(data, training=True)
    assert torch.equal(out["labels"], data["labels"])
    assert torch.equal(out["bounding_boxes"]["boxes"], data["bounding_boxes"]["boxes"])
    assert torch.equal(out["segmentation_masks"], data["segmentation_masks"])


def test_erasing_bad_args():
    with pytest.raises(ValueError, match="fill_value"):
        layers.RandomErasing(fill_value=[1, 2])
    with pytest.raises(ValueError, match="scale"):
        layers.RandomErasing(scale=(0.2, 0.3, 0.4))
    with pytest.raises(ValueError, match="factor"):
        layers.RandomErasing(factor=-0.5)


# ---------------------------------------------------------------- distributions vs Keras
@pytest.mark.keras_oracle
def test_perspective_corner_draws_match_keras(keras):
    x = np.zeros((2000, 24, 32, 1), "float32")
    t = keras.layers.RandomPerspective(scale=0.6, factor=(0.3, 0.7), seed=1) \
        .get_random_transformation(x)
    k_moves = _np(t["end_points"]) - _np(t["start_points"])
    ours = layers.RandomPerspective(scale=0.6, factor=(0.3, 0.7), seed=1) \
        .get_random_transformation(torch.as_tensor(x), True)
    moves = _np(ours["end"] - ours["start"])
    np.testing.assert_allclose(moves.std(0), k_moves.std(0), rtol=0.06, atol=1e-6)
    np.testing.assert_allclose(moves.mean(0), 0, atol=0.3)
    assert abs(float(ours["apply"].float().mean()) - float(_np(t["apply_perspective"]).mean())) \
        < 0.05


@pytest.mark.keras_oracle
@pytest.mark.parametrize("scale", [(1.0, 1.0), (0.4, 0.4)])
def test_elastic_displacement_statistics_match_keras(keras, scale):
    h, w = 32, 40
    # Ramps in x and y: a pixel's change says how far it moved along that axis.
    ramp = np.stack(np.meshgrid(np.arange(w, dtype="float32"), np.arange(h, dtype="float32")),
                    -1)
    x = np.repeat(ramp[None], 48, 0)
    kw = dict(factor=(1.0, 1.0), scale=scale, value_range=(0, 1000), fill_mode="nearest")
    k_moves = _np(keras.layers.RandomElasticTransform(seed=1, **kw)(x, training=True)) - x
    moves = _np(layers.RandomElasticTransform(seed=1, **kw)(torch.as_tensor(x),
                                                            training=True)) - x
    inner = (slice(None), slice(4, -4), slice(4, -4))
    np.testing.assert_allclose(np.abs(moves[inner]).mean((0, 1, 2)),
                               np.abs(k_moves[inner]).mean((0, 1, 2)), rtol=0.12)
    # the same smoothness: differences between neighbours
    np.testing.assert_allclose(np.abs(np.diff(moves[inner], axis=2)).mean(),
                               np.abs(np.diff(k_moves[inner], axis=2)).mean(), rtol=0.12)


@pytest.mark.keras_oracle
def test_erasing_rates_and_sizes_match_keras(keras):
    x = np.full((512, 16, 16, 1), 5.0, "float32")
    stats = []
    for out in (keras.layers.RandomErasing(fill_value=0.0, seed=3)(x, training=True),
                layers.RandomErasing(fill_value=0.0, seed=3)(torch.as_tensor(x),
                                                              training=True)):
        frac = (_np(out) == 0).mean((1, 2, 3))
        stats.append(((frac > 0).mean(), frac[frac > 0].mean()))
    (k_rate, k_size), (rate, size) = stats
    assert abs(rate - k_rate) < 0.08 and abs(rate - 0.5) < 0.07   # P(erase) = E[U(0, 1)]
    assert abs(size - k_size) < 0.02


@pytest.mark.parametrize("name,kwargs", [
    ("RandomPerspective", {"scale": 0.5}), ("RandomElasticTransform", {"value_range": (0, 1)}),
    ("RandomErasing", {"value_range": (0, 1), "factor": (1.0, 1.0)}), ("MixUp", {}),
    ("CutMix", {}), ("RandomRotation", {"factor": 0.3}), ("RandomZoom", {"height_factor": 0.3})])
def test_channels_first_is_the_transposed_channels_last(name, kwargs):
    x = torch.rand(4, 10, 12, 3)
    last = getattr(layers, name)(seed=5, **kwargs)(x, training=True)
    first = getattr(layers, name)(seed=5, data_format=CF, **kwargs)(x.permute(0, 3, 1, 2),
                                                                     training=True)
    torch.testing.assert_close(first.permute(0, 2, 3, 1), last, atol=1e-5, rtol=0)
    assert not torch.equal(last, x)


def test_random_erasing_noise_is_distinct_inside_each_rectangle():
    # The noise is drawn as a tile repeated over the image; inside one erased rectangle
    # every pixel must still get its own draw (no repeated values).
    import torchkeras.layers as L
    layer = L.RandomErasing(factor=(1.0, 1.0), scale=(0.2, 0.3), value_range=(-100, 100),
                            seed=4)
    images = torch.full((6, 40, 40, 3), 1000.0)
    out = layer(images, training=True)
    for img in out:
        erased = img[img != 1000.0]
        assert erased.numel() > 0.15 * 40 * 40 * 3
        inside = erased[(erased > -100) & (erased < 100)]
        assert inside.unique().numel() == inside.numel()
