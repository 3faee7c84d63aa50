"""Tensor helpers of the spatial reshaping layers (upsampling, padding, cropping)."""
from __future__ import annotations

import torch
import torch.nn.functional as F


def repeat_nearest(x: torch.Tensor, axes, factors) -> torch.Tensor:
    """Repeats each entry ``factor`` times along each axis (nearest upsampling).

    One broadcast view and one copy, exact for every integer factor (an interpolation
    kernel's float scale would risk off-by-one source indices).
    """
    nd = x.dim()
    axes = list(axes)
    if 3 <= nd <= 5 and x.is_floating_point() and axes in (list(range(1, nd - 1)),
                                                            list(range(2, nd))):
        # torch's nearest kernel (fast backward). "nearest-exact" samples at
        # floor((i + 0.5) / f), which is exactly i // f for an integer factor f.
        last = axes[0] == 1
        xc = x.permute(0, nd - 1, *range(1, nd - 1)) if last else x
        out = F.interpolate(xc, scale_factor=tuple(float(f) for f in factors),
                            mode="nearest-exact")
        return out.permute(0, *range(2, nd), 1) if last else out
    fac = dict(zip(axes, factors))
    view, expand, final = [], [], []
    for i, d in enumerate(x.shape):
        f = fac.get(i, 1)
        if f == 1:
            view.append(d)
            expand.append(d)
        else:
            view += [d, 1]
            expand += [d, f]
        final.append(d * f)
    return x.reshape(view).expand(expand).reshape(final)


def pad_axes(x: torch.Tensor, axes, pairs) -> torch.Tensor:
    """Zero-pads ``x`` by ``(before, after)`` on each of ``axes`` with one ``F.pad``."""
    first = min(axes)
    pads = []
    by_axis = dict(zip(axes, pairs))
    for axis in range(x.ndim - 1, first - 1, -1):
        before, after = by_axis.get(axis, (0, 0))
        pads += [before, after]
    return F.pad(x, pads)


def crop_axes(x: torch.Tensor, axes, pairs) -> torch.Tensor:
    """Slices ``(before, after)`` off each of ``axes`` (a view)."""
    index = [slice(None)] * x.ndim
    for axis, (before, after) in zip(axes, pairs):
        index[axis] = slice(before, x.shape[axis] - after)
    return x[tuple(index)]
