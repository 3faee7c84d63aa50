"""encode_box_to_deltas / decode_deltas_to_boxes against Keras 3, in every format."""
import numpy as np
import pytest
import torch

from torchkeras.utils import bounding_boxes as bb

H, W = 40, 50


def _np(x):
    return x.detach().cpu().numpy() if isinstance(x, torch.Tensor) else np.asarray(x)


def _in(fmt, boxes, keras):
    return _np(keras.utils.bounding_boxes.convert_format(boxes, "xyxy", fmt, height=H,
                                                         width=W))


ANCHORS = np.array([[0, 0, 10, 10], [5, 5, 25, 15], [20, 10, 40, 30]], "float32")
BOXES = np.array([[1, 2, 12, 9], [4, 6, 30, 14], [22, 12, 38, 35]], "float32")


@pytest.mark.keras_oracle
@pytest.mark.parametrize("fmt", bb.SUPPORTED_FORMATS)
@pytest.mark.parametrize("encoding", ["center_yxhw", "center_xywh"])
def test_encode_decode_match_keras(keras, fmt, encoding):
    kb = keras.utils.bounding_boxes
    anchors, boxes = _in(fmt, ANCHORS, keras), _in(fmt, BOXES, keras)
    batched = np.stack([boxes, boxes[::-1]])
    for target, variance in ((boxes, None), (batched, [0.1, 0.1, 0.2, 0.2])):
        kwargs = dict(anchor_format=fmt, box_format=fmt, variance=variance,
                      image_shape=(H, W, 3))
        want = kb.encode_box_to_deltas(anchors, target, encoding_format=encoding, **kwargs)
        got = bb.encode_box_to_deltas(anchors, target, encoding_format=encoding, **kwargs)
        np.testing.assert_allclose(_np(got), _np(want), rtol=1e-5, atol=1e-5)
        assert got.dtype == torch.float32
        # Keras's decode needs a tensor (numpy deltas times a torch anchor fail there).
        back_want = kb.decode_deltas_to_boxes(anchors, torch.as_tensor(_np(want)), encoded_format=encoding,
                                              **kwargs)
        back = bb.decode_deltas_to_boxes(anchors, _np(got), encoded_format=encoding, **kwargs)
        np.testing.assert_allclose(_np(back), _np(back_want), rtol=1e-5, atol=1e-4)
        np.testing.assert_allclose(_np(back), target, rtol=1e-4, atol=1e-4)


@pytest.mark.keras_oracle
def test_decode_dict_levels_and_errors_match_keras(keras):
    kb = keras.utils.bounding_boxes
    anchors = {"P3": ANCHORS, "P4": ANCHORS * 2}
    deltas = {"P3": np.full((2, 3, 4), 0.1, "float32"), "P4": np.zeros((2, 3, 4), "float32")}
    want = kb.decode_deltas_to_boxes(anchors, {k: torch.as_tensor(v) for k, v in deltas.items()},
                                     "xyxy", "xywh")
    got = bb.decode_deltas_to_boxes(anchors, deltas, "xyxy", "xywh")
    assert set(got) == {"P3", "P4"}
    for level in got:
        np.testing.assert_allclose(_np(got[level]), _np(want[level]), rtol=1e-5, atol=1e-5)
    for fn, kwargs in ((bb.encode_box_to_deltas, {"variance": [1, 2, 3]}),
                       (bb.encode_box_to_deltas, {"encoding_format": "xyxy"}),
                       (bb.decode_deltas_to_boxes, {"variance": [1, 2]}),
                       (bb.decode_deltas_to_boxes, {"encoded_format": "xywh"})):
        with pytest.raises(ValueError):
            fn(ANCHORS, BOXES, "xyxy", "xyxy", **kwargs)
