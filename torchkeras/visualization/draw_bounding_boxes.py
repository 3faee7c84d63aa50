"""draw_bounding_boxes: box outlines (and class labels) burnt into a batch of images."""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from torchkeras import config as _config
from torchkeras.visualization.box_formats import batched_images, boxes_to_xyxy, to_numpy


def _as_uint8(images: np.ndarray) -> np.ndarray:
    # Floats in [0, 1] are scaled to [0, 255]; larger floats are clipped, as Keras does.
    if images.dtype.kind == "f" and images.size > 0:
        if images.max() <= 1.0:
            images = np.clip(images, 0, 1) * 255
        else:
            images = np.clip(images, 0, 255)
    return images.astype("uint8")


def _paint_rectangle(image: np.ndarray, box, color: np.ndarray, thickness: int) -> None:
    """Outline ``box`` (x1, y1, x2, y2 inclusive) with bands ``thickness`` pixels wide
    centred on its edges, clipped to the image."""
    h, w = image.shape[:2]
    x1, y1, x2, y2 = box
    lo = -((thickness - 1) // 2)
    hi = lo + thickness   # band: [edge + lo, edge + hi)

    def rows(a, b):
        return slice(max(min(a, b), 0), max(min(max(a, b), h), 0))

    def cols(a, b):
        return slice(max(min(a, b), 0), max(min(max(a, b), w), 0))

    left, right = min(x1, x2), max(x1, x2)
    top, bottom = min(y1, y2), max(y1, y2)
    for y in (top, bottom):
        image[rows(y + lo, y + hi), cols(left + lo, right + hi)] = color
    for x in (left, right):
        image[rows(top + lo, bottom + hi), cols(x + lo, x + hi)] = color


def _text_origin(x: int, y: int, font_scale: float, thickness: int) -> tuple[int, int]:
    """Baseline origin of a label: above the box when there is room, else inside it."""
    font_height = int(font_scale * 12)
    if y - 8 - 2 * font_height > 0:
        return x, y - 8
    return x + 3, y + 2 * font_height + thickness + 3


def draw_bounding_boxes(images: Any, bounding_boxes: dict, bounding_box_format: str,
                        class_mapping: dict | None = None,
                        color: Sequence[int] = (128, 128, 128), line_thickness: int = 2,
                        text_thickness: int = 1, font_scale: float = 1.0,
                        data_format: str | None = None) -> np.ndarray:
    """Draws bounding boxes (and, with ``class_mapping``, their class names and
    confidences) on a batch of images.

    Boxes whose label is ``-1`` (padding) are skipped. Outlines are painted with numpy
    (bands ``line_thickness`` pixels wide centred on the box edges); labels are rendered
    with Pillow's default font (Keras uses OpenCV, so labels differ in glyphs — not in
    position or colour — and Pillow is needed only when labels are drawn).

    Args:
        images: ``(batch, height, width, channels)`` images (or channels-first), numpy or
            torch; floats in ``[0, 1]`` are scaled to 255, other floats clipped to 255.
        bounding_boxes: Dict with ``"boxes"`` ``(batch, num_boxes, 4)``, ``"labels"``
            ``(batch, num_boxes)`` and optionally ``"confidences"`` ``(batch, num_boxes)``.
        bounding_box_format: Format of the boxes (``"xyxy"``, ``"yxyx"``, ``"xywh"``,
            ``"center_xywh"``, ``"center_yxhw"`` or a ``"rel_"`` variant).
        class_mapping: Dict from class id to the name written next to its boxes.
        color: RGB colour of boxes and text.
        line_thickness: Outline thickness in pixels.
        text_thickness: Text stroke thickness; ``None`` or 0 means ``line_thickness``.
        font_scale: Text size (1.0 is about 20 pixels high).
        data_format: ``"channels_last"`` or ``"channels_first"``; ``None`` is
            ``keras.config.image_data_format()``.

    Returns:
        A ``uint8`` numpy array with the shape (and layout) of ``images``.

    Example:
        >>> out = draw_bounding_boxes(np.zeros((1, 32, 32, 3)),
        ...                           {"boxes": [[[4, 4, 20, 20]]], "labels": [[0]]}, "xyxy")
    """
    class_mapping = class_mapping or {}
    text_thickness = text_thickness or line_thickness
    data_format = _config.standardize_data_format(data_format)
    array = batched_images(images)
    if not isinstance(bounding_boxes, dict):
        raise TypeError("`bounding_boxes` should be a dict. Received: bounding_boxes of type "
                        "%s" % type(bounding_boxes).__name__)
    if "boxes" not in bounding_boxes or "labels" not in bounding_boxes:
        raise ValueError("`bounding_boxes` should be a dict containing 'boxes' and 'labels' "
                         "keys. Received keys: %s" % sorted(bounding_boxes))
    if isinstance(line_thickness, bool) or not isinstance(line_thickness, int) or \
            line_thickness < 1:
        raise ValueError("`line_thickness` must be a positive integer. Received: %r"
                         % (line_thickness,))
    if data_format == "channels_first":
        array = array.transpose(0, 2, 3, 1)
    height, width, channels = array.shape[1:]
    boxes = boxes_to_xyxy(bounding_boxes["boxes"], bounding_box_format, height, width)
    labels = to_numpy(bounding_boxes["labels"])
    confidences = (to_numpy(bounding_boxes["confidences"])
                   if "confidences" in bounding_boxes else None)
    if boxes.shape[:2] != labels.shape[:2] or boxes.shape[0] != array.shape[0]:
        raise ValueError("`bounding_boxes` must hold boxes (batch, num_boxes, 4) and labels "
                         "(batch, num_boxes) for the %d images. Received: boxes %s, labels %s"
                         % (array.shape[0], boxes.shape, labels.shape))
    rgb = [int(v) for v in color]
    paint = np.array((rgb + [255] * channels)[:channels], dtype="uint8")

    out = np.ascontiguousarray(_as_uint8(array))
    for i in range(out.shape[0]):
        texts = []
        for j in range(boxes.shape[1]):
            cls = int(labels[i, j])
            if cls == -1:
                continue
            x1, y1, x2, y2 = (int(v) for v in boxes[i, j])
            _paint_rectangle(out[i], (x1, y1, x2, y2), paint, line_thickness)
            if cls in class_mapping:
                text = str(class_mapping[cls])
                if confidences is not None:
                    text = "%s | %.2f" % (text, float(confidences[i, j]))
                texts.append((_text_origin(x1, y1, font_scale, text_thickness), text))
        if texts:
            out[i] = _draw_texts(out[i], texts, tuple(paint.tolist()), font_scale,
                                 text_thickness)
    if data_format == "channels_first":
        out = out.transpose(0, 3, 1, 2)
    return np.ascontiguousarray(out)


def _draw_texts(image: np.ndarray, texts: list, fill: tuple, font_scale: float,
                thickness: int) -> np.ndarray:
    # Pillow is an optional dependency (the "vision" extra): imported only to write text.
    try:
        from PIL import Image, ImageDraw, ImageFont
    except ImportError:
        raise ImportError("Drawing class labels needs Pillow: pip install pillow "
                          "(or pass class_mapping=None).") from None
    squeeze = image.shape[-1] == 1
    pil = Image.fromarray(image[..., 0] if squeeze else image)
    draw = ImageDraw.Draw(pil)
    size = max(int(round(20 * font_scale)), 1)
    try:
        font = ImageFont.load_default(size=size)
    except TypeError:   # Pillow < 10.1: one fixed-size bitmap font
        font = ImageFont.load_default()
    ink = fill[0] if squeeze else fill
    for (x, y), text in texts:
        try:
            draw.text((x, y), text, fill=ink, font=font, anchor="ls",
                      stroke_width=max(thickness - 1, 0), stroke_fill=ink)
        except ValueError:   # a bitmap font has no baseline anchor: place its top instead
            draw.text((x, y - size), text, fill=ink, font=font)
    result = np.asarray(pil)
    return result[..., None] if squeeze else result
