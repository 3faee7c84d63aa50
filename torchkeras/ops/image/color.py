"""Colour-space ops of ``keras.ops.image`` (RGB, grayscale, HSV).

Example:
    >>> from torchkeras.ops import image
    >>> gray = image.rgb_to_grayscale(rgb_batch)   # (B, H, W, 1)
"""
from __future__ import annotations

from typing import Any

import torch

from torchkeras.ops.arg_utils import data_format as std_format, tensor
from torchkeras.ops.symbolic import keras_op

__all__ = ["hsv_to_rgb", "rgb_to_grayscale", "rgb_to_hsv"]


def _images(images: Any, data_format, name: str, need_float: bool):
    x = tensor(images)
    if x.ndim not in (3, 4):
        raise ValueError(f"{name}: expected rank 3 (single image) or 4 (batch) images, "
                         f"got shape {tuple(x.shape)}")
    if need_float and not x.is_floating_point():
        raise ValueError(f"{name}: expected float images, got {x.dtype}")
    axis = -1 if std_format(data_format) == "channels_last" else -3
    return x, axis


@keras_op
def rgb_to_grayscale(images: Any, data_format: str | None = None) -> torch.Tensor:
    """ITU-R 601 luma (``0.2989 R + 0.587 G + 0.114 B``), keeping a size-1 channel axis.

    Example:
        >>> rgb_to_grayscale(torch.ones(2, 4, 4, 3)).shape   # (2, 4, 4, 1)
    """
    x, axis = _images(images, data_format, "rgb_to_grayscale", False)
    if x.shape[axis] not in (1, 3):
        raise ValueError(f"rgb_to_grayscale: expected 1 or 3 channels, got shape "
                         f"{tuple(x.shape)}")
    if x.shape[axis] == 1:
        return x.clone()
    r, g, b = x.unbind(dim=axis)
    return (0.2989 * r + 0.587 * g + 0.114 * b).to(x.dtype).unsqueeze(axis)


@keras_op
def rgb_to_hsv(images: Any, data_format: str | None = None) -> torch.Tensor:
    """RGB in [0, 1] to HSV (hue in [0, 1)).

    Example:
        >>> rgb_to_hsv(torch.tensor([[[1.0, 0.0, 0.0]]]))   # [[[0, 1, 1]]]
    """
    x, axis = _images(images, data_format, "rgb_to_hsv", True)
    x = torch.where(x.abs() < torch.finfo(x.dtype).eps, torch.zeros_like(x), x)
    r, g, b = x.unbind(dim=axis)
    value = torch.maximum(torch.maximum(r, g), b)
    spread = value - torch.minimum(torch.minimum(r, g), b)
    one = torch.ones_like(value)
    sat = torch.where(value > 0, spread / torch.where(value > 0, value, one), 0.0)
    scale = 1.0 / (6.0 * torch.where(spread > 0, spread, one))
    hue = torch.where(value == g, scale * (b - r) + 2.0 / 6.0, scale * (r - g) + 4.0 / 6.0)
    hue = torch.where(value == r, scale * (g - b), hue)
    hue = torch.where(spread > 0, hue, 0.0) + (hue < 0).to(hue.dtype)
    return torch.stack([hue, sat, value], dim=axis)


@keras_op
def hsv_to_rgb(images: Any, data_format: str | None = None) -> torch.Tensor:
    """HSV (hue in [0, 1)) to RGB.

    Example:
        >>> hsv_to_rgb(torch.tensor([[[0.0, 1.0, 1.0]]]))   # [[[1, 0, 0]]]
    """
    x, axis = _images(images, data_format, "hsv_to_rgb", True)
    h, s, v = x.unbind(dim=axis)
    dh = torch.remainder(h, 1.0) * 6.0
    dr = torch.clamp((dh - 3.0).abs() - 1.0, 0.0, 1.0)
    dg = torch.clamp(2.0 - (dh - 2.0).abs(), 0.0, 1.0)
    db = torch.clamp(2.0 - (dh - 4.0).abs(), 0.0, 1.0)
    base = 1.0 - s
    return torch.stack([v * (base + s * dr), v * (base + s * dg), v * (base + s * db)],
                       dim=axis)
