"""Filtering, padding/cropping and patch ops of ``keras.ops.image``.

Example:
    >>> from torchkeras.ops import image
    >>> image.gaussian_blur(imgs, kernel_size=(5, 5), sigma=(2.0, 2.0))
"""
from __future__ import annotations

import math
from typing import Any

import torch
import torch.nn.functional as F

from torchkeras.ops.arg_utils import data_format as std_format, floating, tensor, tuple_n
from torchkeras.ops.nn.conv_ops import conv
from torchkeras.ops.symbolic import keras_op

__all__ = ["crop_images", "extract_patches", "extract_patches_3d", "gaussian_blur",
           "pad_images", "sobel_edges", "ssim"]


def _nchw(images, data_format, name, ranks=(3, 4)):
    x = tensor(images)
    if x.ndim not in ranks:
        raise ValueError(f"{name}: expected images of rank {ranks}, got shape "
                         f"{tuple(x.shape)}")
    unbatched = x.ndim == ranks[0]
    if unbatched:
        x = x.unsqueeze(0)
    fmt = std_format(data_format)
    if fmt == "channels_last":
        x = x.permute(0, x.ndim - 1, *range(1, x.ndim - 1))
    return x, unbatched, fmt


def _back(y, unbatched, fmt):
    if fmt == "channels_last":
        y = y.permute(0, *range(2, y.ndim), 1)
    return y.squeeze(0) if unbatched else y


def _gauss1d(size: int, sigma, dtype, device):
    t = torch.arange(size, dtype=dtype, device=device) - (size - 1) / 2.0
    k = torch.exp(-0.5 * (t / sigma) ** 2)
    return k / k.sum()


@keras_op
def gaussian_blur(images: Any, kernel_size: Any = (3, 3), sigma: Any = (1.0, 1.0),
                  data_format: str | None = None) -> torch.Tensor:
    """Gaussian blur with a ``kernel_size`` (h, w) kernel, zero padding ("same" size).

    Example:
        >>> gaussian_blur(torch.rand(1, 8, 8, 3)).shape   # (1, 8, 8, 3)
    """
    x, unbatched, fmt = _nchw(images, data_format, "gaussian_blur")
    x = floating(x)
    kh, kw = tuple_n(kernel_size, 2, "kernel_size")
    sh, sw = (float(s) for s in (sigma if isinstance(sigma, (tuple, list)) else (sigma,) * 2))
    k = torch.outer(_gauss1d(kh, sh, x.dtype, x.device), _gauss1d(kw, sw, x.dtype, x.device))
    c = x.shape[1]
    y = F.conv2d(x, k.expand(c, 1, kh, kw), padding=(kh // 2, kw // 2), groups=c)
    return _back(y, unbatched, fmt)


@keras_op
def sobel_edges(images: Any, data_format: str | None = None) -> torch.Tensor:
    """Sobel gradients ``(dy, dx)`` stacked on a new last axis (zero padding).

    Example:
        >>> sobel_edges(torch.rand(1, 8, 8, 3)).shape   # (1, 8, 8, 3, 2)
    """
    x, unbatched, fmt = _nchw(images, data_format, "sobel_edges")
    x = floating(x)
    kx = torch.tensor([[-1.0, 0, 1], [-2, 0, 2], [-1, 0, 1]], dtype=x.dtype, device=x.device)
    c = x.shape[1]
    ex = F.conv2d(x, kx.expand(c, 1, 3, 3), padding=1, groups=c)
    ey = F.conv2d(x, kx.T.expand(c, 1, 3, 3), padding=1, groups=c)
    y = torch.stack([ey, ex], dim=-1)
    y = y.permute(0, 2, 3, 1, 4) if fmt == "channels_last" else y
    return y.squeeze(0) if unbatched else y


@keras_op
def ssim(image1: Any, image2: Any, max_val: float = 1.0, filter_size: int = 11,
         filter_sigma: float = 1.5, k1: float = 0.01, k2: float = 0.03,
         data_format: str | None = None) -> torch.Tensor:
    """Structural similarity (Gaussian window, valid padding), one value per image.

    Example:
        >>> ssim(imgs, imgs)   # ones
    """
    a, unbatched, _ = _nchw(image1, data_format, "ssim")
    b, _, _ = _nchw(image2, data_format, "ssim")
    dtype = a.dtype
    a, b = floating(a), floating(b)
    if a.shape != b.shape:
        raise ValueError(f"ssim: images must have the same shape; got {tuple(a.shape)} "
                         f"and {tuple(b.shape)}")
    g = _gauss1d(filter_size, float(filter_sigma), a.dtype, a.device)
    c = a.shape[1]
    k = torch.outer(g, g).expand(c, 1, filter_size, filter_size)

    def blur(t):
        return F.conv2d(t, k, groups=c)
    mu1, mu2 = blur(a), blur(b)
    s11 = blur(a * a) - mu1 * mu1
    s22 = blur(b * b) - mu2 * mu2
    s12 = blur(a * b) - mu1 * mu2
    c1, c2 = (k1 * max_val) ** 2, (k2 * max_val) ** 2
    smap = ((2 * mu1 * mu2 + c1) * (2 * s12 + c2)) / (
        (mu1 * mu1 + mu2 * mu2 + c1) * (s11 + s22 + c2))
    out = smap.mean(dim=(1, 2, 3))
    out = out.squeeze(0) if unbatched else out
    return out.to(dtype) if dtype.is_floating_point else out


def _sides(name, what, size, lead, trail, target):
    given = sum(v is not None for v in (lead, trail, target))
    if given != 2:
        raise ValueError(f"{name}: give exactly two of the {what} and the target size per "
                         f"axis; got {lead}, {trail} and target {target}")
    crop = name.startswith("crop")
    if lead is None:
        lead = size - trail - target if crop else target - size - trail
    if trail is None:
        trail = size - lead - target if crop else target - size - lead
    if lead < 0 or trail < 0:
        raise ValueError(f"{name}: {what} must be non-negative; got {lead} and {trail} for "
                         f"an axis of size {size}")
    return int(lead), int(trail)


@keras_op
def pad_images(images: Any, top_padding: int | None = None, left_padding: int | None = None,
               bottom_padding: int | None = None, right_padding: int | None = None,
               target_height: int | None = None, target_width: int | None = None,
               data_format: str | None = None) -> torch.Tensor:
    """Zero-pads images; each axis takes exactly two of (first, second, target size).

    Example:
        >>> pad_images(torch.ones(1, 4, 4, 3), 1, 1, target_height=8, target_width=8).shape
        torch.Size([1, 8, 8, 3])
    """
    x, unbatched, fmt = _nchw(images, data_format, "pad_images")
    h, w = x.shape[2], x.shape[3]
    top, bottom = _sides("pad_images", "top/bottom paddings", h, top_padding, bottom_padding,
                         target_height)
    left, right = _sides("pad_images", "left/right paddings", w, left_padding, right_padding,
                         target_width)
    return _back(F.pad(x, (left, right, top, bottom)), unbatched, fmt)


@keras_op
def crop_images(images: Any, top_cropping: int | None = None,
                left_cropping: int | None = None, bottom_cropping: int | None = None,
                right_cropping: int | None = None, target_height: int | None = None,
                target_width: int | None = None,
                data_format: str | None = None) -> torch.Tensor:
    """Crops images; each axis takes exactly two of (first, second, target size).

    Example:
        >>> crop_images(torch.ones(1, 8, 8, 3), 1, 1, target_height=4, target_width=4).shape
        torch.Size([1, 4, 4, 3])
    """
    x, unbatched, fmt = _nchw(images, data_format, "crop_images")
    h, w = x.shape[2], x.shape[3]
    top, bottom = _sides("crop_images", "top/bottom croppings", h, top_cropping,
                         bottom_cropping, target_height)
    left, right = _sides("crop_images", "left/right croppings", w, left_cropping,
                         right_cropping, target_width)
    return _back(x[:, :, top:h - bottom, left:w - right], unbatched, fmt)


def _patches(images, size, strides, dilation_rate, padding, data_format, n, name):
    x, unbatched, fmt = _nchw(images, data_format, name, ranks=(n + 1, n + 2))
    size = tuple_n(size, n, "size")
    strides = size if strides is None else tuple_n(strides, n, "strides")
    dil = tuple_n(dilation_rate, n, "dilation_rate")
    c = x.shape[1]
    # An identity kernel turns each patch into channels ordered (*spatial, channel).
    eye = torch.eye(math.prod(size) * c, dtype=x.dtype if x.is_floating_point()
                    else torch.float32, device=x.device)
    kernel = eye.reshape(-1, *size, c).movedim(-1, 1)   # (out, c, *size)
    y = conv.__wrapped_op__(x.to(kernel.dtype), kernel.permute(*range(2, n + 2), 1, 0), strides, padding,
             "channels_first", dil)
    return _back(y.to(x.dtype), unbatched, fmt)


@keras_op
def extract_patches(images: Any, size: Any, strides: Any = None, dilation_rate: Any = 1,
                    padding: str = "valid", data_format: str | None = None) -> torch.Tensor:
    """Patches of ``size`` (h, w) flattened into the channel axis (``h * w * C``).

    Example:
        >>> extract_patches(torch.ones(1, 4, 4, 3), 2).shape   # (1, 2, 2, 12)
    """
    return _patches(images, size, strides, dilation_rate, padding, data_format, 2,
                    "extract_patches")


@keras_op
def extract_patches_3d(volumes: Any, size: Any, strides: Any = None,
                       dilation_rate: Any = 1, padding: str = "valid",
                       data_format: str | None = None) -> torch.Tensor:
    """3D patches of ``size`` (d, h, w) flattened into the channel axis.

    Example:
        >>> extract_patches_3d(torch.ones(1, 4, 4, 4, 2), 2).shape   # (1, 2, 2, 2, 16)
    """
    return _patches(volumes, size, strides, dilation_rate, padding, data_format, 3,
                    "extract_patches_3d")
