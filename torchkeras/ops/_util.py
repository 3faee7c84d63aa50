"""Small helpers shared by the op families (not public API).

They convert op arguments the way Keras's torch backend does before the torch call:
Python ints become int32, Python floats the float dtype of ``torchkeras.config.floatx()``,
numpy arrays keep their dtype; tensors pass through untouched.
"""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np
import torch

from torchkeras import config

_FLOATS = (torch.float16, torch.bfloat16, torch.float32, torch.float64)


def tensor(x: Any, dtype: Any = None) -> torch.Tensor:
    """Converts ``x`` to a tensor with Keras's default dtypes (no copy for tensors)."""
    if isinstance(x, torch.Tensor):
        t = x
    elif hasattr(x, "value") and isinstance(getattr(x, "value"), torch.Tensor):
        t = x.value  # Keras-shaped Variable views
    elif isinstance(x, bool):
        t = torch.tensor(x)
    elif isinstance(x, int):
        t = torch.tensor(x, dtype=torch.int32)
    elif isinstance(x, float):
        t = torch.tensor(x, dtype=config.to_torch_dtype(config.floatx()))
    elif isinstance(x, np.generic) and not isinstance(x, np.ndarray):
        arr = np.asarray(x)
        if arr.dtype.kind == "f":
            t = torch.tensor(float(x), dtype=config.to_torch_dtype(config.floatx()))
        else:
            t = torch.as_tensor(arr)
    elif isinstance(x, np.ndarray):
        t = torch.as_tensor(x)
    elif isinstance(x, (list, tuple)):
        if any(isinstance(v, torch.Tensor) for v in x):
            t = torch.stack([tensor(v) for v in x])
        else:
            arr = np.asarray(x)
            if arr.dtype.kind == "f":
                t = torch.as_tensor(arr, dtype=config.to_torch_dtype(config.floatx()))
            elif arr.dtype.kind in "iu":
                t = torch.as_tensor(arr, dtype=torch.int32)
            else:
                t = torch.as_tensor(arr)
    else:
        t = torch.as_tensor(x)
    if dtype is not None:
        t = t.to(config.to_torch_dtype(dtype))
    return t


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


def shape_list(shape: Sequence[Any]) -> list[int]:
    return [int(s) for s in shape]
