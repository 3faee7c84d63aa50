"""Strings and other host values entering preprocessing layers.

Text lives on the host: lookup, hashing and vectorization layers take numpy arrays,
(nested) lists of strings or integer tensors, turn every value into an integer id once
on the CPU, and hand a torch tensor to the rest of the model.
"""
from __future__ import annotations

import numpy as np
import torch

from torchkeras import config as _config


def to_host_array(inputs) -> np.ndarray:
    """``inputs`` as a numpy array: strings as ``str`` objects, numbers as they are.

    Args:
        inputs: A numpy array, a tensor, a (nested) list, a scalar or a string.
    """
    if isinstance(inputs, torch.Tensor):
        return inputs.detach().cpu().numpy()
    arr = np.asarray(inputs)
    if arr.dtype.kind == "S":
        return np.vectorize(lambda b: b.decode("utf-8"), otypes=[object])(arr) \
            if arr.size else arr.astype(object)
    if arr.dtype.kind == "O":
        return np.vectorize(lambda v: v.decode("utf-8") if isinstance(v, bytes) else v,
                            otypes=[object])(arr) if arr.size else arr
    if arr.dtype.kind == "U":
        return arr.astype(object)
    return arr


def is_string_array(arr: np.ndarray) -> bool:
    return arr.dtype.kind in "OU"


def map_values(arr: np.ndarray, fn, cache: dict | None = None) -> np.ndarray:
    """Applies ``fn`` to each element of ``arr`` (distinct values computed once).

    Returns:
        An int64 array of ``arr``'s shape.
    """
    if arr.size == 0:
        return np.zeros(arr.shape, dtype=np.int64)
    uniques, inverse = np.unique(arr.reshape(-1).astype(object) if arr.dtype.kind == "O"
                                 else arr.reshape(-1), return_inverse=True)
    if cache is None:
        ids = np.fromiter((fn(u) for u in uniques), dtype=np.int64, count=len(uniques))
    else:
        ids = np.fromiter((cache[u] if u in cache else cache.setdefault(u, fn(u))
                           for u in uniques), dtype=np.int64, count=len(uniques))
    return ids[inverse].reshape(arr.shape)


def to_device_tensor(arr: np.ndarray, like=None) -> torch.Tensor:
    """An int/float array as a tensor on ``like``'s device (a tensor input), else the
    default device."""
    device = like.device if isinstance(like, torch.Tensor) else _config.get_device()
    return torch.as_tensor(arr).to(device)
