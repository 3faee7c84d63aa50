"""Turning Python values, numpy arrays and tensors into torch tensors the Keras way.

Rules (those of Keras's torch backend): a Python ``float`` becomes floatx, an ``int``
``int32`` (``int64`` when it does not fit), a ``bool`` ``bool``; numpy arrays and numpy
scalars keep their dtype (``float64`` stays ``float64``); lists take the promoted dtype of
their leaves (so ``[1, 2.0]`` is floatx). Tensors pass through on their own device with no
copy unless a different ``dtype`` is asked for; everything else lands on
``torchkeras.config.get_device()``.
"""
from __future__ import annotations

from typing import Any

import numpy as np
import torch

from torchkeras import config
from torchkeras.ops.dtypes import result_type, standardize_dtype, to_torch_dtype
from torchkeras.variable_view import KerasView

__all__ = ["convert_to_tensor", "convert_to_numpy"]

_INT32_MIN, _INT32_END = -(2 ** 31), 2 ** 31


def _leaves(x, out: list) -> list:
    for v in x:
        if isinstance(v, (list, tuple)):
            _leaves(v, out)
        else:
            out.append(v)
    return out


def convert_to_tensor(x: Any, dtype: Any = None, sparse: bool | None = None,
                      ragged: bool | None = None) -> torch.Tensor:
    """Converts ``x`` to a ``torch.Tensor`` with Keras's dtype rules.

    Args:
        x: A tensor, numpy array or scalar, Python scalar, or nested list/tuple of them.
        dtype: Target dtype (any form :func:`standardize_dtype` takes); inferred if None.
        sparse: Must be falsy: torch dense tensors only.
        ragged: Must be falsy.

    Returns:
        A ``torch.Tensor``.

    Raises:
        ValueError: For ``sparse=True`` or ``ragged=True``.

    Example:
        >>> convert_to_tensor([1, 2]).dtype
        torch.int32
    """
    if sparse:
        raise ValueError("`sparse=True` is not supported with the torch backend")
    if ragged:
        raise ValueError("`ragged=True` is not supported with the torch backend")
    if isinstance(x, torch.Tensor):
        if type(x) is KerasView:
            x = x.as_subclass(torch.Tensor)    # a weight's Keras view: plain tensor, same storage
        if dtype is not None:
            dt = to_torch_dtype(dtype)
            if x.dtype != dt:
                x = x.to(dt)
        return x
    device = config.get_device()
    if isinstance(x, (bool, int, float, complex)):
        # Python scalars (np.float64 is a float subclass, hence floatx like Keras).
        if dtype is not None:
            dt = to_torch_dtype(dtype)
        elif isinstance(x, bool):
            dt = torch.bool
        elif isinstance(x, int):
            dt = torch.int32 if _INT32_MIN <= x < _INT32_END else torch.int64
        elif isinstance(x, float):
            dt = to_torch_dtype(config.floatx())
        else:
            dt = torch.complex64
        return torch.tensor(x, dtype=dt, device=device)
    if isinstance(x, (list, tuple)):
        if x and any(isinstance(v, torch.Tensor) for v in x):
            return torch.stack([convert_to_tensor(v, dtype) for v in x])
        if dtype is None:
            leaves = _leaves(x, [])
            dtype = result_type(*[getattr(v, "dtype", type(v)) for v in leaves]) if leaves \
                else config.floatx()
        return torch.as_tensor(np.asarray(x), dtype=to_torch_dtype(dtype), device=device)
    if hasattr(x, "__torch_tensor__"):
        return convert_to_tensor(x.__torch_tensor__(), dtype)
    arr = np.asarray(x)
    if any(s < 0 for s in arr.strides):
        arr = arr.copy()   # torch cannot view negative strides
    if arr.dtype == np.uint32:
        arr = arr.astype(np.int64)   # torch has no general uint32 kernels
    if dtype is None:
        dtype = standardize_dtype(arr.dtype)
    if standardize_dtype(arr.dtype) == "bfloat16":
        arr = arr.astype(np.float32)
    return torch.as_tensor(arr, dtype=to_torch_dtype(dtype), device=device)


def convert_to_numpy(x: Any) -> np.ndarray:
    """A numpy array for ``x`` (tensors are detached and copied to the host).

    ``bfloat16`` tensors become ``float32`` arrays (numpy has no bfloat16).

    Args:
        x: A tensor, array, scalar, or list/tuple of them.

    Returns:
        A ``np.ndarray``.

    Example:
        >>> convert_to_numpy(torch.ones(2))
        array([1., 1.], dtype=float32)
    """
    if isinstance(x, torch.Tensor):
        x = x.detach()
        if x.dtype == torch.bfloat16:
            x = x.float()
        return x.cpu().numpy()
    if isinstance(x, (list, tuple)):
        return np.array([convert_to_numpy(v) for v in x])
    return np.asarray(x)
