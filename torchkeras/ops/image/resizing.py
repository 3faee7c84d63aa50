"""Resizing ops of ``keras.ops.image``: ``resize`` and ``scale_and_translate``.

``resize`` runs ``torch.nn.functional.interpolate`` (half-pixel centres, as Keras);
``lanczos3``/``lanczos5`` and ``scale_and_translate`` use separable kernel-weight matrices
(the JAX ``scale_and_translate`` formulation).

Example:
    >>> from torchkeras.ops import image
    >>> image.resize(imgs, (224, 224), interpolation="bicubic", antialias=True)
"""
from __future__ import annotations

import math
from typing import Any, Sequence

import torch
import torch.nn.functional as F

from torchkeras.ops.arg_utils import data_format as std_format, floating, tensor
from torchkeras.ops.symbolic import keras_op

__all__ = ["resize", "scale_and_translate"]

_MODES = {"bilinear": "bilinear", "nearest": "nearest-exact", "bicubic": "bicubic",
          "area": "area"}


def _triangle(x):
    return torch.clamp(1.0 - x, min=0.0)


def _keys_cubic(x):
    out = ((1.5 * x - 2.5) * x) * x + 1.0
    out = torch.where(x >= 1.0, ((-0.5 * x + 2.5) * x - 4.0) * x + 2.0, out)
    return torch.where(x >= 2.0, 0.0, out)


def _lanczos(radius):
    def kernel(x):
        y = radius * torch.sin(math.pi * x) * torch.sin(math.pi * x / radius)
        out = torch.where(x > 1e-3, y / (math.pi ** 2 * x * x + (x <= 1e-3)), 1.0)
        return torch.where(x > radius, 0.0, out)
    return kernel


_KERNELS = {"linear": _triangle, "bilinear": _triangle, "trilinear": _triangle,
            "cubic": _keys_cubic, "bicubic": _keys_cubic, "tricubic": _keys_cubic,
            "lanczos3": _lanczos(3.0), "lanczos5": _lanczos(5.0)}


def _weights(n_in, n_out, scale, shift, kernel, antialias, dtype, device):
    inv = 1.0 / scale
    kscale = torch.clamp(inv, min=1.0) if antialias else torch.ones_like(inv)
    sample = (torch.arange(n_out, dtype=dtype, device=device) + 0.5) * inv - shift * inv - 0.5
    dist = (sample[None, :] - torch.arange(n_in, dtype=dtype, device=device)[:, None]).abs()
    w = kernel(dist / kscale)
    total = w.sum(dim=0, keepdim=True)
    eps = torch.finfo(dtype).eps
    w = torch.where(total.abs() > 1000 * eps, w / torch.where(total != 0, total, 1.0), 0.0)
    inside = (sample >= -0.5) & (sample <= n_in - 0.5)
    return torch.where(inside[None, :], w, 0.0)   # (n_in, n_out)


def _scale_translate(x, out_shape, dims, scale, shift, kernel, antialias):
    for i, d in enumerate(dims):
        w = _weights(x.shape[d], int(out_shape[i]), scale[i], shift[i], kernel, antialias,
                     x.dtype, x.device)
        x = torch.movedim(torch.tensordot(torch.movedim(x, d, -1), w, dims=1), -1, d)
    return x


@keras_op
def scale_and_translate(images: Any, output_shape: Sequence[int], scale: Any,
                        translation: Any, spatial_dims: Sequence[int], method: str,
                        antialias: bool = True) -> torch.Tensor:
    """Resamples ``spatial_dims`` to ``output_shape`` sizes with per-dim ``scale`` and
    ``translation`` (output coordinate = input * scale + translation).

    Example:
        >>> scale_and_translate(x, (8, 8), [2.0, 2.0], [0.0, 0.0], (0, 1), "linear")
    """
    if method not in _KERNELS:
        raise ValueError(f"scale_and_translate: `method` must be one of {sorted(_KERNELS)}, "
                         f"got {method!r}")
    x = floating(images)
    dims = [d % x.ndim for d in spatial_dims]
    if len(output_shape) not in (len(dims), x.ndim):
        raise ValueError(f"scale_and_translate: output_shape {tuple(output_shape)} does "
                         f"not match spatial_dims {tuple(spatial_dims)}")
    if len(output_shape) == x.ndim:
        output_shape = [output_shape[d] for d in dims]
    scale = floating(scale).to(x.dtype).reshape(-1)
    shift = floating(translation).to(x.dtype).reshape(-1)
    return _scale_translate(x, output_shape, dims, scale, shift, _KERNELS[method], antialias)


def _aspect(x, size, crop, pad, fill_value):
    h, w = x.shape[-2:]
    th, tw = size
    if crop:
        ch = max(min(h, int(w * th / tw)), 1)
        cw = max(min(w, int(h * tw / th)), 1)
        top, left = (h - ch) // 2, (w - cw) // 2
        return x[..., top:top + ch, left:left + cw]
    if pad:
        ph, pw = max(h, int(w * th / tw)), max(w, int(h * tw / th))
        top, left = (ph - h) // 2, (pw - w) // 2
        return F.pad(x, (left, pw - w - left, top, ph - h - top), value=float(fill_value))
    return x


@keras_op
def resize(images: Any, size: Sequence[int], interpolation: str = "bilinear",
           antialias: bool = False, crop_to_aspect_ratio: bool = False,
           pad_to_aspect_ratio: bool = False, fill_mode: str = "constant",
           fill_value: float = 0.0, data_format: str | None = None) -> torch.Tensor:
    """Resizes images to ``size`` (height, width).

    Args:
        images: (B, H, W, C) or (H, W, C) (channels-first per ``data_format``).
        size: ``(height, width)``.
        interpolation: ``"bilinear"``, ``"nearest"``, ``"bicubic"``, ``"area"``,
            ``"lanczos3"`` or ``"lanczos5"``.
        antialias: Filter when downsampling (bilinear, bicubic, lanczos).
        crop_to_aspect_ratio: Centre-crop to the target aspect ratio first.
        pad_to_aspect_ratio: Pad (with ``fill_value``) to the target aspect ratio first.
        fill_mode: Only ``"constant"``.
        fill_value: Padding value for ``pad_to_aspect_ratio``.
        data_format: ``"channels_last"``/``"channels_first"``.

    Example:
        >>> resize(torch.rand(2, 32, 32, 3), (16, 16)).shape   # (2, 16, 16, 3)
    """
    if interpolation not in _MODES and interpolation not in ("lanczos3", "lanczos5"):
        raise ValueError(f"resize: unknown `interpolation` {interpolation!r}")
    if fill_mode != "constant":
        raise ValueError(f"resize: `fill_mode` must be 'constant', got {fill_mode!r}")
    if crop_to_aspect_ratio and pad_to_aspect_ratio:
        raise ValueError("resize: only one of crop_to_aspect_ratio and pad_to_aspect_ratio "
                         "can be True")
    if len(size) != 2:
        raise ValueError(f"resize: `size` must be (height, width), got {size!r}")
    x = tensor(images)
    if x.ndim not in (3, 4):
        raise ValueError(f"resize: expected rank 3 or 4 images, got shape {tuple(x.shape)}")
    unbatched = x.ndim == 3
    if unbatched:
        x = x.unsqueeze(0)
    fmt = std_format(data_format)
    if fmt == "channels_last":
        x = x.permute(0, 3, 1, 2)
    dtype = x.dtype
    work = x if dtype in (torch.float32, torch.float64) else x.float()
    work = _aspect(work, tuple(size), crop_to_aspect_ratio, pad_to_aspect_ratio, fill_value)
    if interpolation.startswith("lanczos"):
        h, w = work.shape[-2:]
        scale = torch.tensor([size[0] / h, size[1] / w], dtype=work.dtype)
        y = _scale_translate(work, size, (2, 3), scale, torch.zeros(2, dtype=work.dtype),
                             _KERNELS[interpolation], antialias)
    else:
        mode = _MODES[interpolation]
        smooth = interpolation in ("bilinear", "bicubic")
        y = F.interpolate(work, size=tuple(int(s) for s in size), mode=mode,
                          align_corners=False if smooth else None,
                          antialias=antialias and smooth)
    if not dtype.is_floating_point:
        info = torch.iinfo(dtype)
        y = torch.round(y).clamp(info.min, info.max)
    y = y.to(dtype)
    if fmt == "channels_last":
        y = y.permute(0, 2, 3, 1)
    return y.squeeze(0) if unbatched else y
