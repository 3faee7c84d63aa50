"""Bounding boxes of any Keras format -> absolute ``xyxy`` pixels, for drawing."""
from __future__ import annotations

from typing import Any

import numpy as np

FORMATS = ("xyxy", "yxyx", "xywh", "center_xywh", "center_yxhw", "rel_xyxy", "rel_yxyx",
           "rel_xywh", "rel_center_xywh")


def to_numpy(value: Any) -> np.ndarray:
    """A tensor (any device, with or without grad) or array-like as a numpy array."""
    if hasattr(value, "detach"):
        return value.detach().cpu().numpy()
    return np.asarray(value)


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
    a, c, d, e = (b[..., i] for i in range(4))
    if fmt.startswith("rel_"):
        fmt = fmt[4:]
        sx, sy = np.float32(width), np.float32(height)
    else:
        sx = sy = None
    if fmt == "yxyx":
        x1, y1, x2, y2 = c, a, e, d
    elif fmt == "xywh":
        x1, y1, x2, y2 = a, c, a + d, c + e
    elif fmt == "center_xywh":
        x1, y1, x2, y2 = a - d / 2, c - e / 2, a + d / 2, c + e / 2
    elif fmt == "center_yxhw":
        x1, y1, x2, y2 = c - e / 2, a - d / 2, c + e / 2, a + d / 2
    else:
        x1, y1, x2, y2 = a, c, d, e
    if sx is not None:
        x1, x2, y1, y2 = x1 * sx, x2 * sx, y1 * sy, y2 * sy
    return np.stack([x1, y1, x2, y2], axis=-1).astype("float32")
