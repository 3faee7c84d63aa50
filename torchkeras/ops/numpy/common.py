"""Helpers shared by the numpy-family modules: fast conversion and dtype casts.

Kept cheap on purpose: these run on every op call, so a tensor argument costs one
``isinstance`` check.
"""
from __future__ import annotations

from typing import Any

import torch

from torchkeras import config
from torchkeras.ops.convert import convert_to_tensor
from torchkeras.variable_view import KerasView
from torchkeras.ops.dtypes import result_type, standardize_dtype, to_torch_dtype

__all__: list[str] = []

_SCALARS = (int, float)
_WIDE = (torch.float64, torch.int64, torch.uint64, torch.complex128)


def tensor(x: Any, dtype: Any = None) -> torch.Tensor:
    """``x`` as a tensor (tensors as they are; dtype cast when given)."""
    if isinstance(x, torch.Tensor) and dtype is None:
        # A weight's Keras view (dtype string) enters ops as a plain tensor.
        return x if type(x) is not KerasView else x.as_subclass(torch.Tensor)
    return convert_to_tensor(x, dtype)


def pair(x1: Any, x2: Any):
    """Both operands of a binary op, leaving a Python number ``x2`` as a weak scalar when
    ``x1`` is a non-bool tensor (torch then promotes as Keras's weak types do)."""
    t1 = isinstance(x1, torch.Tensor)
    t2 = isinstance(x2, torch.Tensor)
    if t1 and t2:
        return x1, x2
    if t1 and type(x2) in _SCALARS and x1.dtype != torch.bool:
        return x1, x2
    return tensor(x1), tensor(x2)


def pair_tensors(x1: Any, x2: Any):
    """Both operands as tensors."""
    return tensor(x1), tensor(x2)


def floatx_dtype() -> torch.dtype:
    return to_torch_dtype(config.floatx())


def to_float(x: torch.Tensor) -> torch.Tensor:
    """``x`` unchanged when floating (or complex), else cast to floatx."""
    if x.is_floating_point() or x.is_complex():
        return x
    return x.to(floatx_dtype())


def promote(*xs: Any):
    """All operands as tensors of their Keras ``result_type`` (operands that already share
    a dtype keep it: ``float64`` stays ``float64``, where ``result_type`` would narrow)."""
    ts = [tensor(x) for x in xs]
    first = ts[0].dtype
    if all(t.dtype == first for t in ts):
        return ts
    dt = to_torch_dtype(result_type(*[t.dtype for t in ts]))
    return [t if t.dtype == dt else t.to(dt) for t in ts]


def promote_narrow(*xs: Any):
    """All operands cast to Keras's ``result_type`` of their dtypes, 64-bit narrowing
    included (``float64`` → ``float32``), as the Keras ops built on it give."""
    ts = [tensor(x) for x in xs]
    first = ts[0].dtype
    if first not in _WIDE and all(t.dtype == first for t in ts):
        return ts
    dt = to_torch_dtype(result_type(*[t.dtype for t in ts]))
    return [t if t.dtype == dt else t.to(dt) for t in ts]


def dtype_name(x: torch.Tensor) -> str:
    return standardize_dtype(x.dtype)


def torch_dtype(dtype: Any) -> torch.dtype | None:
    return None if dtype is None else to_torch_dtype(dtype)


def axes(axis: Any, ndim: int):
    """``axis`` as a tuple of non-negative ints (``None`` → all axes)."""
    if axis is None:
        return tuple(range(ndim))
    if isinstance(axis, int):
        axis = (axis,)
    return tuple(a % ndim if ndim else a for a in axis)


def device() -> torch.device:
    return config.get_device()
