"""Image resizing on ``F.interpolate`` with Keras's crop/pad-to-aspect-ratio rules."""
from __future__ import annotations

import torch
import torch.nn.functional as F

# Keras's torch backend maps "nearest" to torch's "nearest-exact" (half-pixel centres,
# as TF does); "area" is an extension (torch's adaptive average, TF's area for integer
# downscale factors).
RESIZE_MODES = {"bilinear": "bilinear", "nearest": "nearest-exact", "bicubic": "bicubic",
                "area": "area"}
UNSUPPORTED = ("lanczos3", "lanczos5")


def check_interpolation(layer_name: str, interpolation: str) -> None:
    if interpolation in UNSUPPORTED:
        raise ValueError("%s: resizing with Lanczos interpolation is not supported by the "
                         "PyTorch backend. Received: interpolation=%s"
                         % (layer_name, interpolation))
    if interpolation not in RESIZE_MODES:
        raise ValueError("%s: invalid value for argument `interpolation`. Expected one of %s. "
                         "Received: interpolation=%s"
                         % (layer_name, tuple(RESIZE_MODES), interpolation))


def aspect_crop_box(height: int, width: int, target_h: int, target_w: int) -> tuple:
    """(top, left, crop_h, crop_w): the largest centred window with the target aspect."""
    crop_h = max(min(height, int(float(width * target_h) / target_w)), 1)
    crop_w = max(min(width, int(float(height * target_w) / target_h)), 1)
    return int(float(height - crop_h) / 2), int(float(width - crop_w) / 2), crop_h, crop_w


def _pad_to_aspect(x: torch.Tensor, target_h: int, target_w: int, fill_value: float):
    h, w = x.shape[-2:]
    pad_h = max(h, int(float(w * target_h) / target_w))
    pad_w = max(w, int(float(h * target_w) / target_h))
    # Keras pads the same amount on both sides (an odd remainder is dropped).
    top = int(float(pad_h - h) / 2)
    left = int(float(pad_w - w) / 2)
    if top == 0 and left == 0:
        return x
    return F.pad(x, (left, left, top, top), mode="constant", value=float(fill_value))


def resize_nchw(x: torch.Tensor, size: tuple, interpolation: str = "bilinear",
                antialias: bool = False, crop_to_aspect_ratio: bool = False,
                pad_to_aspect_ratio: bool = False, fill_value: float = 0.0) -> torch.Tensor:
    """Resizes an NCHW batch to ``size=(height, width)``; integer images keep their dtype
    (rounded and saturated), float images their float dtype.

    Example:
        >>> resize_nchw(torch.rand(2, 3, 10, 10), (5, 5)).shape
        torch.Size([2, 3, 5, 5])
    """
    target_h, target_w = size
    in_dtype = x.dtype
    if not x.is_floating_point():
        x = x.float()
    if crop_to_aspect_ratio:
        top, left, ch, cw = aspect_crop_box(x.shape[-2], x.shape[-1], target_h, target_w)
        x = x[:, :, top:top + ch, left:left + cw]
    elif pad_to_aspect_ratio:
        x = _pad_to_aspect(x, target_h, target_w, fill_value)
    if tuple(x.shape[-2:]) == (target_h, target_w):
        out = x   # every mode is the identity at scale 1
    else:
        mode = RESIZE_MODES[interpolation]
        kwargs = {}
        if mode in ("bilinear", "bicubic"):
            kwargs = {"align_corners": False, "antialias": bool(antialias)}
        out = F.interpolate(x, size=(target_h, target_w), mode=mode, **kwargs)
    if in_dtype.is_floating_point:
        return out if out.dtype == in_dtype else out.to(in_dtype)
    info = torch.iinfo(in_dtype)
    return out.round().clamp_(info.min, info.max).to(in_dtype)
