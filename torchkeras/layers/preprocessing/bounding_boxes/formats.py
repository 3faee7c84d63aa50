"""Bounding-box formats and the conversions between them, on torch tensors.

Every format converts to and from ``xyxy`` (absolute corners); a conversion between two
formats goes through it, as in Keras. Relative (``rel_*``) formats are fractions of the
image's ``height`` and ``width``.
"""
from __future__ import annotations

import torch

SUPPORTED_FORMATS = ("xyxy", "yxyx", "xywh", "center_xywh", "center_yxhw",
                     "rel_xyxy", "rel_yxyx", "rel_xywh", "rel_center_xywh")


def _parts(boxes: torch.Tensor):
    return torch.split(boxes, 1, dim=-1)


def _cat(parts) -> torch.Tensor:
    return torch.cat(parts, dim=-1)


def _centered(cx, cy, w, h):
    return _cat([cx - w / 2.0, cy - h / 2.0, cx + w / 2.0, cy + h / 2.0])


def _scaled(x1, y1, x2, y2, height, width):
    return _cat([x1 * width, y1 * height, x2 * width, y2 * height])


def _to_xyxy(boxes, fmt, height, width):
    a, b, c, d = _parts(boxes)
    if fmt == "xyxy":
        return boxes
    if fmt == "yxyx":
        return _cat([b, a, d, c])
    if fmt == "xywh":
        return _cat([a, b, a + c, b + d])
    if fmt == "center_xywh":
        return _centered(a, b, c, d)
    if fmt == "center_yxhw":
        return _centered(b, a, d, c)
    if fmt == "rel_xyxy":
        return _scaled(a, b, c, d, height, width)
    if fmt == "rel_yxyx":
        return _scaled(b, a, d, c, height, width)
    if fmt == "rel_xywh":
        return _scaled(a, b, a + c, b + d, height, width)
    # rel_center_xywh
    return _scaled(a - c / 2.0, b - d / 2.0, a + c / 2.0, b + d / 2.0, height, width)


def _from_xyxy(boxes, fmt, height, width):
    x1, y1, x2, y2 = _parts(boxes)
    w, h = x2 - x1, y2 - y1
    cx, cy = x1 + w / 2.0, y1 + h / 2.0
    if fmt == "xyxy":
        return boxes
    if fmt == "yxyx":
        return _cat([y1, x1, y2, x2])
    if fmt == "xywh":
        return _cat([x1, y1, w, h])
    if fmt == "center_xywh":
        return _cat([cx, cy, w, h])
    if fmt == "center_yxhw":
        return _cat([cy, cx, h, w])
    if fmt == "rel_xyxy":
        return _cat([x1 / width, y1 / height, x2 / width, y2 / height])
    if fmt == "rel_yxyx":
        return _cat([y1 / height, x1 / width, y2 / height, x2 / width])
    if fmt == "rel_xywh":
        return _cat([x1 / width, y1 / height, w / width, h / height])
    # rel_center_xywh
    return _cat([cx / width, cy / height, w / width, h / height])


def convert_boxes(boxes: torch.Tensor, source: str, target: str, height=None,
                  width=None) -> torch.Tensor:
    """Converts a float tensor of boxes ``(..., 4)`` from ``source`` to ``target``.

    Both formats must be lower-case names from :data:`SUPPORTED_FORMATS`; ``height`` and
    ``width`` (tensors or numbers) are needed when either format is relative.

    Args:
        boxes: Float tensor whose last axis holds the four coordinates.
        source: Format of ``boxes``.
        target: Format to return.
        height: Image height.
        width: Image width.

    Example:
        >>> convert_boxes(torch.tensor([[10., 20., 30., 40.]]), "xyxy", "xywh")
        tensor([[10., 20., 20., 20.]])
    """
    if source == target:
        return boxes
    if source.startswith("rel_") and target.startswith("rel_"):
        # Relative to relative needs no image size: convert the unscaled coordinates.
        source, target = source[4:], target[4:]
    return _from_xyxy(_to_xyxy(boxes, source, height, width), target, height, width)
