"""compute_iou and compute_ciou against Keras 3, in every format and batch layout."""
import numpy as np
import pytest
import torch

from torchkeras.utils import bounding_boxes as bb

H, W = 40, 50
A = np.array([[0, 0, 10, 10], [5, 5, 25, 15], [20, 10, 40, 30], [-1, -1, -1, -1]], "float32")
B = np.array([[1, 2, 12, 9], [4, 6, 30, 14], [100, 100, 110, 110]], "float32")


def _np(x):
    return x.detach().cpu().numpy() if isinstance(x, torch.Tensor) else np.asarray(x)


def _in(fmt, boxes, keras):
    return _np(keras.utils.bounding_boxes.convert_format(boxes, "xyxy", fmt, height=H,
                                                         width=W))


@pytest.mark.keras_oracle
@pytest.mark.parametrize("fmt", bb.SUPPORTED_FORMATS)
def test_compute_iou_matches_keras(keras, fmt):
    kb = keras.utils.bounding_boxes
    a, b = _in(fmt, A, keras), _in(fmt, B, keras)
    a3, b3 = np.stack([a, a[::-1]]), np.stack([b, b[::-1]])
    for x, y in ((a, b), (a3, b), (a, b3), (a3, b3)):
        for kwargs in ({}, {"use_masking": True}, {"use_masking": True, "mask_val": -7}):
            # Keras's masking fails for mixed ranks (it transposes boxes2's mask by boxes1's
            # rank); ours broadcasts, which equals Keras on the unbatched side tiled.
            kx, ky = x, y
            if kwargs and x.ndim != y.ndim:
                kx, ky = np.broadcast_to(x, (2,) + a.shape), np.broadcast_to(y, (2,) + b.shape)
            want = kb.compute_iou(kx, ky, fmt, image_shape=(H, W, 3), **kwargs)
            got = bb.compute_iou(x, y, fmt, image_shape=(H, W, 3), **kwargs)
            assert tuple(got.shape) == tuple(want.shape)
            assert got.dtype == torch.float32
            np.testing.assert_allclose(_np(got), _np(want), rtol=1e-5, atol=1e-6)
    if fmt == "xyxy":
        np.testing.assert_allclose(_np(bb.compute_iou(A[:1], A[:1], fmt)), [[1.0]], atol=1e-6)


@pytest.mark.keras_oracle
@pytest.mark.parametrize("fmt", [f for f in bb.SUPPORTED_FORMATS if not f.startswith("rel")])
def test_compute_ciou_matches_keras(keras, fmt):
    kb = keras.utils.bounding_boxes
    a, b = _in(fmt, A[:3], keras), _in(fmt, B, keras)
    for x, y in ((a, b), (np.stack([a, b]), np.stack([b, a])), (a[:1], b)):
        want = kb.compute_ciou(x, y, fmt)
        got = bb.compute_ciou(x, y, fmt)
        assert tuple(got.shape) == tuple(want.shape)
        np.testing.assert_allclose(_np(got), _np(want), rtol=1e-5, atol=1e-6)


@pytest.mark.keras_oracle
def test_iou_errors_match_keras(keras):
    kb = keras.utils.bounding_boxes
    cases = [(bb.compute_iou, kb.compute_iou, (np.zeros((4,)), B, "xyxy")),
             (bb.compute_iou, kb.compute_iou, (A, np.zeros((1, 1, 1, 4)), "xyxy")),
             (bb.compute_iou, kb.compute_iou, (A, B, "rel_xyxy")),
             (bb.compute_ciou, kb.compute_ciou, (A, A, "rel_xyxy"))]
    for ours, theirs, args in cases:
        with pytest.raises(ValueError):
            theirs(*args)
        with pytest.raises(ValueError):
            ours(*args)
