"""Encoding boxes as offsets from anchors, and decoding them back (detection heads)."""
from __future__ import annotations

from torchkeras import config, ops
from torchkeras.layers.preprocessing.bounding_boxes.converters import convert_format

_ENCODINGS = ("center_xywh", "center_yxhw")


def _check_variance(variance):
    if variance is None:
        return None
    variance = ops.convert_to_tensor(variance, "float32")
    if tuple(variance.shape)[-1:] != (4,):
        raise ValueError("`variance` must be length 4, got %s" % (variance,))
    return variance


def _image_size(image_shape):
    if image_shape is None:
        return None, None
    height, width, _ = image_shape
    return height, width


def encode_box_to_deltas(anchors, boxes, anchor_format: str, box_format: str,
                         encoding_format: str = "center_yxhw", variance=None,
                         image_shape=None):
    """Encodes boxes as deltas (centre offsets and log size ratios) from anchors.

    Both are converted to ``encoding_format``; the deltas are
    ``(centre - anchor_centre) / anchor_size`` and ``log(size / anchor_size)``, divided by
    ``variance`` when given.

    Args:
        anchors: Anchor boxes ``(N, 4)``.
        boxes: Boxes ``(N, 4)`` or ``(batch, N, 4)``.
        anchor_format: Format of ``anchors``.
        box_format: Format of ``boxes``.
        encoding_format: ``"center_yxhw"`` (default) or ``"center_xywh"``.
        variance: Optional 4 factors the deltas are divided by.
        image_shape: ``(height, width, channels)``, needed for relative formats.

    Returns:
        The deltas, shaped like ``boxes``.

    Raises:
        ValueError: For a ``variance`` not of length 4 or an unknown ``encoding_format``.

    Example:
        >>> encode_box_to_deltas(np.array([[0., 0., 10., 10.]]),
        ...                      np.array([[1., 1., 11., 11.]]), "xyxy", "xyxy")
        tensor([[0.1000, 0.1000, 0.0000, 0.0000]])
    """
    variance = _check_variance(variance)
    if encoding_format not in _ENCODINGS:
        raise ValueError("`encoding_format` should be one of 'center_xywh' or "
                         "'center_yxhw', got %s" % (encoding_format,))
    height, width = _image_size(image_shape)
    anchors = convert_format(anchors, source=anchor_format, target=encoding_format,
                             height=height, width=width)
    boxes = convert_format(boxes, source=box_format, target=encoding_format, height=height,
                           width=width)
    anchor_size = ops.maximum(anchors[..., 2:], config.epsilon())
    box_size = ops.maximum(boxes[..., 2:], config.epsilon())
    deltas = ops.concatenate([(boxes[..., :2] - anchors[..., :2]) / anchor_size,
                              ops.log(box_size / anchor_size)], axis=-1)
    if variance is not None:
        deltas = deltas / variance
    return deltas


def decode_deltas_to_boxes(anchors, boxes_delta, anchor_format: str, box_format: str,
                           encoded_format: str = "center_yxhw", variance=None,
                           image_shape=None):
    """Turns deltas from anchors back into boxes in ``box_format``.

    The inverse of :func:`encode_box_to_deltas`. ``anchors`` and ``boxes_delta`` may
    both be dicts (one entry per feature-pyramid level); a dict of boxes is returned.

    Args:
        anchors: Anchor boxes ``(N, 4)``, or a dict of them.
        boxes_delta: Deltas ``(N, 4)`` or ``(batch, N, 4)``, or a dict like ``anchors``.
        anchor_format: Format of ``anchors``.
        box_format: Format of the returned boxes.
        encoded_format: ``"center_yxhw"`` (default) or ``"center_xywh"``.
        variance: Optional 4 factors the deltas are multiplied by first.
        image_shape: ``(height, width, channels)``, needed for relative formats.

    Returns:
        The decoded boxes (a dict of them for dict inputs).

    Raises:
        ValueError: For a ``variance`` not of length 4 or an unknown ``encoded_format``.

    Example:
        >>> decode_deltas_to_boxes(np.array([[0., 0., 10., 10.]]),
        ...                        np.array([[0.1, 0.1, 0., 0.]]), "xyxy", "xyxy")
        tensor([[ 1.,  1., 11., 11.]])
    """
    variance = _check_variance(variance)
    if encoded_format not in _ENCODINGS:
        raise ValueError("`encoded_format` should be 'center_xywh' or 'center_yxhw', but "
                         "got '%s'." % (encoded_format,))
    height, width = _image_size(image_shape)

    def decode(anchor, delta):
        anchor = convert_format(anchor, source=anchor_format, target=encoded_format,
                                height=height, width=width)
        delta = ops.convert_to_tensor(delta)
        if variance is not None:
            delta = delta * variance
        box = ops.concatenate([delta[..., :2] * anchor[..., 2:] + anchor[..., :2],
                               ops.exp(delta[..., 2:]) * anchor[..., 2:]], axis=-1)
        return convert_format(box, source=encoded_format, target=box_format, height=height,
                              width=width)

    if isinstance(anchors, dict) and isinstance(boxes_delta, dict):
        return {level: decode(anchor, boxes_delta[level]) for level, anchor in anchors.items()}
    return decode(anchors, boxes_delta)
