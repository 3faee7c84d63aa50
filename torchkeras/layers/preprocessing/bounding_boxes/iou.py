"""Intersection over union (pairwise) and complete IoU (element-wise) of boxes."""
from __future__ import annotations

import math

from torchkeras import config, ops
from torchkeras.layers.preprocessing.bounding_boxes.converters import convert_format


def _swap_last(x):
    # (N, 1) -> (1, N); (B, N, 1) -> (B, 1, N)
    return ops.transpose(x, [1, 0] if len(x.shape) == 2 else [0, 2, 1])


def _area_yxyx(boxes):
    y1, x1, y2, x2 = ops.split(boxes[..., :4], 4, axis=-1)
    return ops.squeeze((y2 - y1) * (x2 - x1), axis=-1)


def _intersection_yxyx(boxes1, boxes2):
    y1a, x1a, y2a, x2a = ops.split(boxes1[..., :4], 4, axis=-1)
    y1b, x1b, y2b, x2b = ops.split(boxes2[..., :4], 4, axis=-1)
    height = ops.minimum(y2a, _swap_last(y2b)) - ops.maximum(y1a, _swap_last(y1b))
    width = ops.minimum(x2a, _swap_last(x2b)) - ops.maximum(x1a, _swap_last(x1b))
    zero = ops.cast(0, height.dtype)
    return ops.maximum(zero, height) * ops.maximum(zero, width)


def compute_iou(boxes1, boxes2, bounding_box_format: str, use_masking: bool = False,
                mask_val: int = -1, image_shape=None):
    """The IoU of every box of ``boxes1`` with every box of ``boxes2``.

    Shapes: ``(M, 4)`` with ``(N, 4)`` gives ``(M, N)``; with a batch on either or both
    sides, ``(batch, M, N)``.

    Args:
        boxes1: Boxes ``(M, 4)`` or ``(batch, M, 4)``.
        boxes2: Boxes ``(N, 4)`` or ``(batch, N, 4)``.
        bounding_box_format: Format of both sets of boxes.
        use_masking: When true, pairs where either box has all coordinates below 0
            (padding) get ``mask_val``.
        mask_val: The IoU given to masked pairs. Defaults to ``-1``.
        image_shape: ``(height, width, channels)``; required for relative formats.

    Returns:
        The IoU table (float32).

    Raises:
        ValueError: For boxes of rank other than 2 or 3, or a relative format without
            ``image_shape``.

    Example:
        >>> compute_iou(np.array([[0., 0., 2., 2.]]), np.array([[1., 1., 3., 3.]]), "xyxy")
        tensor([[0.1429]])
    """
    rank1, rank2 = len(ops.shape(boxes1)), len(ops.shape(boxes2))
    for label, rank in (("boxes1", rank1), ("boxes2", rank2)):
        if rank not in (2, 3):
            raise ValueError("compute_iou() expects %s to be batched, or to be unbatched. "
                             "Received len(boxes1.shape)=%d, len(boxes2.shape)=%d. Expected "
                             "either len(%s.shape)=2 or len(%s.shape)=3."
                             % (label, rank1, rank2, label, label))
    if "rel" in bounding_box_format and image_shape is None:
        raise ValueError("When using relative bounding box formats (e.g. `rel_yxyx`) the "
                         "`image_shape` argument must be provided. Received `image_shape`: "
                         "%s" % (image_shape,))
    height, width = (None, None) if image_shape is None else tuple(image_shape)[:2]
    boxes1 = convert_format(boxes1, source=bounding_box_format, target="yxyx", height=height,
                            width=width)
    boxes2 = convert_format(boxes2, source=bounding_box_format, target="yxyx", height=height,
                            width=width)
    intersection = _intersection_yxyx(boxes1, boxes2)
    area1 = ops.expand_dims(_area_yxyx(boxes1), axis=-1)
    area2 = _area_yxyx(boxes2)
    area2 = ops.expand_dims(area2, axis=1 if len(area2.shape) == 2 else 0)
    iou = ops.divide(intersection, area1 + area2 - intersection + config.epsilon())
    if not use_masking:
        return iou
    masked = ops.logical_or(ops.less(ops.max(boxes1, axis=-1, keepdims=True), 0.0),
                            _swap_last(ops.less(ops.max(boxes2, axis=-1, keepdims=True), 0.0)))
    return ops.where(masked, ops.cast(mask_val, iou.dtype) * ops.ones_like(iou), iou)


def compute_ciou(boxes1, boxes2, bounding_box_format: str, image_shape=None):
    """Complete IoU of ``boxes1`` and ``boxes2``, element by element (broadcast).

    CIoU is the IoU minus the squared centre distance over the squared diagonal of the
    enclosing box, minus an aspect-ratio term.

    Args:
        boxes1: Boxes ``(..., 4)``.
        boxes2: Boxes ``(..., 4)``, broadcastable against ``boxes1``.
        bounding_box_format: Format of both; relative formats are refused, as in Keras.
        image_shape: ``(height, width, channels)``.

    Returns:
        The CIoU, shape ``(...)``.

    Raises:
        ValueError: For a relative ``bounding_box_format``.

    Example:
        >>> compute_ciou(np.array([[0., 0., 2., 2.]]), np.array([[0., 0., 2., 2.]]), "xyxy")
        tensor([1.0000])
    """
    if "rel" in bounding_box_format:
        raise ValueError("When using relative bounding box formats (e.g. `rel_yxyx`) the "
                         "`image_shape` argument must be provided. Received `image_shape`: "
                         "%s" % (image_shape,))
    height, width = (None, None) if image_shape is None else tuple(image_shape)[:2]
    eps = config.epsilon()
    boxes1 = convert_format(boxes1, source=bounding_box_format, target="xyxy", height=height,
                            width=width)
    boxes2 = convert_format(boxes2, source=bounding_box_format, target="xyxy", height=height,
                            width=width)
    x1a, y1a, x2a, y2a = ops.split(boxes1[..., :4], 4, axis=-1)
    x1b, y1b, x2b, y2b = ops.split(boxes2[..., :4], 4, axis=-1)
    w1, h1 = x2a - x1a, y2a - y1a + eps
    w2, h2 = x2b - x1b, y2b - y1b + eps
    inter = (ops.maximum(ops.minimum(x2a, x2b) - ops.maximum(x1a, x1b), 0)
             * ops.maximum(ops.minimum(y2a, y2b) - ops.maximum(y1a, y1b), 0))
    union = w1 * h1 + w2 * h2 - inter + eps
    iou = ops.squeeze(ops.divide(inter, union + eps), axis=-1)
    enclosing_w = ops.maximum(x2a, x2b) - ops.minimum(x1a, x1b)
    enclosing_h = ops.maximum(y2a, y2b) - ops.minimum(y1a, y1b)
    diagonal_sq = ops.squeeze(enclosing_w ** 2 + enclosing_h ** 2 + eps, axis=-1)
    centre_sq = ops.squeeze(((x1a + x2a) / 2 - (x1b + x2b) / 2) ** 2
                            + ((y1a + y2a) / 2 - (y1b + y2b) / 2) ** 2, axis=-1)
    v = ops.squeeze((4 / math.pi ** 2)
                    * ops.power(ops.arctan(w2 / h2) - ops.arctan(w1 / h1), 2), axis=-1)
    alpha = v / (v - iou + (1 + eps))
    return iou - (centre_sq / diagonal_sq + v * alpha)
