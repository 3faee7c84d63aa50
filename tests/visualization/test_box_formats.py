"""boxes_to_xyxy against Keras's bounding-box format conversion."""
import numpy as np
import pytest
import torch

from torchkeras.visualization.box_formats import FORMATS, boxes_to_xyxy


@pytest.mark.keras_oracle
@pytest.mark.parametrize("fmt", FORMATS)
def test_boxes_to_xyxy_matches_keras(keras, fmt):
    rng = np.random.default_rng(0)
    boxes = rng.random((2, 3, 4)).astype("float32")
    if not fmt.startswith("rel_"):
        boxes = boxes * 50
    want = keras.ops.convert_to_numpy(keras.utils.bounding_boxes.convert_format(
        boxes, fmt, "xyxy", height=40, width=60))
    got = boxes_to_xyxy(torch.tensor(boxes), fmt.upper(), 40, 60)
    np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-5)


def test_bad_format_and_shape():
    with pytest.raises(ValueError, match="bounding_box_format"):
        boxes_to_xyxy(np.zeros((1, 4)), "xyzw", 1, 1)
    with pytest.raises(ValueError, match="last dimension of 4"):
        boxes_to_xyxy(np.zeros((1, 5)), "xyxy", 1, 1)
