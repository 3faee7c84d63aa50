"""Gathering ops of ``keras.ops.numpy``: ``take`` and ``take_along_axis``.

Negative indices count from the end, as in Keras.

Example:
    >>> from torchkeras import ops
    >>> ops.take(table, ids, axis=0)
"""
from __future__ import annotations

from typing import Any

import torch

from torchkeras.ops.numpy.common import tensor
from torchkeras.ops.symbolic import keras_op

_Tensor = torch.Tensor


def take(x: Any, indices: Any, axis: int | None = None) -> torch.Tensor:
    """Elements at ``indices`` along ``axis`` (of the flattened tensor when None);
    negative indices count from the end.

    Example:
        >>> ops.take(table, ids, axis=0)
    """
    # Fast path (fast_paths, item 5): plain tensors and an int or None axis.
    if type(x) is _Tensor and type(indices) is _Tensor and (axis is None or type(axis) is int):
        return _take(x, indices, axis)
    return _take_op(x, indices, axis)


def _take(x: Any, indices: Any, axis: int | None = None) -> torch.Tensor:
    x = tensor(x)
    idx = tensor(indices)
    if idx.dtype != torch.int64 and idx.dtype != torch.int32:
        idx = idx.to(torch.int64)
    if axis is None:
        x, axis = x.reshape(-1), 0
    elif axis < 0:
        axis += x.ndim
    n = x.shape[axis]
    # index_select is the fast gather on CPU; remainder maps negative indices first.
    # Fast path: 1-D indices skip the reshape (a torch call, ~1 us).
    flat = idx if idx.ndim == 1 else idx.reshape(-1)
    if n:
        flat = torch.remainder(flat, n)
    out = torch.index_select(x, axis, flat)
    if idx.ndim == 1:
        return out
    return out.reshape(x.shape[:axis] + idx.shape + x.shape[axis + 1:])


_take_op = keras_op(_take, name="take")
take.__wrapped_op__ = _take


@keras_op
def take_along_axis(x: Any, indices: Any, axis: int | None = None) -> torch.Tensor:
    """Picks values along ``axis`` with ``indices`` of matching rank (broadcast)."""
    x = tensor(x)
    idx = tensor(indices).to(torch.int64)
    if axis is None:
        x, axis = x.reshape(-1), 0
        idx = idx.reshape(-1)
    axis = axis % x.ndim
    n = x.shape[axis]
    idx = torch.where(idx < 0, idx + n, idx)
    shape = list(torch.broadcast_shapes(
        tuple(1 if i == axis else s for i, s in enumerate(x.shape)),
        tuple(1 if i == axis else s for i, s in enumerate(idx.shape))))
    xs, ids = list(shape), list(shape)
    xs[axis], ids[axis] = x.shape[axis], idx.shape[axis]
    return torch.gather(x.expand(xs), axis, idx.expand(ids))


__all__ = ["take", "take_along_axis"]
