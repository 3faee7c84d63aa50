"""Converting, clipping, cropping, padding and affinely transforming bounding boxes.

The functions follow ``keras.utils.bounding_boxes``: same names, arguments, defaults,
dtypes and errors; they take torch tensors, numpy arrays or lists and return torch
tensors. ``keras.ops`` functions do the arithmetic so dtype promotion is Keras's.
"""
from __future__ import annotations

import math

import torch

from torchkeras import ops
from torchkeras.layers.preprocessing.bounding_boxes.formats import SUPPORTED_FORMATS, convert_boxes


def convert_format(boxes, source: str, target: str, height=None, width=None,
                   dtype: str = "float32"):
    """Converts bounding boxes from one format to another.

    Args:
        boxes: Boxes ``(..., 4)`` (tensor, array or list), or a dict whose ``"boxes"``
            entry holds them; the dict's ``"boxes"`` is replaced and the dict returned,
            as in Keras.
        source: Format of ``boxes`` (case-insensitive), one of ``SUPPORTED_FORMATS``.
        target: Format to convert to.
        height: Image height; required when either format is relative (``rel_*``).
        width: Image width; required when either format is relative.
        dtype: Dtype of the returned boxes. Defaults to ``"float32"``.

    Returns:
        The converted boxes (a tensor), or the dict holding them.

    Raises:
        ValueError: For an unknown format, a last axis other than 4, or a relative format
            without ``height`` and ``width``.

    Example:
        >>> convert_format(np.array([[10, 20, 30, 40]]), source="xyxy", target="xywh")
        tensor([[10., 20., 20., 20.]])
    """
    if isinstance(boxes, dict):
        boxes["boxes"] = convert_format(boxes["boxes"], source, target, height=height,
                                        width=width, dtype=dtype)
        return boxes
    shape = tuple(ops.shape(boxes))
    if not shape or shape[-1] != 4:
        raise ValueError("`boxes` must be a tensor with the last dimension of 4. "
                         "Received: boxes.shape=%s" % (shape,))
    source, target = str(source).lower(), str(target).lower()
    if source not in SUPPORTED_FORMATS or target not in SUPPORTED_FORMATS:
        raise ValueError("Invalid source or target format (source=%r, target=%r). "
                         "Supported formats: %s" % (source, target, SUPPORTED_FORMATS))
    if (source.startswith("rel_") or target.startswith("rel_")) and (
            height is None or width is None):
        raise ValueError("convert_format() must receive `height` and `width` to convert "
                         "between relative and absolute formats. Received source=%r, "
                         "target=%r, height=%r, width=%r." % (source, target, height, width))
    boxes = ops.cast(boxes, dtype)
    if source == target:
        return boxes
    height = None if height is None else _on(ops.cast(height, dtype), boxes)
    width = None if width is None else _on(ops.cast(width, dtype), boxes)
    return convert_boxes(boxes, source, target, height=height, width=width)


def _on(value: torch.Tensor, like: torch.Tensor) -> torch.Tensor:
    # Image sizes made from Python numbers land on the default device; boxes may not.
    return value if value.device == like.device else value.to(like.device)


def _area_xyxy(boxes):
    x1, y1, x2, y2 = ops.split(boxes, 4, axis=-1)
    return ops.squeeze((x2 - x1) * (y2 - y1), axis=-1)


def clip_to_image_size(bounding_boxes: dict, height=None, width=None,
                       bounding_box_format: str = "xyxy") -> dict:
    """Clips boxes to the image and marks the labels of boxes left empty with ``-1``.

    Args:
        bounding_boxes: A dict with ``"boxes"`` ``(N, 4)`` or ``(batch, N, 4)`` and
            optionally ``"labels"`` ``(N,)`` or ``(batch, N)``.
        height: Image height (required for ``"xyxy"``).
        width: Image width (required for ``"xyxy"``).
        bounding_box_format: ``"xyxy"`` (clip to ``[0, width] x [0, height]``) or
            ``"rel_xyxy"`` (clip to ``[0, 1]``).

    Returns:
        A new dict (a shallow copy of the input) with the clipped ``"boxes"`` and, when
        given, the updated ``"labels"``.

    Raises:
        NotImplementedError: For another ``bounding_box_format``, as in Keras.
        ValueError: For ``"xyxy"`` without ``height`` and ``width``.
        TypeError: When ``bounding_boxes`` is not a dict.

    Example:
        >>> clip_to_image_size({"boxes": np.array([[-10., -20., 150., 160.]]),
        ...                     "labels": np.array([1])}, height=100, width=120)["boxes"]
        tensor([[  0.,   0., 120., 100.]], dtype=torch.float64)
    """
    if bounding_box_format not in ("xyxy", "rel_xyxy"):
        raise NotImplementedError("clip_to_image_size() supports bounding_box_format "
                                  "'xyxy' and 'rel_xyxy'. Received: %r" % (bounding_box_format,))
    if bounding_box_format == "xyxy" and (height is None or width is None):
        raise ValueError("`height` and `width` must be set if `format='xyxy'`.")
    if not isinstance(bounding_boxes, dict):
        raise TypeError("clip_to_image_size() expects `bounding_boxes` to be a dict with "
                        "'boxes' (and optionally 'labels'). Received: %s"
                        % type(bounding_boxes).__name__)
    boxes = ops.convert_to_tensor(bounding_boxes["boxes"])
    labels = bounding_boxes.get("labels", None)
    if bounding_box_format == "xyxy":
        high_x = _on(ops.cast(width, boxes.dtype), boxes)
        high_y = _on(ops.cast(height, boxes.dtype), boxes)
        low = 0
    else:
        high_x = high_y = 1.0
        low = 0.0
    x1, y1, x2, y2 = ops.split(boxes, 4, axis=-1)
    boxes = ops.concatenate([ops.clip(x1, low, high_x), ops.clip(y1, low, high_y),
                             ops.clip(x2, low, high_x), ops.clip(y2, low, high_y)], axis=-1)
    result = bounding_boxes.copy()
    result["boxes"] = boxes
    if labels is not None:
        result["labels"] = ops.where(_area_xyxy(boxes) > 0, labels, -1)
    return result


def crop(boxes, top, left, height, width, bounding_box_format: str = "xyxy"):
    """Shifts ``xyxy`` boxes into a crop window and clips them to it.

    Args:
        boxes: Boxes ``(N, 4)`` or ``(batch, N, 4)`` in ``xyxy``.
        top: Top offset of the crop window.
        left: Left offset of the crop window.
        height: Height of the crop window.
        width: Width of the crop window.
        bounding_box_format: Must be ``"xyxy"``.

    Returns:
        The cropped boxes.

    Raises:
        NotImplementedError: For a format other than ``"xyxy"``, as in Keras.

    Example:
        >>> crop(np.array([[10, 20, 50, 60]]), top=10, left=20, height=40, width=30)
        tensor([[ 0, 10, 30, 40]])
    """
    if bounding_box_format != "xyxy":
        raise NotImplementedError("crop() supports bounding_box_format='xyxy' only. "
                                  "Received: %r" % (bounding_box_format,))
    x1, y1, x2, y2 = ops.split(boxes, 4, axis=-1)
    return ops.concatenate([ops.clip(x1 - left, 0, width), ops.clip(y1 - top, 0, height),
                            ops.clip(x2 - left, 0, width), ops.clip(y2 - top, 0, height)],
                           axis=-1)


def pad(boxes, top, left, height=None, width=None, bounding_box_format: str = "xyxy"):
    """Shifts ``xyxy`` boxes by the padding added above and left of the image.

    Args:
        boxes: Boxes ``(N, 4)`` or ``(batch, N, 4)`` in ``xyxy``.
        top: Rows of padding added above.
        left: Columns of padding added on the left.
        height: Unused (kept for Keras's signature).
        width: Unused (kept for Keras's signature).
        bounding_box_format: Must be ``"xyxy"``.

    Returns:
        The shifted boxes.

    Raises:
        NotImplementedError: For a format other than ``"xyxy"``, as in Keras.

    Example:
        >>> pad(np.array([[1., 2., 3., 4.]]), top=10, left=5)
        tensor([[ 6., 12.,  8., 14.]], dtype=torch.float64)
    """
    if bounding_box_format != "xyxy":
        raise NotImplementedError("pad() supports bounding_box_format='xyxy' only. "
                                  "Received: %r" % (bounding_box_format,))
    x1, y1, x2, y2 = ops.split(boxes, 4, axis=-1)
    return ops.concatenate([x1 + left, y1 + top, x2 + left, y2 + top], axis=-1)


def _inverse_affine_matrix(center_x, center_y, angle, translate_x, translate_y, scale,
                           shear_x, shear_y, height, width):
    # The (inverse) matrix the image layers warp with; boxes move by the same matrix.
    batch_size = ops.shape(angle)[0]
    dtype = angle.dtype
    angle, shear_x, shear_y = -angle, -shear_x, -shear_y
    cx = ops.multiply(center_x, width - 1)
    cy = ops.multiply(center_y, height - 1)
    rot = ops.multiply(angle, math.pi / 180.0)
    tx = ops.multiply(-translate_x, width - 1)
    ty = ops.multiply(-translate_y, height - 1)
    sx = ops.multiply(shear_x, math.pi / 180.0)
    sy = ops.multiply(shear_y, math.pi / 180.0)
    cos_sy, tan_sx = ops.cos(sy), ops.tan(sx)
    a = ops.cos(rot - sy) / cos_sy
    b = a * tan_sx + ops.sin(rot)
    c = -ops.sin(rot - sy) / cos_sy
    d = ops.cos(rot) - c * tan_sx
    a0, a1 = ops.multiply(d, scale), ops.multiply(-b, scale)
    b0, b1 = ops.multiply(-c, scale), ops.multiply(a, scale)
    a2 = cx - a0 * (cx + tx) - a1 * (cy + ty)
    b2 = cy - b0 * (cx + tx) - b1 * (cy + ty)
    zeros = torch.zeros(batch_size, dtype=dtype, device=angle.device)
    ones = torch.ones(batch_size, dtype=dtype, device=angle.device)
    return ops.reshape(ops.stack([a0, a1, a2, b0, b1, b2, zeros, zeros, ones], axis=-1),
                       [batch_size, 3, 3])


def affine_transform(boxes, angle, translate_x, translate_y, scale, shear_x, shear_y,
                     height, width, center_x=None, center_y=None,
                     bounding_box_format: str = "xyxy"):
    """Moves boxes by an affine transform and returns the boxes enclosing their corners.

    The transform is the one Keras's ``RandomAffine``-style layers apply to images
    (rotation, translation, scale, shear about a centre), so boxes follow the pixels.

    Args:
        boxes: Boxes ``(batch, N, 4)`` in ``xyxy``.
        angle: Rotation in degrees, shape ``(batch,)``.
        translate_x: Horizontal translation as a fraction of the width, ``(batch,)``.
        translate_y: Vertical translation as a fraction of the height, ``(batch,)``.
        scale: Scale factor, ``(batch,)``.
        shear_x: Horizontal shear in degrees, ``(batch,)``.
        shear_y: Vertical shear in degrees, ``(batch,)``.
        height: Image height.
        width: Image width.
        center_x: Centre of the transform as a fraction of the width (default 0.5).
        center_y: Centre of the transform as a fraction of the height (default 0.5).
        bounding_box_format: Must be ``"xyxy"``.

    Returns:
        The transformed boxes, ``(batch, N, 4)``, in the dtype of ``angle``.

    Raises:
        NotImplementedError: For a format other than ``"xyxy"``, as in Keras.

    Example:
        >>> affine_transform(np.array([[[10., 10., 20., 20.]]], "float32"),
        ...                  angle=np.zeros(1, "float32"), translate_x=np.zeros(1),
        ...                  translate_y=np.zeros(1), scale=np.ones(1), shear_x=np.zeros(1),
        ...                  shear_y=np.zeros(1), height=32, width=32).shape
        torch.Size([1, 1, 4])
    """
    if bounding_box_format != "xyxy":
        raise NotImplementedError("affine_transform() supports bounding_box_format='xyxy' "
                                  "only. Received: %r" % (bounding_box_format,))
    boxes = ops.convert_to_tensor(boxes)
    # Every parameter joins the boxes' device (numpy and Python values start elsewhere).
    angle, translate_x, translate_y, scale, shear_x, shear_y = (
        _on(ops.convert_to_tensor(v), boxes)
        for v in (angle, translate_x, translate_y, scale, shear_x, shear_y))
    shape = tuple(boxes.shape)
    if len(shape) != 3 or shape[-1] != 4:
        raise ValueError("affine_transform() expects `boxes` of shape (batch, num_boxes, 4). "
                         "Received: boxes.shape=%s" % (shape,))
    batch, n_boxes = shape[0], shape[1]
    matrix = _inverse_affine_matrix(0.5 if center_x is None else center_x,
                                    0.5 if center_y is None else center_y, angle, translate_x,
                                    translate_y, scale, shear_x, shear_y, height, width)
    boxes = ops.cast(boxes, matrix.dtype)
    x1, y1, x2, y2 = boxes[..., 0], boxes[..., 1], boxes[..., 2], boxes[..., 3]
    # The four corners of each box as homogeneous points (x, y, 1).
    corners = torch.stack([x1, y1, x2, y1, x2, y2, x1, y2], dim=-1).reshape(
        batch, n_boxes, 4, 2)
    corners = torch.cat([corners, torch.ones_like(corners[..., :1])], dim=-1)
    moved = torch.einsum("bnxy,byz->bnxz", corners, matrix[:, :2, :].transpose(1, 2))
    return torch.cat([moved.amin(dim=2), moved.amax(dim=2)], dim=-1)
