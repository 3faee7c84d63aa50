"""plot_segmentation_mask_gallery: each image beside its true / predicted masks."""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from torchkeras import config as _config
from torchkeras.visualization.box_formats import batched_images, to_numpy
from torchkeras.visualization.draw_segmentation_masks import draw_segmentation_masks
from torchkeras.visualization.plot_image_gallery import plot_image_gallery


def plot_segmentation_mask_gallery(images: Any, num_classes: int,
                                   value_range: Sequence[float] = (0, 255), y_true: Any = None,
                                   y_pred: Any = None, color_mapping: dict | None = None,
                                   blend: bool = True, alpha: float = 0.8,
                                   ignore_index: int = -1, data_format: str | None = None,
                                   **kwargs) -> None:
    """One row per image: the image, then (if given) its true and predicted masks drawn
    over it with :func:`draw_segmentation_masks`, shown with :func:`plot_image_gallery`.

    Args:
        images: ``(batch, height, width, channels)`` images (or channels-first).
        num_classes: Number of classes.
        value_range: Value range of the images.
        y_true: True masks (optional).
        y_pred: Predicted masks (optional).
        color_mapping: Class index -> RGB colour.
        blend: Blend the masks with the images.
        alpha: Opacity of the masks.
        ignore_index: Mask value left undrawn.
        data_format: ``"channels_last"`` or ``"channels_first"`` (images and masks).
        **kwargs: Passed to :func:`plot_image_gallery` (``path``, ``show``, ``scale``…).

    Example:
        >>> plot_segmentation_mask_gallery(images, 3, y_true=masks, path="masks.png")
    """
    data_format = _config.standardize_data_format(data_format)
    array = batched_images(images)
    if data_format == "channels_first":
        array = array.transpose(0, 2, 3, 1)
    drawn = []
    for masks in (y_true, y_pred):
        if masks is None:
            continue
        masks = to_numpy(masks)
        if data_format == "channels_first" and masks.ndim == 4:
            masks = masks.transpose(0, 2, 3, 1)
        drawn.append(draw_segmentation_masks(array, masks.astype("int32"),
                                             num_classes=num_classes,
                                             color_mapping=color_mapping, alpha=alpha,
                                             blend=blend, ignore_index=ignore_index,
                                             data_format="channels_last"))
    gallery = []
    for i in range(array.shape[0]):
        gallery.append(array[i].astype("float32"))
        gallery.extend(d[i].astype("float32") for d in drawn)
    return plot_image_gallery(np.stack(gallery), value_range=value_range,
                              rows=array.shape[0], cols=1 + len(drawn),
                              data_format="channels_last", **kwargs)
