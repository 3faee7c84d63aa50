"""Coordinate-sampling ops of ``keras.ops.image``: ``map_coordinates`` and the
projective warps built on it (``affine_transform``, ``perspective_transform``,
``elastic_transform``).

Fill modes follow SciPy's ``ndimage``: ``constant`` (``fill_value`` outside), ``nearest``
(edge pixel), ``wrap``, ``mirror`` (``d c b | a b c d | c b a``) and ``reflect``
(``d c b a | a b c d | d c b a``). Interpolation is ``nearest`` (order 0) or
``bilinear`` (order 1).

Example:
    >>> from torchkeras.ops import image
    >>> shifted = image.affine_transform(imgs, [1, 0, -2, 0, 1, 0, 0, 0])   # 2 px right
"""
from __future__ import annotations

import itertools
from typing import Any

import torch

from torchkeras.ops.arg_utils import data_format as std_format, floating, tensor
from torchkeras.ops.image.filters import gaussian_blur
from torchkeras.ops.symbolic import keras_op

__all__ = ["affine_transform", "elastic_transform", "map_coordinates",
           "perspective_transform"]

_FILL_MODES = ("constant", "nearest", "wrap", "mirror", "reflect")
_ORDERS = {"nearest": 0, "bilinear": 1}


def _mirror(i, n):
    s = max(n - 1, 1)
    return torch.abs(torch.remainder(i + s, 2 * s) - s)


def _fix(i: torch.Tensor, n: int, mode: str) -> torch.Tensor:
    if mode == "nearest" or mode == "constant":
        return i.clamp(0, n - 1)
    if mode == "wrap":
        return torch.remainder(i, n)
    if mode == "mirror":
        return _mirror(i, n) if n > 1 else torch.zeros_like(i)
    return torch.div(_mirror(2 * i + 1, 2 * n + 1) - 1, 2, rounding_mode="floor")


def _taps(c: torch.Tensor, order: int):
    if order == 0:
        return [(torch.round(c).long(), None)]
    lo = torch.floor(c)
    frac = c - lo
    return [(lo.long(), 1.0 - frac), (lo.long() + 1, frac)]


def _gather(x, coords, order, mode, fill_value):
    """Samples ``x`` at fractional ``coords`` (one tensor per dim, same shape)."""
    taps = [_taps(c, order) for c in coords]
    out = None
    for combo in itertools.product(*taps):
        valid = None
        idx = []
        weight = None
        for (i, w), n in zip(combo, x.shape):
            if mode == "constant":
                ok = (i >= 0) & (i < n)
                valid = ok if valid is None else valid & ok
            idx.append(_fix(i, n, mode))
            if w is not None:
                weight = w if weight is None else weight * w
        val = x[tuple(idx)]
        if valid is not None:
            val = torch.where(valid, val, torch.as_tensor(fill_value, dtype=val.dtype))
        val = val if weight is None else val * weight
        out = val if out is None else out + val
    return out


def _check(order_or_name, fill_mode, name):
    if fill_mode not in _FILL_MODES:
        raise ValueError(f"{name}: `fill_mode` must be one of {_FILL_MODES}, got "
                         f"{fill_mode!r}")


@keras_op
def map_coordinates(inputs: Any, coordinates: Any, order: int, fill_mode: str = "constant",
                    fill_value: float = 0) -> torch.Tensor:
    """Samples ``inputs`` at ``coordinates`` (one array per input dim) by spline
    interpolation of ``order`` 0 or 1, as ``scipy.ndimage.map_coordinates``.

    Example:
        >>> map_coordinates(torch.arange(4.0), [torch.tensor([0.5, 2.0])], 1)   # [0.5, 2]
    """
    x = tensor(inputs)
    coords = [floating(c) for c in coordinates]
    if len(coords) != x.ndim:
        raise ValueError(f"map_coordinates: need one coordinate array per input dim; "
                         f"inputs {tuple(x.shape)}, got {len(coords)} arrays")
    if order not in (0, 1):
        raise ValueError(f"map_coordinates: `order` must be 0 or 1, got {order!r}")
    _check(order, fill_mode, "map_coordinates")
    work = x if x.is_floating_point() else x.to(coords[0].dtype)
    out = _gather(work, coords, order, fill_mode, fill_value)
    if not x.is_floating_point():
        out = torch.round(out).to(x.dtype)
    return out


def _nhwc(images, data_format, name):
    x = tensor(images)
    if x.ndim not in (3, 4):
        raise ValueError(f"{name}: expected rank 3 (single image) or 4 (batch) images, "
                         f"got shape {tuple(x.shape)}")
    unbatched = x.ndim == 3
    if unbatched:
        x = x.unsqueeze(0)
    fmt = std_format(data_format)
    if fmt == "channels_first":
        x = x.permute(0, 2, 3, 1)
    return x, unbatched, fmt


def _restore(y, unbatched, fmt):
    if fmt == "channels_first":
        y = y.permute(0, 3, 1, 2)
    return y.squeeze(0) if unbatched else y


def _warp(x, ys, xs, order, mode, fill_value):
    """Samples NHWC ``x`` at per-batch coordinate maps ``ys``/``xs`` of shape (B, H, W)."""
    b, _, _, c = x.shape
    work = x if x.is_floating_point() else x.to(ys.dtype)
    bi = torch.arange(b, device=x.device).view(b, 1, 1, 1).expand(*ys.shape, c)
    ci = torch.arange(c, device=x.device).view(1, 1, 1, c).expand(*ys.shape, c)
    coords = [bi.to(ys.dtype), ys[..., None].expand(*ys.shape, c),
              xs[..., None].expand(*ys.shape, c), ci.to(ys.dtype)]
    # Batch and channel coordinates are exact integers: sample them with order 0.
    taps_y, taps_x = _taps(coords[1], order), _taps(coords[2], order)
    out = None
    for (iy, wy), (ix, wx) in itertools.product(taps_y, taps_x):
        h, w = work.shape[1], work.shape[2]
        val = work[bi, _fix(iy, h, mode), _fix(ix, w, mode), ci]
        if mode == "constant":
            ok = (iy >= 0) & (iy < h) & (ix >= 0) & (ix < w)
            val = torch.where(ok, val, torch.as_tensor(fill_value, dtype=val.dtype))
        if wy is not None:
            val = val * (wy * wx)
        out = val if out is None else out + val
    if not x.is_floating_point():
        out = torch.round(out).to(x.dtype)
    return out


def _projective(x, transform, interpolation, fill_mode, fill_value, name):
    if interpolation not in _ORDERS:
        raise ValueError(f"{name}: `interpolation` must be 'nearest' or 'bilinear', got "
                         f"{interpolation!r}")
    _check(interpolation, fill_mode, name)
    t = floating(transform)
    if t.ndim == 1:
        t = t.unsqueeze(0)
    if t.ndim != 2 or t.shape[-1] != 8:
        raise ValueError(f"{name}: `transform` must have shape (8,) or (batch, 8), got "
                         f"{tuple(t.shape)}")
    t = t.expand(x.shape[0], 8).to(x.device)
    h, w = x.shape[1], x.shape[2]
    yy, xx = torch.meshgrid(torch.arange(h, dtype=t.dtype, device=x.device),
                            torch.arange(w, dtype=t.dtype, device=x.device), indexing="ij")
    a0, a1, a2, b0, b1, b2, c0, c1 = (t[:, i, None, None] for i in range(8))
    k = c0 * xx + c1 * yy + 1.0
    xs = (a0 * xx + a1 * yy + a2) / k
    ys = (b0 * xx + b1 * yy + b2) / k
    return _warp(x, ys, xs, _ORDERS[interpolation], fill_mode, fill_value)


@keras_op
def affine_transform(images: Any, transform: Any, interpolation: str = "bilinear",
                     fill_mode: str = "constant", fill_value: float = 0,
                     data_format: str | None = None) -> torch.Tensor:
    """Projective warp: output pixel ``(x, y)`` samples input ``((a0 x + a1 y + a2) / k,
    (b0 x + b1 y + b2) / k)`` with ``k = c0 x + c1 y + 1``.

    Args:
        images: (B, H, W, C) or (H, W, C) (channels-first per ``data_format``).
        transform: ``[a0, a1, a2, b0, b1, b2, c0, c1]`` or one row per image.
        interpolation: ``"nearest"`` or ``"bilinear"``.
        fill_mode: See the module docstring.
        fill_value: Value outside the image for ``"constant"``.
        data_format: ``"channels_last"``/``"channels_first"``.

    Example:
        >>> affine_transform(imgs, [1, 0, 0, 0, 1, 0, 0, 0])   # identity
    """
    x, unbatched, fmt = _nhwc(images, data_format, "affine_transform")
    y = _projective(x, transform, interpolation, fill_mode, fill_value, "affine_transform")
    return _restore(y, unbatched, fmt)


def _homography(start, end):
    """The 8 transform coefficients mapping each ``end`` point to its ``start`` point."""
    rows, rhs = [], []
    for i in range(4):
        xo, yo = end[:, i, 0], end[:, i, 1]
        xi, yi = start[:, i, 0], start[:, i, 1]
        z, o = torch.zeros_like(xo), torch.ones_like(xo)
        rows.append(torch.stack([xo, yo, o, z, z, z, -xo * xi, -yo * xi], -1))
        rows.append(torch.stack([z, z, z, xo, yo, o, -xo * yi, -yo * yi], -1))
        rhs += [xi, yi]
    a = torch.stack(rows, 1)
    return torch.linalg.solve(a.double(), torch.stack(rhs, 1).double()).to(start.dtype)


@keras_op
def perspective_transform(images: Any, start_points: Any, end_points: Any,
                          interpolation: str = "bilinear", fill_value: float = 0,
                          data_format: str | None = None) -> torch.Tensor:
    """Warps images so the 4 ``start_points`` (x, y) move to ``end_points``.

    Example:
        >>> pts = [[0, 0], [7, 0], [0, 7], [7, 7]]
        >>> perspective_transform(imgs, pts, pts)   # identity
    """
    x, unbatched, fmt = _nhwc(images, data_format, "perspective_transform")
    start, end = floating(start_points), floating(end_points)
    if start.ndim == 2:
        start, end = start.unsqueeze(0), end.unsqueeze(0)
    if start.shape[-2:] != (4, 2) or end.shape != start.shape:
        raise ValueError(f"perspective_transform: points must have shape (4, 2) or "
                         f"(batch, 4, 2); got {tuple(start.shape)} and {tuple(end.shape)}")
    coeffs = _homography(start, end)
    y = _projective(x, coeffs, interpolation, "constant", fill_value,
                    "perspective_transform")
    return _restore(y, unbatched, fmt)


@keras_op
def elastic_transform(images: Any, alpha: float = 20.0, sigma: float = 5.0,
                      interpolation: str = "bilinear", fill_mode: str = "reflect",
                      fill_value: float = 0.0, seed: Any = None,
                      data_format: str | None = None) -> torch.Tensor:
    """Elastic distortion: pixels move by Gaussian-smoothed random fields scaled by
    ``alpha`` (``sigma`` is the smoothing width).

    Args:
        seed: An int for reproducible fields (or None for torch's global generator).

    Example:
        >>> warped = elastic_transform(imgs, alpha=10.0, sigma=3.0, seed=1)
    """
    if interpolation not in _ORDERS:
        raise ValueError(f"elastic_transform: `interpolation` must be 'nearest' or "
                         f"'bilinear', got {interpolation!r}")
    x, unbatched, fmt = _nhwc(images, data_format, "elastic_transform")
    _check(interpolation, fill_mode, "elastic_transform")
    b, h, w, _ = x.shape
    gen = None
    if isinstance(seed, int):
        gen = torch.Generator(device=x.device).manual_seed(seed)
    dtype = x.dtype if x.is_floating_point() else torch.float32
    noise = torch.randn(b, h, w, 2, generator=gen, dtype=dtype, device=x.device)
    size = int(2 * round(3 * sigma) + 1)
    field = gaussian_blur.__wrapped_op__(noise, (size, size), (sigma, sigma),
                                         "channels_last") * alpha
    yy, xx = torch.meshgrid(torch.arange(h, dtype=dtype, device=x.device),
                            torch.arange(w, dtype=dtype, device=x.device), indexing="ij")
    y = _warp(x, yy + field[..., 0], xx + field[..., 1], _ORDERS[interpolation], fill_mode,
              fill_value)
    return _restore(y, unbatched, fmt)
