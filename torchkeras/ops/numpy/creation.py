"""Tensor-creating ops of ``keras.ops.numpy``: ranges, constants, grids, windows.

New tensors land on ``torchkeras.config.get_device()``; ``dtype=None`` means floatx for
floating fills and the Keras-promoted dtype of the arguments for ranges.

Example:
    >>> from torchkeras import ops
    >>> ops.arange(0, 10, 2)
"""
from __future__ import annotations

from typing import Any

import torch

from torchkeras.ops.dtypes import result_type
from torchkeras.ops.numpy.common import (device, floatx_dtype, tensor, to_float,
                                         torch_dtype)
from torchkeras.ops.symbolic import keras_op


def _shape(shape: Any) -> tuple:
    if isinstance(shape, int):
        return (shape,)
    if isinstance(shape, torch.Tensor):
        return tuple(int(s) for s in shape.tolist())
    return tuple(int(s) for s in shape)


def _dt(dtype: Any) -> torch.dtype:
    return floatx_dtype() if dtype is None else torch_dtype(dtype)


def _py_dtype(v: Any):
    return getattr(v, "dtype", type(v))


@keras_op
def arange(start: Any, stop: Any = None, step: Any = None, dtype: Any = None) -> torch.Tensor:
    """Evenly spaced values in ``[start, stop)``.

    Args:
        start: Start (the stop when ``stop`` is None).
        stop: End, exclusive.
        step: Spacing (1 by default).
        dtype: Result dtype; promoted from the arguments by default (ints → int32).

    Example:
        >>> ops.arange(5)
    """
    if stop is None:
        start, stop = 0, start
    if step is None:
        step = 1
    if dtype is None:
        dtype = result_type(*[_py_dtype(v) for v in (start, stop, step)])
    vals = [v.item() if isinstance(v, torch.Tensor) else v for v in (start, stop, step)]
    return torch.arange(*vals, dtype=torch_dtype(dtype), device=device())


@keras_op
def array(x: Any, dtype: Any = None) -> torch.Tensor:
    """``x`` as a tensor (see ``convert_to_tensor``)."""
    return tensor(x, dtype)


@keras_op
def empty(shape: Any, dtype: Any = None) -> torch.Tensor:
    """An uninitialised tensor of ``shape``."""
    return torch.empty(_shape(shape), dtype=_dt(dtype), device=device())


@keras_op
def zeros(shape: Any, dtype: Any = None) -> torch.Tensor:
    """A tensor of zeros (floatx by default).

    Example:
        >>> ops.zeros((2, 3))
    """
    return torch.zeros(_shape(shape), dtype=_dt(dtype), device=device())


@keras_op
def ones(shape: Any, dtype: Any = None) -> torch.Tensor:
    """A tensor of ones (floatx by default)."""
    return torch.ones(_shape(shape), dtype=_dt(dtype), device=device())


@keras_op
def full(shape: Any, fill_value: Any, dtype: Any = None) -> torch.Tensor:
    """A tensor of ``shape`` filled with ``fill_value`` (its dtype unless ``dtype``)."""
    fill = tensor(fill_value, _dt(dtype))
    return torch.broadcast_to(fill, _shape(shape)).clone().to(device())


def _like(x: Any, dtype: Any) -> tuple:
    x = tensor(x)
    return x, (x.dtype if dtype is None else torch_dtype(dtype))


@keras_op
def empty_like(x: Any, dtype: Any = None) -> torch.Tensor:
    """An uninitialised tensor shaped like ``x``."""
    x, dt = _like(x, dtype)
    return torch.empty_like(x, dtype=dt)


@keras_op
def zeros_like(x: Any, dtype: Any = None) -> torch.Tensor:
    """Zeros shaped (and typed) like ``x``."""
    if type(x) is torch.Tensor and dtype is None:   # Fast path: nothing to convert
        return torch.zeros_like(x)
    x, dt = _like(x, dtype)
    return torch.zeros_like(x, dtype=dt)


@keras_op
def ones_like(x: Any, dtype: Any = None) -> torch.Tensor:
    """Ones shaped (and typed) like ``x``."""
    if type(x) is torch.Tensor and dtype is None:   # Fast path: nothing to convert
        return torch.ones_like(x)
    x, dt = _like(x, dtype)
    return torch.ones_like(x, dtype=dt)


@keras_op
def full_like(x: Any, fill_value: Any, dtype: Any = None) -> torch.Tensor:
    """A tensor shaped like ``x`` filled with ``fill_value``."""
    x, dt = _like(x, dtype)
    return torch.full_like(x, 0, dtype=dt) + tensor(fill_value).to(dt).to(x.device)


@keras_op
def eye(N: int, M: int | None = None, k: int = 0, dtype: Any = None) -> torch.Tensor:  # noqa: N803
    """A 2-D tensor with ones on the ``k``-th diagonal.

    Example:
        >>> ops.eye(3, k=1)
    """
    M = N if M is None else M
    out = torch.zeros((N, M), dtype=_dt(dtype), device=device())
    out.diagonal(k).fill_(1)
    return out


@keras_op
def identity(n: int, dtype: Any = None) -> torch.Tensor:
    """The ``n x n`` identity matrix."""
    return torch.eye(n, dtype=_dt(dtype), device=device())


@keras_op
def tri(N: int, M: int | None = None, k: int = 0, dtype: Any = None) -> torch.Tensor:  # noqa: N803
    """Ones at and below the ``k``-th diagonal of an ``N x M`` tensor."""
    M = N if M is None else M
    return torch.ones((N, M), dtype=torch.bool, device=device()).tril(k).to(_dt(dtype))


def _spaced(start: Any, stop: Any, num: int, endpoint: bool, axis: int):
    start = to_float(tensor(start)).to(torch.float64)
    stop = to_float(tensor(stop)).to(torch.float64)
    start, stop = torch.broadcast_tensors(start, stop)
    div = (num - 1) if endpoint else num
    step = (stop - start) / div if div > 0 else torch.full_like(stop, float("nan"))
    idx = torch.arange(num, dtype=torch.float64, device=start.device)
    idx = idx.reshape((num,) + (1,) * start.ndim)
    out = start + idx * step
    if endpoint and num > 1:
        out[-1] = stop
    return torch.movedim(out, 0, axis), step


@keras_op
def linspace(start: Any, stop: Any, num: int = 50, endpoint: bool = True,
             retstep: bool = False, dtype: Any = None, axis: int = 0):
    """``num`` evenly spaced values from ``start`` to ``stop``.

    Args:
        start: Start value(s).
        stop: End value(s).
        num: Number of samples.
        endpoint: Whether ``stop`` is included.
        retstep: Also return the spacing.
        dtype: Result dtype (floatx by default).
        axis: Axis of the samples when start/stop are arrays.

    Raises:
        ValueError: For a negative ``num``.

    Example:
        >>> ops.linspace(0.0, 1.0, num=5)
    """
    if num < 0:
        raise ValueError("linspace: num must be non-negative, got %d" % num)
    out, step = _spaced(start, stop, num, endpoint, axis)
    dt = _dt(dtype)
    out = out.to(dt) if dt.is_floating_point else torch.floor(out).to(dt)
    return (out, step.to(out.dtype if dt.is_floating_point else floatx_dtype())) \
        if retstep else out


@keras_op
def logspace(start: Any, stop: Any, num: int = 50, endpoint: bool = True, base: float = 10,
             dtype: Any = None, axis: int = 0) -> torch.Tensor:
    """``base ** linspace(start, stop, num)``."""
    out, _ = _spaced(start, stop, num, endpoint, axis)
    return torch.pow(torch.as_tensor(base, dtype=torch.float64), out).to(_dt(dtype))


@keras_op
def geomspace(start: Any, stop: Any, num: int = 50, endpoint: bool = True, dtype: Any = None,
              axis: int = 0) -> torch.Tensor:
    """``num`` values spaced evenly on a log scale from ``start`` to ``stop``."""
    s = to_float(tensor(start)).to(torch.float64)
    e = to_float(tensor(stop)).to(torch.float64)
    out, _ = _spaced(torch.log(s), torch.log(e), num, endpoint, 0)
    out = torch.exp(out)
    if num > 0:
        out[0] = s
        if endpoint and num > 1:
            out[-1] = e
    return torch.movedim(out, 0, axis).to(_dt(dtype))


@keras_op
def meshgrid(*x: Any, indexing: str = "xy") -> list:
    """Coordinate grids from 1-D tensors.

    Raises:
        ValueError: For ``indexing`` other than ``"xy"`` or ``"ij"``.

    Example:
        >>> gx, gy = ops.meshgrid(xs, ys)
    """
    if indexing not in ("xy", "ij"):
        raise ValueError("indexing must be 'xy' or 'ij', got %r" % (indexing,))
    return list(torch.meshgrid(*[tensor(v) for v in x], indexing=indexing))


def _window(fn, m: Any, **kw) -> torch.Tensor:
    m = int(m.item() if isinstance(m, torch.Tensor) else m)
    if m <= 0:
        return torch.zeros(0, dtype=floatx_dtype(), device=device())
    if m == 1:
        return torch.ones(1, dtype=floatx_dtype(), device=device())
    return fn(m, periodic=False, dtype=torch.float64, device=device(), **kw).to(floatx_dtype())


@keras_op
def bartlett(x: Any) -> torch.Tensor:
    """The Bartlett (triangular) window of ``x`` points."""
    return _window(torch.bartlett_window, x)


@keras_op
def blackman(x: Any) -> torch.Tensor:
    """The Blackman window of ``x`` points."""
    return _window(torch.blackman_window, x)


@keras_op
def hamming(x: Any) -> torch.Tensor:
    """The Hamming window of ``x`` points."""
    return _window(torch.hamming_window, x)


@keras_op
def hanning(x: Any) -> torch.Tensor:
    """The Hann window of ``x`` points."""
    return _window(torch.hann_window, x)


@keras_op
def kaiser(x: Any, beta: float) -> torch.Tensor:
    """The Kaiser window of ``x`` points with shape parameter ``beta``."""
    return _window(torch.kaiser_window, x, beta=float(beta))


@keras_op
def vander(x: Any, N: int | None = None, increasing: bool = False) -> torch.Tensor:  # noqa: N803
    """The Vandermonde matrix of the 1-D ``x``.

    Raises:
        ValueError: If ``x`` is not 1-D.
    """
    x = tensor(x)
    if x.ndim != 1:
        raise ValueError("vander: x must be 1-D, got shape %s" % (tuple(x.shape),))
    out = torch.linalg.vander(x, N=N)
    return (out if increasing else out.flip(-1)).to(x.dtype)


__all__ = ["arange", "array", "empty", "zeros", "ones", "full", "empty_like", "zeros_like",
           "ones_like", "full_like", "eye", "identity", "tri", "linspace", "logspace",
           "geomspace", "meshgrid", "bartlett", "blackman", "hamming", "hanning", "kaiser",
           "vander"]
