"""convert_format, clip_to_image_size, crop, pad and affine_transform against Keras 3."""
import itertools

import numpy as np
import pytest
import torch

from torchkeras.utils import bounding_boxes as bb

FORMATS = bb.SUPPORTED_FORMATS
H, W = 48, 64


def _boxes(batched=False):
    rng = np.random.default_rng(1)
    xy = rng.uniform(0, 30, size=(5, 2))
    wh = rng.uniform(1, 30, size=(5, 2))
    xyxy = np.concatenate([xy, xy + wh], axis=-1).astype("float32")
    return np.stack([xyxy, xyxy[::-1] + 1.5]) if batched else xyxy


def _np(x):
    return x.detach().cpu().numpy() if isinstance(x, torch.Tensor) else np.asarray(x)


def _same(got, want, rtol=1e-5, atol=1e-5):
    got, want = _np(got), _np(want)
    assert got.shape == want.shape
    assert got.dtype == want.dtype, (got.dtype, want.dtype)
    np.testing.assert_allclose(got, want, rtol=rtol, atol=atol)


@pytest.mark.keras_oracle
@pytest.mark.parametrize("source,target", list(itertools.product(FORMATS, FORMATS)))
def test_convert_format_matches_keras(keras, source, target):
    # Turn the sample boxes into `source` first so that every pair starts from real data.
    for batched in (False, True):
        start = keras.utils.bounding_boxes.convert_format(_boxes(batched), "xyxy", source,
                                                          height=H, width=W)
        start = _np(start)
        want = keras.utils.bounding_boxes.convert_format(start, source, target,
                                                         height=H, width=W)
        _same(bb.convert_format(start, source, target, height=H, width=W), want)


@pytest.mark.keras_oracle
def test_convert_format_dtype_case_and_dict_match_keras(keras):
    kb = keras.utils.bounding_boxes
    ints = np.array([[10, 20, 30, 40], [50, 60, 70, 80]])
    _same(bb.convert_format(ints, "XYXY", "Center_XYWH"), kb.convert_format(ints, "XYXY",
                                                                           "Center_XYWH"))
    _same(bb.convert_format(ints, "xyxy", "rel_xywh", height=200, width=300, dtype="float64"),
          kb.convert_format(ints, "xyxy", "rel_xywh", height=200, width=300, dtype="float64"))
    _same(bb.convert_format(torch.tensor(ints), "xyxy", "xyxy", dtype="int32"),
          kb.convert_format(ints, "xyxy", "xyxy", dtype="int32"))
    ours = {"boxes": ints, "labels": np.array([1, 2])}
    theirs = {"boxes": ints, "labels": np.array([1, 2])}
    out = bb.convert_format(ours, "xyxy", "yxyx")
    assert out is ours     # Keras replaces the dict's boxes in place and returns the dict
    _same(out["boxes"], kb.convert_format(theirs, "xyxy", "yxyx")["boxes"])


@pytest.mark.keras_oracle
def test_convert_format_errors_match_keras(keras):
    kb = keras.utils.bounding_boxes
    for args, kwargs in [((np.zeros((2, 3)), "xyxy", "xywh"), {}),
                         ((np.zeros((2, 4)), "xyxy", "polygon"), {}),
                         ((np.zeros((2, 4)), "xyxy", "rel_xyxy"), {"height": 4})]:
        with pytest.raises(ValueError):
            kb.convert_format(*args, **kwargs)
        with pytest.raises(ValueError):
            bb.convert_format(*args, **kwargs)


@pytest.mark.keras_oracle
@pytest.mark.parametrize("fmt", ["xyxy", "rel_xyxy"])
def test_clip_to_image_size_matches_keras(keras, fmt):
    boxes = np.array([[[-10, -20, 150, 160], [50, 40, 70, 80], [70, 10, 90, 20]],
                      [[5, 5, 6, 6], [-5, -5, -1, -1], [1, 1, 200, 2]]], "float32")
    if fmt == "rel_xyxy":
        boxes = boxes / 100.0
    labels = np.array([[0, 1, 2], [3, 4, 5]], "int32")
    for data in ({"boxes": boxes, "labels": labels}, {"boxes": boxes[0]},
                 {"boxes": boxes[1], "labels": labels[1], "extra": "kept"}):
        want = keras.utils.bounding_boxes.clip_to_image_size(dict(data), height=100, width=60,
                                                             bounding_box_format=fmt)
        got = bb.clip_to_image_size(dict(data), height=100, width=60, bounding_box_format=fmt)
        assert set(got) == set(want)
        _same(got["boxes"], want["boxes"])
        if "labels" in want:
            _same(got["labels"], want["labels"])
    with pytest.raises(NotImplementedError):
        bb.clip_to_image_size({"boxes": boxes}, 10, 10, bounding_box_format="xywh")
    with pytest.raises(ValueError, match="height"):
        bb.clip_to_image_size({"boxes": boxes})


@pytest.mark.keras_oracle
def test_crop_and_pad_match_keras(keras):
    kb = keras.utils.bounding_boxes
    for boxes in (np.array([[10, 20, 50, 60], [70, 80, 100, 120]]), _boxes(), _boxes(True)):
        _same(bb.crop(boxes, 10, 20, 40, 30), kb.crop(boxes, 10, 20, 40, 30))
        _same(bb.crop(boxes, top=3.5, left=1, height=20, width=25.0),
              kb.crop(boxes, top=3.5, left=1, height=20, width=25.0))
        _same(bb.pad(boxes, 7, 3), kb.pad(boxes, 7, 3))
        _same(bb.pad(boxes, top=1.5, left=2, height=9, width=9),
              kb.pad(boxes, top=1.5, left=2, height=9, width=9))
    for fn in (bb.crop, bb.pad):
        with pytest.raises(NotImplementedError):
            fn(_boxes(), 1, 1, 5, 5, bounding_box_format="xywh")


@pytest.mark.keras_oracle
def test_affine_transform_matches_keras(keras):
    rng = np.random.default_rng(3)
    boxes = _boxes(True)
    params = dict(angle=rng.uniform(-30, 30, 2), translate_x=rng.uniform(-.2, .2, 2),
                  translate_y=rng.uniform(-.2, .2, 2), scale=rng.uniform(.8, 1.2, 2),
                  shear_x=rng.uniform(-10, 10, 2), shear_y=rng.uniform(-10, 10, 2))
    params = {k: v.astype("float32") for k, v in params.items()}
    for extra in ({}, {"center_x": 0.3, "center_y": 0.7}):
        want = keras.utils.bounding_boxes.affine_transform(
            boxes, **{k: torch.tensor(v) for k, v in params.items()}, height=H, width=W,
            **extra)
        _same(bb.affine_transform(boxes, **params, height=H, width=W, **extra), want,
              rtol=1e-4, atol=1e-4)
    # Identity parameters leave the boxes where they are.
    ident = dict(angle=np.zeros(2, "float32"), translate_x=np.zeros(2, "float32"),
                 translate_y=np.zeros(2, "float32"), scale=np.ones(2, "float32"),
                 shear_x=np.zeros(2, "float32"), shear_y=np.zeros(2, "float32"))
    np.testing.assert_allclose(_np(bb.affine_transform(boxes, **ident, height=H, width=W)),
                               boxes, atol=1e-4)
    with pytest.raises(NotImplementedError):
        bb.affine_transform(boxes, **ident, height=H, width=W, bounding_box_format="yxyx")
