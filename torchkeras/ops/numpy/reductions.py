"""Reductions and scans of ``keras.ops.numpy``: sums, means, extrema, statistics.

``axis`` is an int, a tuple of ints (negative counts from the end) or ``None`` for all
axes; ``keepdims`` keeps reduced axes as size 1. Integer means and variances are floatx.

Example:
    >>> from torchkeras import ops
    >>> ops.mean(x, axis=(1, 2), keepdims=True)
"""
from __future__ import annotations

from typing import Any

import torch

from torchkeras.ops.dtypes import result_type
from torchkeras.ops.numpy.common import axes, floatx_dtype, tensor, to_float, torch_dtype
from torchkeras.ops.symbolic import keras_op

_SMALL_INTS = (torch.bool, torch.uint8, torch.int8, torch.int16)


def _dims(x: torch.Tensor, axis: Any):
    # torch reads dim=() as "all dims"; None keeps that meaning explicit.
    return None if axis is None else axes(axis, x.ndim)


def _keep(x: torch.Tensor, out: torch.Tensor, axis: Any, keepdims: bool) -> torch.Tensor:
    if keepdims and axis is None:
        return out.reshape((1,) * x.ndim)
    return out


def _reduce(fn, x: torch.Tensor, axis: Any, keepdims: bool, **kw) -> torch.Tensor:
    if type(axis) is int:
        if not kw:
            # Fast path: positional arguments parse faster than keywords (every fn passed
            # without extra keywords takes (input, dim, keepdim); var/std do not, hence kw).
            return fn(x, axis, keepdims)
        return fn(x, dim=axis, keepdim=keepdims, **kw)
    if axis is None and not keepdims:
        return fn(x, **kw)   # Fast path: a full reduction needs no axis handling.
    if axis is not None and not isinstance(axis, int) and len(axis) == 0:
        return x
    dims = _dims(x, axis)
    if dims is None:
        return _keep(x, fn(x, **kw), axis, keepdims)
    return fn(x, dim=dims, keepdim=keepdims, **kw)


@keras_op
def sum(x: Any, axis: Any = None, keepdims: bool = False) -> torch.Tensor:  # noqa: A001
    """Sum over ``axis``; bool and 8/16-bit integer inputs sum in int32.

    Args:
        x: Input tensor.
        axis: Axis or axes to reduce; all when None.
        keepdims: Keep reduced axes as size 1.

    Example:
        >>> ops.sum(x, axis=-1)
    """
    x = tensor(x)
    if x.dtype in _SMALL_INTS:
        x = x.to(torch.int32)
    if x.is_floating_point() or x.is_complex():
        # Fast path: torch keeps a floating dtype by itself; `dtype=` costs ~1 us a call,
        # and positional arguments parse faster than keywords.
        if type(axis) is int:
            return torch.sum(x, axis, keepdims)
        return _reduce(torch.sum, x, axis, keepdims)
    return _reduce(torch.sum, x, axis, keepdims, dtype=x.dtype)


@keras_op
def prod(x: Any, axis: Any = None, keepdims: bool = False, dtype: Any = None) -> torch.Tensor:
    """Product over ``axis`` (small integer types widen to int32).

    Args:
        x: Input tensor.
        axis: Axis or axes to reduce; all when None.
        keepdims: Keep reduced axes as size 1.
        dtype: Result dtype.

    Example:
        >>> ops.prod(x, axis=0)
    """
    x = tensor(x)
    if dtype is not None:
        x = x.to(torch_dtype(dtype))
    elif x.dtype in _SMALL_INTS:
        x = x.to(torch.int32)
    elif x.dtype == torch.float64 or x.dtype == torch.int64:
        x = x.to(torch_dtype(result_type(x.dtype)))   # Keras's 64-bit narrowing
    if axis is None:
        return _keep(x, torch.prod(x, dtype=x.dtype), axis, keepdims)
    out = x
    for a in sorted(axes(axis, x.ndim), reverse=True):
        out = torch.prod(out, dim=a, keepdim=keepdims, dtype=x.dtype)
    return out


@keras_op
def mean(x: Any, axis: Any = None, keepdims: bool = False) -> torch.Tensor:
    """Arithmetic mean over ``axis`` (integer inputs give floatx).

    Args:
        x: Input tensor.
        axis: Axis or axes to reduce; all when None.
        keepdims: Keep reduced axes as size 1.

    Example:
        >>> ops.mean(x, axis=0)
    """
    x = to_float(tensor(x))
    if type(axis) is int:   # Fast path: positional arguments parse faster than keywords.
        return torch.mean(x, axis, keepdims)
    return _reduce(torch.mean, x, axis, keepdims)


def _var(x: Any, axis: Any, keepdims: bool) -> torch.Tensor:
    x = tensor(x)
    out_dtype = x.dtype if x.is_floating_point() else floatx_dtype()
    # Accumulate half precision in float32, as the reference backends do.
    work = x.to(torch.float32) if x.dtype in (torch.float16, torch.bfloat16) or \
        not x.is_floating_point() else x
    return _reduce(torch.var, work, axis, keepdims, correction=0).to(out_dtype)


@keras_op
def var(x: Any, axis: Any = None, keepdims: bool = False) -> torch.Tensor:
    """Population variance (``ddof=0``) over ``axis``.

    Example:
        >>> ops.var(x, axis=-1)
    """
    out = _var(x, axis, keepdims)
    # Keras on torch narrows float64 variances (but not standard deviations).
    return out.to(torch.float32) if out.dtype == torch.float64 else out


@keras_op
def std(x: Any, axis: Any = None, keepdims: bool = False) -> torch.Tensor:
    """Population standard deviation (``ddof=0``) over ``axis``.

    Example:
        >>> ops.std(x, axis=-1)
    """
    return torch.sqrt(_var(x, axis, keepdims))


def _extreme(fn, x: Any, axis: Any, keepdims: bool, initial: Any, pick) -> torch.Tensor:
    x = tensor(x)
    if x.numel() == 0 and initial is None:
        raise ValueError("Cannot compute the max/min of an empty tensor without `initial`.")
    out = _reduce(fn, x, axis, keepdims)
    if initial is not None:
        out = pick(out, torch.as_tensor(initial, dtype=out.dtype, device=out.device))
    return out


@keras_op
def max(x: Any, axis: Any = None, keepdims: bool = False, initial: Any = None) -> torch.Tensor:  # noqa: A001
    """Maximum over ``axis``, no lower than ``initial`` when given.

    Raises:
        ValueError: For an empty tensor without ``initial``.

    Example:
        >>> ops.max(x, axis=1)
    """
    return _extreme(torch.amax, x, axis, keepdims, initial, torch.maximum)


@keras_op
def min(x: Any, axis: Any = None, keepdims: bool = False, initial: Any = None) -> torch.Tensor:  # noqa: A001
    """Minimum over ``axis``, no higher than ``initial`` when given.

    Example:
        >>> ops.min(x, axis=1)
    """
    return _extreme(torch.amin, x, axis, keepdims, initial, torch.minimum)


@keras_op
def amax(x: Any, axis: Any = None, keepdims: bool = False) -> torch.Tensor:
    """Maximum over ``axis`` (same as :func:`max`)."""
    return _extreme(torch.amax, x, axis, keepdims, None, torch.maximum)


@keras_op
def amin(x: Any, axis: Any = None, keepdims: bool = False) -> torch.Tensor:
    """Minimum over ``axis`` (same as :func:`min`)."""
    return _extreme(torch.amin, x, axis, keepdims, None, torch.minimum)


@keras_op
def all(x: Any, axis: Any = None, keepdims: bool = False) -> torch.Tensor:  # noqa: A001
    """Whether all elements along ``axis`` are true (non-zero)."""
    return _reduce(torch.all, tensor(x), axis, keepdims)


@keras_op
def any(x: Any, axis: Any = None, keepdims: bool = False) -> torch.Tensor:  # noqa: A001
    """Whether any element along ``axis`` is true (non-zero)."""
    return _reduce(torch.any, tensor(x), axis, keepdims)


@keras_op
def ptp(x: Any, axis: Any = None, keepdims: bool = False) -> torch.Tensor:
    """Range (max - min) over ``axis``."""
    x = tensor(x)
    return _reduce(torch.amax, x, axis, keepdims) - _reduce(torch.amin, x, axis, keepdims)


@keras_op
def count_nonzero(x: Any, axis: Any = None) -> torch.Tensor:
    """Number of non-zero elements along ``axis`` (int32)."""
    x = tensor(x)
    dims = _dims(x, axis)
    return torch.count_nonzero(x, dim=dims).to(torch.int32)


def _arg(fn, x: Any, axis: Any, keepdims: bool) -> torch.Tensor:
    x = tensor(x)
    if x.dtype == torch.bool:
        x = x.to(torch.uint8)
    if axis is None:
        out = fn(x.reshape(-1))
        return (out.reshape((1,) * x.ndim) if keepdims else out).to(torch.int32)
    return fn(x, dim=axis, keepdim=keepdims).to(torch.int32)


@keras_op
def argmax(x: Any, axis: int | None = None, keepdims: bool = False) -> torch.Tensor:
    """Index of the maximum along ``axis`` (flat index when None), int32.

    Example:
        >>> ops.argmax(logits, axis=-1)
    """
    return _arg(torch.argmax, x, axis, keepdims)


@keras_op
def argmin(x: Any, axis: int | None = None, keepdims: bool = False) -> torch.Tensor:
    """Index of the minimum along ``axis`` (flat index when None), int32."""
    return _arg(torch.argmin, x, axis, keepdims)


def _scan(fn, x: Any, axis: Any, dtype: Any) -> torch.Tensor:
    x = tensor(x)
    # Keras's rule: the result dtype is result_type(dtype or x.dtype), bool → int32.
    name = result_type(x.dtype if dtype is None else dtype)
    out_dtype = torch.int32 if name == "bool" else torch_dtype(name)
    if axis is None:
        x, axis = x.reshape(-1), 0
    if out_dtype in (torch.float16, torch.bfloat16) and x.device.type == "cpu":
        return fn(x, dim=axis, dtype=torch.float32).to(out_dtype)
    return fn(x, dim=axis, dtype=out_dtype)


@keras_op
def cumsum(x: Any, axis: int | None = None, dtype: Any = None) -> torch.Tensor:
    """Cumulative sum along ``axis`` (of the flattened tensor when None).

    Example:
        >>> ops.cumsum(x, axis=1)
    """
    return _scan(torch.cumsum, x, axis, dtype)


@keras_op
def cumprod(x: Any, axis: int | None = None, dtype: Any = None) -> torch.Tensor:
    """Cumulative product along ``axis`` (of the flattened tensor when None)."""
    return _scan(torch.cumprod, x, axis, dtype)


@keras_op
def average(x: Any, axis: int | None = None, weights: Any = None) -> torch.Tensor:
    """Weighted mean along ``axis``; ``weights`` is as long as that axis (or ``x``'s shape).

    Raises:
        ValueError: If the weights sum to zero is not checked (NaN results), but 1-D
            weights of the wrong length raise.

    Example:
        >>> ops.average(x, axis=0, weights=[0.2, 0.8])
    """
    x = to_float(tensor(x))
    if x.dtype == torch.float64:
        x = x.to(torch.float32)   # Keras's 64-bit narrowing
    if weights is None:
        return mean(x, axis=axis)
    w = tensor(weights)
    dt = x.dtype if to_float(w).dtype == torch.float64 else \
        torch.promote_types(x.dtype, to_float(w).dtype)
    x, w = x.to(dt), w.to(dt)
    if axis is not None and w.ndim == 1 and x.ndim > 1:
        if w.shape[0] != x.shape[axis]:
            raise ValueError("average: weights of length %d do not match axis %d of size %d"
                             % (w.shape[0], axis, x.shape[axis]))
        shape = [1] * x.ndim
        shape[axis] = -1
        w = w.reshape(shape)
    dims = None if axis is None else axis
    if dims is None:
        return torch.sum(x * w) / torch.sum(w.expand_as(x))
    return torch.sum(x * w, dim=dims) / torch.sum(w.expand_as(x), dim=dims)


@keras_op
def trapezoid(y: Any, x: Any = None, dx: float = 1.0, axis: int = -1) -> torch.Tensor:
    """Integral of ``y`` along ``axis`` by the trapezoidal rule.

    Example:
        >>> ops.trapezoid(y, dx=0.1)
    """
    y = to_float(tensor(y))
    if x is None:
        return torch.trapezoid(y, dx=dx, dim=axis)
    return torch.trapezoid(y, to_float(tensor(x)).to(y.dtype), dim=axis)


__all__ = ["sum", "prod", "mean", "var", "std", "max", "min", "amax", "amin", "all", "any",
           "ptp", "count_nonzero", "argmax", "argmin", "cumsum", "cumprod", "average",
           "trapezoid"]
