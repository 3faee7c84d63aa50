"""plot_bounding_box_gallery on Agg (Keras needs OpenCV to draw boxes: own values)."""
import numpy as np
import pytest

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")

from torchkeras import visualization  # noqa: E402


def test_bounding_box_gallery_draws_both_kinds(figures, shown_image):
    images = np.zeros((2, 16, 16, 3), "uint8")
    boxes = {"boxes": np.array([[[2, 2, 10, 10]], [[4, 4, 12, 12]]], "float32"),
             "labels": np.array([[0], [0]])}
    visualization.plot_bounding_box_gallery(images, "xyxy", y_true=boxes, y_pred=boxes,
                                            legend=True, rows=1, cols=2, line_thickness=1)
    fig = figures[0]
    assert len(fig.axes) == 2 and len(fig.legends) == 1
    shown = shown_image(fig.axes[0])
    # predictions are drawn last, over the ground truth
    assert tuple(shown[2, 5]) == (255, 235, 59)
    with pytest.raises(ValueError, match="legend"):
        visualization.plot_bounding_box_gallery(images, "xyxy", legend=True,
                                                legend_handles=[object()])
