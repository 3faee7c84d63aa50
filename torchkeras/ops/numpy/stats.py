"""Order statistics and NaN-ignoring reductions of ``keras.ops.numpy``.

Example:
    >>> from torchkeras import ops
    >>> ops.quantile(x, [0.25, 0.75], axis=0)
"""
from __future__ import annotations

from typing import Any

import torch

from torchkeras.ops.numpy import reductions as red
from torchkeras.ops.numpy.common import axes, floatx_dtype, tensor, to_float
from torchkeras.ops.symbolic import keras_op

_METHODS = ("linear", "lower", "higher", "midpoint", "nearest")


def _quantile(x: Any, q: Any, axis: Any, method: str, keepdims: bool, nan: bool) -> torch.Tensor:
    if method not in _METHODS:
        raise ValueError("method must be one of %s, got %r" % (_METHODS, method))
    x = tensor(x)
    out_dtype = x.dtype if x.is_floating_point() else floatx_dtype()
    work = x.to(torch.float32) if x.dtype != torch.float64 else x
    qt = tensor(q).to(work.dtype).to(work.device)
    if qt.ndim > 1:
        raise ValueError("q must be a scalar or 1-D, got shape %s" % (tuple(qt.shape),))
    fn = torch.nanquantile if nan else torch.quantile
    if axis is None:
        out = fn(work.reshape(-1), qt, interpolation=method)
        if keepdims:
            out = out.reshape(tuple(qt.shape) + (1,) * x.ndim)
        return out.to(out_dtype)
    dims = axes(axis, x.ndim)
    # torch reduces one dim: move the reduced axes to the end and merge them.
    rest = [d for d in range(x.ndim) if d not in dims]
    moved = work.permute(rest + list(dims)).reshape([x.shape[d] for d in rest] + [-1])
    out = fn(moved, qt, dim=-1, interpolation=method)
    if keepdims:
        shape = list(out.shape)
        lead = shape[:qt.ndim]
        kept = shape[qt.ndim:]
        full = []
        it = iter(kept)
        for d in range(x.ndim):
            full.append(1 if d in dims else next(it))
        out = out.reshape(lead + full)
    return out.to(out_dtype)


@keras_op
def quantile(x: Any, q: Any, axis: Any = None, method: str = "linear",
             keepdims: bool = False) -> torch.Tensor:
    """The ``q``-th quantile(s) along ``axis``.

    Args:
        x: Input tensor.
        q: Quantile(s) in ``[0, 1]``, scalar or 1-D (its axis leads the result).
        axis: Axis or axes; all when None.
        method: ``"linear"``, ``"lower"``, ``"higher"``, ``"midpoint"`` or ``"nearest"``.
        keepdims: Keep reduced axes as size 1.

    Raises:
        ValueError: For an unknown ``method``.

    Example:
        >>> ops.quantile(x, 0.5, axis=-1)
    """
    return _quantile(x, q, axis, method, keepdims, nan=False)


@keras_op
def percentile(x: Any, q: Any, axis: Any = None, method: str = "linear",
               keepdims: bool = False) -> torch.Tensor:
    """The ``q``-th percentile(s) (``q`` in ``[0, 100]``); see :func:`quantile`."""
    return _quantile(x, tensor(q) / 100.0 if not isinstance(q, (int, float)) else q / 100.0,
                     axis, method, keepdims, nan=False)


@keras_op
def nanquantile(x: Any, q: Any, axis: Any = None, method: str = "linear",
                keepdims: bool = False) -> torch.Tensor:
    """:func:`quantile` ignoring NaNs."""
    return _quantile(x, q, axis, method, keepdims, nan=True)


@keras_op
def nanpercentile(x: Any, q: Any, axis: Any = None, method: str = "linear",
                  keepdims: bool = False) -> torch.Tensor:
    """:func:`percentile` ignoring NaNs."""
    return _quantile(x, tensor(q) / 100.0 if not isinstance(q, (int, float)) else q / 100.0,
                     axis, method, keepdims, nan=True)


@keras_op
def median(x: Any, axis: Any = None, keepdims: bool = False) -> torch.Tensor:
    """Median along ``axis`` (mean of the two middle values for even counts)."""
    return _quantile(x, 0.5, axis, "linear", keepdims, nan=False)


@keras_op
def nanmedian(x: Any, axis: Any = None, keepdims: bool = False) -> torch.Tensor:
    """Median ignoring NaNs."""
    return _quantile(x, 0.5, axis, "linear", keepdims, nan=True)


def _nan_fill(x: Any, value: float) -> torch.Tensor:
    x = tensor(x)
    if not x.is_floating_point():
        return x
    return torch.where(torch.isnan(x), torch.full((), value, dtype=x.dtype, device=x.device), x)


@keras_op
def nansum(x: Any, axis: Any = None, keepdims: bool = False) -> torch.Tensor:
    """Sum treating NaN as zero."""
    return red.sum(_nan_fill(x, 0.0), axis=axis, keepdims=keepdims)


@keras_op
def nanprod(x: Any, axis: Any = None, keepdims: bool = False) -> torch.Tensor:
    """Product treating NaN as one."""
    return red.prod(_nan_fill(x, 1.0), axis=axis, keepdims=keepdims)


@keras_op
def nanmax(x: Any, axis: Any = None, keepdims: bool = False) -> torch.Tensor:
    """Maximum ignoring NaNs (NaN where a slice is all NaN)."""
    x = tensor(x)
    out = red.amax(_nan_fill(x, float("-inf")), axis=axis, keepdims=keepdims)
    if not x.is_floating_point():
        return out
    all_nan = red.all(torch.isnan(x), axis=axis, keepdims=keepdims)
    return torch.where(all_nan, torch.full((), float("nan"), dtype=out.dtype, device=out.device), out)


@keras_op
def nanmin(x: Any, axis: Any = None, keepdims: bool = False) -> torch.Tensor:
    """Minimum ignoring NaNs (NaN where a slice is all NaN)."""
    x = tensor(x)
    out = red.amin(_nan_fill(x, float("inf")), axis=axis, keepdims=keepdims)
    if not x.is_floating_point():
        return out
    all_nan = red.all(torch.isnan(x), axis=axis, keepdims=keepdims)
    return torch.where(all_nan, torch.full((), float("nan"), dtype=out.dtype, device=out.device), out)


def _count(x: torch.Tensor, axis: Any, keepdims: bool) -> torch.Tensor:
    return red.sum(~torch.isnan(x), axis=axis, keepdims=keepdims).to(x.dtype)


@keras_op
def nanmean(x: Any, axis: Any = None, keepdims: bool = False) -> torch.Tensor:
    """Mean ignoring NaNs."""
    x = to_float(tensor(x))
    return red.sum(_nan_fill(x, 0.0), axis=axis, keepdims=keepdims) / _count(x, axis, keepdims)


@keras_op
def nanvar(x: Any, axis: Any = None, keepdims: bool = False) -> torch.Tensor:
    """Population variance ignoring NaNs."""
    x = to_float(tensor(x))
    m = nanmean(x, axis=axis, keepdims=True)
    dev = _nan_fill(x - m, 0.0)
    return red.sum(dev * dev, axis=axis, keepdims=keepdims) / _count(x, axis, keepdims)


@keras_op
def nanstd(x: Any, axis: Any = None, keepdims: bool = False) -> torch.Tensor:
    """Population standard deviation ignoring NaNs."""
    return torch.sqrt(nanvar(x, axis=axis, keepdims=keepdims))


def _nan_arg(x: Any, fill: float, fn, axis: Any, keepdims: bool) -> torch.Tensor:
    return fn(_nan_fill(x, fill), axis=axis, keepdims=keepdims)


@keras_op
def nanargmax(x: Any, axis: Any = None, keepdims: bool = False) -> torch.Tensor:
    """Index of the maximum ignoring NaNs (int32)."""
    return _nan_arg(x, float("-inf"), red.argmax, axis, keepdims)


@keras_op
def nanargmin(x: Any, axis: Any = None, keepdims: bool = False) -> torch.Tensor:
    """Index of the minimum ignoring NaNs (int32)."""
    return _nan_arg(x, float("inf"), red.argmin, axis, keepdims)


@keras_op
def nancumsum(x: Any, axis: Any = None, dtype: Any = None) -> torch.Tensor:
    """Cumulative sum treating NaN as zero."""
    return red.cumsum(_nan_fill(x, 0.0), axis=axis, dtype=dtype)


@keras_op
def nancumprod(x: Any, axis: Any = None, dtype: Any = None) -> torch.Tensor:
    """Cumulative product treating NaN as one."""
    return red.cumprod(_nan_fill(x, 1.0), axis=axis, dtype=dtype)


__all__ = ["quantile", "percentile", "nanquantile", "nanpercentile", "median", "nanmedian",
           "nansum", "nanprod", "nanmax", "nanmin", "nanmean", "nanvar", "nanstd",
           "nanargmax", "nanargmin", "nancumsum", "nancumprod"]
