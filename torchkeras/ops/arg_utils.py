"""Argument helpers shared by the op families (conversion, axes, data_format).

Arguments are converted with :func:`torchkeras.ops.convert.convert_to_tensor` (Keras's
torch-backend dtype rules); tensors pass through untouched.
"""
from __future__ import annotations

from typing import Any

import torch

from torchkeras import config
from torchkeras.ops.convert import convert_to_tensor
from torchkeras.variable_view import KerasView

_FLOATS = (torch.float16, torch.bfloat16, torch.float32, torch.float64)


def tensor(x: Any, dtype: Any = None) -> torch.Tensor:
    """``convert_to_tensor`` (Keras's default dtypes; tensors pass through uncopied)."""
    if isinstance(x, torch.Tensor) and dtype is None:
        # A weight's Keras view (dtype string) enters ops as a plain tensor.
        return x if type(x) is not KerasView else x.as_subclass(torch.Tensor)
    return convert_to_tensor(x, dtype)


def floating(x: Any) -> torch.Tensor:
    """``tensor(x)``, cast to floatx when it is not already floating point."""
    t = tensor(x)
    if t.dtype not in _FLOATS:
        t = t.to(config.to_torch_dtype(config.floatx()))
    return t


def promote(*xs: Any) -> list[torch.Tensor]:
    """Tensors converted and cast to one common floating dtype (torch's promotion)."""
    ts = [floating(x) for x in xs]
    dt = ts[0].dtype
    if all(t.dtype == dt for t in ts):
        return ts   # Fast path: nothing to cast (the common case).
    for t in ts[1:]:
        dt = torch.promote_types(dt, t.dtype)
    return [t.to(dt) for t in ts]


def axes(axis: Any, ndim: int) -> tuple[int, ...] | None:
    """Normalizes ``axis`` (int, sequence or None) to non-negative ints."""
    if axis is None:
        return None
    if isinstance(axis, int):
        axis = (axis,)
    out = []
    for a in axis:
        if not -ndim <= a < max(ndim, 1):
            raise ValueError(f"axis {a} is out of bounds for a tensor of rank {ndim}")
        out.append(a % max(ndim, 1))
    return tuple(out)


def tuple_n(value: Any, n: int, name: str) -> tuple[int, ...]:
    """``value`` (int or sequence) as an ``n``-tuple of ints, as Keras's conv args."""
    if isinstance(value, int):
        return (value,) * n
    value = tuple(int(v) for v in value)
    if len(value) == 1:
        return value * n
    if len(value) != n:
        raise ValueError(f"`{name}` must be an int or a tuple of {n} ints, got {value}")
    return value


def data_format(value: str | None) -> str:
    """Keras's ``data_format`` (None reads ``config.image_data_format()``)."""
    return config.standardize_data_format(value)


def to_channels_first(x: torch.Tensor, fmt: str) -> torch.Tensor:
    """NHWC-like ``x`` permuted to NCHW-like (a view; no copy)."""
    if fmt == "channels_first":
        return x
    return x.permute(0, x.ndim - 1, *range(1, x.ndim - 1))


def from_channels_first(x: torch.Tensor, fmt: str) -> torch.Tensor:
    """Inverse of :func:`to_channels_first`."""
    if fmt == "channels_first":
        return x
    return x.permute(0, *range(2, x.ndim), 1)
