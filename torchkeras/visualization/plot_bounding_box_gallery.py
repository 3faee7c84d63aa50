"""plot_bounding_box_gallery: images with true and predicted boxes, in a grid."""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from torchkeras import config as _config
from torchkeras.visualization.box_formats import batched_images
from torchkeras.visualization.draw_bounding_boxes import draw_bounding_boxes
from torchkeras.visualization.plot_image_gallery import plot_image_gallery


def plot_bounding_box_gallery(images: Any, bounding_box_format: str, y_true: dict | None = None,
                              y_pred: dict | None = None,
                              value_range: Sequence[float] = (0, 255),
                              true_color: Sequence[int] = (0, 188, 212),
                              pred_color: Sequence[int] = (255, 235, 59),
                              line_thickness: int = 2, font_scale: float = 1.0,
                              text_thickness: int | None = None,
                              class_mapping: dict | None = None,
                              ground_truth_mapping: dict | None = None,
                              prediction_mapping: dict | None = None, legend: bool = False,
                              legend_handles: list | None = None, rows: int | None = None,
                              cols: int | None = None, data_format: str | None = None,
                              **kwargs) -> None:
    """Draws ``y_true`` (in ``true_color``) and ``y_pred`` (in ``pred_color``) boxes on
    the images with :func:`draw_bounding_boxes` and shows them with
    :func:`plot_image_gallery`.

    Args:
        images: ``(batch, height, width, channels)`` images (or channels-first).
        bounding_box_format: Format of the boxes.
        y_true: Dict of true ``"boxes"``/``"labels"`` (optional).
        y_pred: Dict of predicted ``"boxes"``/``"labels"``(/``"confidences"``) (optional).
        value_range: Value range of the images.
        true_color: RGB colour of true boxes.
        pred_color: RGB colour of predicted boxes.
        line_thickness: Box outline thickness.
        font_scale: Label text size.
        text_thickness: Label stroke thickness (``None``: ``line_thickness``).
        class_mapping: Class id -> name, for both kinds of boxes.
        ground_truth_mapping: Class names for true boxes (default ``class_mapping``).
        prediction_mapping: Class names for predicted boxes (default ``class_mapping``).
        legend: Add a "Ground Truth" / "Prediction" legend.
        legend_handles: Custom legend handles (not with ``legend``).
        rows: Grid rows.
        cols: Grid columns.
        data_format: ``"channels_last"`` or ``"channels_first"``.
        **kwargs: Passed to :func:`plot_image_gallery` (``path``, ``show``, ``scale``…).

    Example:
        >>> plot_bounding_box_gallery(images, "xyxy", y_true={"boxes": b, "labels": l},
        ...                           path="boxes.png")
    """
    # matplotlib is optional (the "plot" extra): loaded on use.
    try:
        from matplotlib import patches
    except ImportError:
        raise ImportError("The `plot_bounding_box_gallery` function requires the "
                          "`matplotlib` package. Please install it with "
                          "`pip install matplotlib`.") from None
    prediction_mapping = prediction_mapping or class_mapping
    ground_truth_mapping = ground_truth_mapping or class_mapping
    data_format = _config.standardize_data_format(data_format)
    array = batched_images(images)
    if legend and legend_handles:
        raise ValueError("Only pass `legend` OR `legend_handles` to "
                         "`keras.visualization.plot_bounding_box_gallery()`.")
    if data_format == "channels_first":
        array = array.transpose(0, 2, 3, 1)
    if value_range is not None and tuple(value_range) != (0, 255) and (
            y_true is not None or y_pred is not None):
        # Drawing works in [0, 255]: bring the images there first, then plot as such.
        low, high = float(value_range[0]), float(value_range[1])
        array = (array.astype("float32") - low) / (high - low) * 255.0
        value_range = (0, 255)
    for boxes, colour, mapping in ((y_true, true_color, ground_truth_mapping),
                                   (y_pred, pred_color, prediction_mapping)):
        if boxes is not None:
            array = draw_bounding_boxes(array, boxes, bounding_box_format,
                                        class_mapping=mapping, color=colour,
                                        line_thickness=line_thickness,
                                        text_thickness=text_thickness, font_scale=font_scale,
                                        data_format="channels_last")
    if legend:
        legend_handles = [
            patches.Patch(color=np.array(true_color) / 255.0, label="Ground Truth"),
            patches.Patch(color=np.array(pred_color) / 255.0, label="Prediction"),
        ]
    return plot_image_gallery(array, value_range=value_range, legend_handles=legend_handles,
                              rows=rows, cols=cols, data_format="channels_last", **kwargs)
