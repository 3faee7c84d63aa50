"""Bounding-box helpers of the image layers: format conversion to/from ``xyxy``, clipping,
and checks of the ``{"boxes", "labels"}`` dicts they receive.

Formats follow Keras: ``xyxy`` ``[left, top, right, bottom]``, ``yxyx``, ``xywh``
``[left, top, width, height]``, ``center_xywh``, ``center_yxhw`` (absolute pixels) and
``rel_xyxy``, ``rel_yxyx``, ``rel_xywh``, ``rel_center_xywh`` (fractions of the image's width
and height). The layers work in ``xyxy`` pixels and convert back on the way out.

Example:
    >>> xyxy = to_xyxy(torch.tensor([[0.1, 0.2, 0.5, 0.6]]), "rel_xyxy", 100, 200)
    >>> from_xyxy(xyxy, "rel_xyxy", 100, 200)
"""
from __future__ import annotations

import torch

from torchkeras.layers.preprocessing.bounding_boxes.formats import SUPPORTED_FORMATS, convert_boxes

FORMATS = SUPPORTED_FORMATS


def check_format(layer_name: str, bounding_box_format) -> None:
    """Raises ValueError unless ``bounding_box_format`` is one of ``FORMATS`` (or None)."""
    if bounding_box_format is None:
        return
    if not isinstance(bounding_box_format, str) or bounding_box_format.lower() not in FORMATS:
        raise ValueError("%s: unknown `bounding_box_format` %r. Supported formats: %s"
                         % (layer_name, bounding_box_format, FORMATS))


def to_xyxy(boxes: torch.Tensor, fmt: str, height: int, width: int) -> torch.Tensor:
    """Boxes in ``fmt`` -> absolute ``xyxy`` (float32).

    Args:
        boxes: ``(..., 4)`` tensor.
        fmt: One of ``FORMATS`` (any case).
        height: Image height (used by the relative formats).
        width: Image width.
    """
    return convert_boxes(boxes.to(torch.float32), _standard(fmt), "xyxy", height, width)


def from_xyxy(boxes: torch.Tensor, fmt: str, height: int, width: int) -> torch.Tensor:
    """Absolute ``xyxy`` boxes -> ``fmt`` (float32); the inverse of ``to_xyxy``."""
    return convert_boxes(boxes.to(torch.float32), "xyxy", _standard(fmt), height, width)


def _standard(fmt: str) -> str:
    fmt = fmt.lower()
    if fmt not in FORMATS:
        raise ValueError("Unknown bounding box format %r. Supported formats: %s"
                         % (fmt, FORMATS))
    return fmt


def clip_xyxy(boxes: torch.Tensor, labels, height: int, width: int):
    """Clips ``xyxy`` boxes to the image; boxes left with no area get label ``-1``.

    Returns:
        ``(boxes, labels)`` (``labels`` is None when given None).
    """
    x0, y0, x1, y1 = boxes.unbind(-1)
    x0, x1 = x0.clamp(0, width), x1.clamp(0, width)
    y0, y1 = y0.clamp(0, height), y1.clamp(0, height)
    clipped = torch.stack([x0, y0, x1, y1], dim=-1)
    if labels is not None:
        area = (x1 - x0) * (y1 - y0)
        # per-class label vectors (B, N, C) are marked whole
        keep = (area > 0).view(area.shape + (1,) * (labels.dim() - area.dim()))
        labels = torch.where(keep, labels, torch.full_like(labels, -1))
    return clipped, labels


def check_bounding_boxes(layer_name: str, bounding_boxes, batched: bool) -> None:
    """Raises ValueError unless ``bounding_boxes`` is ``{"boxes": (B, N, 4), "labels": (B, N)}``
    (without the batch axis for a single image)."""
    if not isinstance(bounding_boxes, dict) or "boxes" not in bounding_boxes \
            or "labels" not in bounding_boxes:
        raise ValueError("%s: `bounding_boxes` must be a dict with keys 'boxes' and 'labels'. "
                         "Received: %r" % (layer_name, type(bounding_boxes).__name__
                                           if not isinstance(bounding_boxes, dict)
                                           else sorted(bounding_boxes)))
    boxes, labels = bounding_boxes["boxes"], bounding_boxes["labels"]
    rank = 3 if batched else 2
    if boxes.dim() != rank or boxes.shape[-1] != 4:
        raise ValueError("%s: `bounding_boxes['boxes']` must have shape %s. Received: "
                         "boxes.shape=%s" % (layer_name, "(batch, num_boxes, 4)" if batched
                                             else "(num_boxes, 4)", tuple(boxes.shape)))
    if tuple(labels.shape[:rank - 1]) != tuple(boxes.shape[:rank - 1]):
        raise ValueError("%s: `bounding_boxes['labels']` must have shape %s matching the "
                         "boxes. Received: boxes.shape=%s, labels.shape=%s"
                         % (layer_name, tuple(boxes.shape[:-1]), tuple(boxes.shape),
                            tuple(labels.shape)))


def crop_resize_xyxy(boxes: torch.Tensor, labels, top, left, crop_height, crop_width,
                     out_height: int, out_width: int):
    """``xyxy`` boxes of the window ``(top, left, crop_height, crop_width)`` of an image,
    after that window is resized to ``out_height x out_width``; clipped to the output (a
    negative ``top``/``left`` is padding). ``top``/``left`` may be ``(B, 1)`` tensors.

    Returns:
        ``(boxes, labels)`` as ``clip_xyxy`` gives them.
    """
    x0, y0, x1, y1 = boxes.unbind(-1)
    sx, sy = out_width / crop_width, out_height / crop_height
    moved = torch.stack([(x0 - left) * sx, (y0 - top) * sy, (x1 - left) * sx, (y1 - top) * sy],
                        dim=-1)
    return clip_xyxy(moved, labels, out_height, out_width)


def transform_boxes_through_window(fmt: str, bounding_boxes: dict, window: tuple, height: int,
                                   width: int, out_height: int, out_width: int) -> dict:
    """Boxes in ``fmt`` of a ``height x width`` image -> boxes of its crop/pad ``window``
    ``(top, left, crop_height, crop_width)`` resized to ``out_height x out_width``.

    Padding rows (all 0 or all -1, e.g. from MaxNumBoundingBoxes) come out as zeros, as
    Keras's Resizing gives them."""
    raw = bounding_boxes["boxes"]
    padding = ((raw == 0) | (raw == -1)).all(-1, keepdim=True) & \
        ((raw == raw[..., :1]).all(-1, keepdim=True))
    boxes = to_xyxy(raw, fmt, height, width)
    boxes, labels = crop_resize_xyxy(boxes, bounding_boxes["labels"], *window, out_height,
                                     out_width)
    boxes = torch.where(padding, torch.zeros_like(boxes), boxes)
    return {"boxes": from_xyxy(boxes, fmt, out_height, out_width), "labels": labels}
