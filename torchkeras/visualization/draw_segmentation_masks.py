"""draw_segmentation_masks: class masks painted (and blended) over a batch of images."""
from __future__ import annotations

from typing import Any

import numpy as np
import torch

from torchkeras import config as _config
from torchkeras.visualization.box_formats import to_numpy


def _palette(num_classes: int) -> list:
    # Keras's default colours: class i gets (i * (2**25-1, 2**15-1, 2**21-1)) mod 255.
    base = np.array([2 ** 25 - 1, 2 ** 15 - 1, 2 ** 21 - 1])
    return [((i * base) % 255).tolist() for i in range(num_classes)]


def draw_segmentation_masks(images: Any, segmentation_masks: Any, num_classes: int | None = None,
                            color_mapping: dict | None = None, alpha: float = 0.8,
                            blend: bool = True, ignore_index: int = -1,
                            data_format: str | None = None) -> np.ndarray:
    """Paints each class of integer masks in its colour over a batch of images.

    Every pixel of class ``c`` in ``[0, num_classes)`` (class 0 too, in black by default,
    as in Keras) takes ``color_mapping[c]``; with ``blend`` the result is
    ``image * (1 - alpha) + colour * alpha`` on pixels whose mask is not
    ``ignore_index``. Mask values outside ``[0, num_classes)`` are left unpainted.

    Args:
        images: ``(batch, height, width, channels)`` images (or channels-first).
        segmentation_masks: Integer masks ``(batch, height, width, 1)`` or
            ``(batch, height, width)`` (channels-first: ``(batch, 1, height, width)``).
        num_classes: Number of classes; ``None`` is the largest mask value + 1 (Keras takes
            the largest value itself, which leaves that class unpainted on TensorFlow and
            raises on its torch backend).
        color_mapping: Dict from class index (0 included) to an RGB colour; ``None`` is
            Keras's default palette.
        alpha: Opacity of the colours when blending, in ``[0, 1]``.
        blend: Blend with the image (``uint8`` result); ``False`` returns the painted
            ``float32`` images without blending, as Keras.
        ignore_index: Mask value whose pixels keep the image (when blending).
        data_format: ``"channels_last"`` or ``"channels_first"``; ``None`` is
            ``keras.config.image_data_format()``. The result is channels-last either way,
            as in Keras.

    Returns:
        A numpy array ``(batch, height, width, channels)``: ``uint8`` when ``blend``, else
        ``float32``.

    Example:
        >>> masks = np.zeros((1, 8, 8, 1), "int32"); masks[0, 2:5, 2:5] = 1
        >>> draw_segmentation_masks(np.full((1, 8, 8, 3), 200), masks, num_classes=2).shape
        (1, 8, 8, 3)
    """
    data_format = _config.standardize_data_format(data_format)
    if not 0.0 <= float(alpha) <= 1.0:
        raise ValueError("`alpha` must be in [0, 1]. Received: alpha=%r" % (alpha,))
    imgs = torch.as_tensor(to_numpy(images))
    masks = torch.as_tensor(to_numpy(segmentation_masks))
    if imgs.dim() != 4:
        raise ValueError("`images` must be batched 4D tensor. Received: images.shape=%s"
                         % (tuple(imgs.shape),))
    if masks.is_floating_point() or masks.dtype in (torch.bool, torch.complex64,
                                                    torch.complex128):
        raise TypeError("`segmentation_masks` must be in integer dtype. Received: "
                        "segmentation_masks.dtype=%s" % str(masks.dtype).replace("torch.", ""))
    if data_format == "channels_first":
        imgs = imgs.permute(0, 2, 3, 1)
        if masks.dim() == 4:
            masks = masks.permute(0, 2, 3, 1)
    if masks.dim() == 4:
        if masks.shape[-1] != 1:
            raise ValueError("`segmentation_masks` must have one channel. Received shape %s"
                             % (tuple(masks.shape),))
        masks = masks[..., 0]
    if masks.dim() != 3 or tuple(masks.shape) != tuple(imgs.shape[:3]):
        raise ValueError("`segmentation_masks` must match the images' (batch, height, width) "
                         "%s. Received shape %s" % (tuple(imgs.shape[:3]),
                                                    tuple(segmentation_masks.shape)))
    imgs = imgs.float()
    masks = masks.long()
    if num_classes is None:
        num_classes = int(masks.max()) + 1 if masks.numel() else 0
    if color_mapping is None:
        colors = _palette(num_classes)
    else:
        missing = [i for i in range(num_classes) if i not in color_mapping]
        if missing:
            raise ValueError("`color_mapping` needs a colour for every class in [0, %d); "
                             "missing %s" % (num_classes, missing))
        colors = [color_mapping[i] for i in range(num_classes)]

    painted = imgs.clone()
    for cls, colour in enumerate(colors):
        painted[masks == cls] = torch.tensor(colour, dtype=painted.dtype)
    if not blend:
        return painted.numpy()
    out = imgs * (1 - alpha) + painted * alpha
    out = torch.where((masks != ignore_index)[..., None], out, imgs)
    return out.to(torch.uint8).numpy()
