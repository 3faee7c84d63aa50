"""Bounding boxes of any Keras format -> absolute ``xyxy`` pixels, for drawing."""
from __future__ import annotations

from typing import Any

import numpy as np
import torch

from torchkeras.layers.preprocessing.bounding_boxes.formats import SUPPORTED_FORMATS, convert_boxes

FORMATS = SUPPORTED_FORMATS


def to_numpy(value: Any) -> np.ndarray:
    """A tensor (any device, with or without grad) or array-like as a numpy array."""
    if hasattr(value, "detach"):
        return value.detach().cpu().numpy()
    return np.asarray(value)


def batched_images(images: Any) -> np.ndarray:
    """``images`` as a numpy array, checked to be a 4D batch as the drawing functions need.

    Args:
        images: A batch of images (tensor or array-like).

    Raises:
        ValueError: If ``images`` is not 4D.

    Example:
        >>> batched_images(np.zeros((2, 8, 8, 3))).shape
        (2, 8, 8, 3)
    """
    array = to_numpy(images)
    if array.ndim != 4:
        raise ValueError("`images` must be batched 4D tensor. Received: images.shape=%s"
                         % (array.shape,))
    return array


def boxes_to_xyxy(boxes: Any, bounding_box_format: str, height: int, width: int) -> np.ndarray:
    """Converts ``(..., 4)`` boxes in ``bounding_box_format`` to absolute ``xyxy`` (float32).

    Args:
        boxes: Boxes, last axis of 4.
        bounding_box_format: One of ``FORMATS`` (case-insensitive).
        height: Image height (for the ``rel_*`` formats).
        width: Image width (for the ``rel_*`` formats).

    Example:
        >>> boxes_to_xyxy([[0.5, 0.5, 0.2, 0.2]], "rel_center_xywh", 100, 100)
        array([[40., 40., 60., 60.]], dtype=float32)
    """
    fmt = str(bounding_box_format).lower()
    if fmt not in FORMATS:
        raise ValueError("Invalid `bounding_box_format` %r. Supported formats: %s"
                         % (bounding_box_format, FORMATS))
    b = to_numpy(boxes).astype("float32")
    if b.shape[-1:] != (4,):
        raise ValueError("`boxes` must have a last dimension of 4. Received: boxes.shape=%s"
                         % (b.shape,))
    return convert_boxes(torch.from_numpy(b), fmt, "xyxy", height, width).numpy()
