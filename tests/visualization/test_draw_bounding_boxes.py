"""draw_bounding_boxes: pixels of the outlines, formats, labels (Keras needs OpenCV to
draw, which is not installed: our own values are checked)."""
import numpy as np
import pytest
import torch

from torchkeras import visualization

GREEN = (0, 255, 0)


def _one_box(fmt, box, **kwargs):
    images = np.zeros((1, 16, 32, 3), "uint8")   # rel_* boxes below are exact
    return visualization.draw_bounding_boxes(
        images, {"boxes": np.array([[box]], "float32"), "labels": np.array([[0]])}, fmt,
        color=GREEN, line_thickness=1, **kwargs)[0]


def test_outline_pixels_thickness_one():
    out = _one_box("xyxy", [2, 3, 10, 8])
    painted = (out == GREEN).all(-1)
    expected = np.zeros((16, 32), bool)
    expected[3, 2:11] = expected[8, 2:11] = True
    expected[3:9, 2] = expected[3:9, 10] = True
    np.testing.assert_array_equal(painted, expected)


@pytest.mark.parametrize("fmt,box", [
    ("yxyx", [3, 2, 8, 10]), ("xywh", [2, 3, 8, 5]), ("center_xywh", [6, 5.5, 8, 5]),
    ("center_yxhw", [5.5, 6, 5, 8]), ("rel_xyxy", [2 / 32, 3 / 16, 10 / 32, 8 / 16]),
    ("rel_yxyx", [3 / 16, 2 / 32, 8 / 16, 10 / 32]),
    ("rel_xywh", [2 / 32, 3 / 16, 8 / 32, 5 / 16]),
    ("rel_center_xywh", [6 / 32, 5.5 / 16, 8 / 32, 5 / 16]),
])
def test_box_formats_draw_the_same_box(fmt, box):
    np.testing.assert_array_equal(_one_box(fmt, box), _one_box("xyxy", [2, 3, 10, 8]))


def test_thick_lines_padding_labels_and_layouts():
    images = torch.rand(2, 3, 40, 40)              # channels_first floats in [0, 1]
    boxes = {"boxes": torch.tensor([[[5., 5., 30., 30.], [0., 0., 1., 1.]],
                                    [[10., 12., 20., 35.], [0., 0., 0., 0.]]]),
             "labels": torch.tensor([[1, -1], [0, -1]])}
    out = visualization.draw_bounding_boxes(images, boxes, "xyxy", color=(255, 0, 0),
                                            line_thickness=3, data_format="channels_first")
    assert out.shape == (2, 3, 40, 40) and out.dtype == np.uint8
    base = (images.numpy() * 255).astype("uint8")
    # a 3-pixel band centred on x=5 (columns 4..6) along the box's height
    assert (out[0, 0, 5:31, 4:7] == 255).all() and (out[0, 1:, 5:31, 4:7] == 0).all()
    np.testing.assert_array_equal(out[0, :, 8:28, 8:28], base[0, :, 8:28, 8:28])
    # the padded box (label -1) is not drawn
    np.testing.assert_array_equal(out[0, :, 0:2, 0:2], base[0, :, 0:2, 0:2])

    images = np.full((1, 60, 60, 3), 255, "uint8")
    plain = visualization.draw_bounding_boxes(
        images, {"boxes": [[[5, 40, 50, 55]]], "labels": [[1]]}, "xyxy", color=(0, 0, 255))
    labelled = visualization.draw_bounding_boxes(
        images, {"boxes": [[[5, 40, 50, 55]]], "labels": [[1]], "confidences": [[0.9]]},
        "xyxy", color=(0, 0, 255), class_mapping={1: "cat"})
    changed = (labelled != plain).any(-1)
    assert changed.any()
    rows = np.nonzero(changed)[0]
    assert rows.max() < 40              # text sits above the box (there is room)


def test_bad_arguments():
    images = np.zeros((1, 8, 8, 3))
    good = {"boxes": [[[1, 1, 4, 4]]], "labels": [[0]]}
    with pytest.raises(ValueError, match="4D"):
        visualization.draw_bounding_boxes(images[0], good, "xyxy")
    with pytest.raises(TypeError, match="dict"):
        visualization.draw_bounding_boxes(images, [good], "xyxy")
    with pytest.raises(ValueError, match="labels"):
        visualization.draw_bounding_boxes(images, {"boxes": good["boxes"]}, "xyxy")
    with pytest.raises(ValueError, match="bounding_box_format"):
        visualization.draw_bounding_boxes(images, good, "xyzw")
    with pytest.raises(ValueError, match="line_thickness"):
        visualization.draw_bounding_boxes(images, good, "xyxy", line_thickness=0)
