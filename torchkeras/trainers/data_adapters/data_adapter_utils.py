"""What every data adapter shares: converting arrays to tensors (text stays on the host),
``(x, y, sample_weight)`` packing, sample counts, class weights and the validation split."""
from __future__ import annotations

import math

import numpy as np
import torch

from torchkeras import config as _config
from torchkeras.layers.keras_tensor import flatten_leaves, map_structure

# Arrays bigger than this fraction of free GPU memory stay on the host (pinned).
GPU_FRACTION = 0.5


def to_tensor(x, device=None):
    """numpy/list/scalar -> tensor (floats in floatx, ints as int64); tensors unchanged."""
    if x is None or isinstance(x, torch.Tensor):
        return x if (x is None or device is None) else x.to(device)
    arr = np.asarray(x)
    if is_text_array(arr):
        return arr   # strings stay on the host; text layers turn them into ids
    if any(s < 0 for s in arr.strides):
        arr = np.ascontiguousarray(arr)
    if arr.dtype.kind == "f":
        t = torch.as_tensor(arr, dtype=_config.to_torch_dtype(None))
    elif arr.dtype.kind in "iu" and arr.dtype != np.uint8:
        t = torch.as_tensor(arr.astype(np.int64, copy=False))
    elif arr.dtype.kind == "b" or arr.dtype == np.uint8:
        t = torch.as_tensor(arr)
    elif arr.dtype.kind == "O":
        raise ValueError("Cannot convert an object array (ragged or mixed data) to a tensor: "
                         "pass numeric arrays")
    else:
        t = torch.as_tensor(arr)
    return t if device is None else t.to(device)


def is_text_array(arr: np.ndarray) -> bool:
    """Whether ``arr`` holds strings (unicode, bytes, or objects that are all ``str``)."""
    if arr.dtype.kind in "US":
        return True
    return arr.dtype.kind == "O" and arr.size > 0 and all(
        isinstance(v, (str, bytes)) for v in arr.reshape(-1)[:64])


def take_rows(t, idx):
    if isinstance(t, torch.Tensor):
        return t.index_select(0, idx)
    if isinstance(t, np.ndarray):
        return t[idx.cpu().numpy()]   # host-side text: one small index copy per batch
    return t


def unpack_x_y_sample_weight(data):
    """``(x,)``, ``(x, y)`` or ``(x, y, sample_weight)`` -> the three parts."""
    if isinstance(data, list):
        data = tuple(data)
    if not isinstance(data, tuple):
        return data, None, None
    if len(data) == 1:
        return data[0], None, None
    if len(data) == 2:
        return data[0], data[1], None
    if len(data) == 3:
        return data[0], data[1], data[2]
    raise ValueError("Data is expected to be (x,), (x, y) or (x, y, sample_weight), "
                     "got a tuple of length %d" % len(data))


def pack_x_y_sample_weight(x, y=None, sample_weight=None):
    if y is None:
        return (x,)
    if sample_weight is None:
        return (x, y)
    return (x, y, sample_weight)


def num_samples(struct, what: str) -> int | None:
    sizes = {int(t.shape[0]) for t in flatten_leaves(struct) if t is not None and t.ndim > 0}
    if len(sizes) > 1:
        raise ValueError("Data cardinality is ambiguous: %s arrays have different numbers of "
                         "samples %s. Make sure all arrays contain the same number of samples."
                         % (what, sorted(sizes)))
    return sizes.pop() if sizes else None


def fits_on_device(tensors, device) -> bool:
    if device.type != "cuda":
        return True
    need = sum(t.numel() * t.element_size() for t in tensors)
    free, _ = torch.cuda.mem_get_info(device)
    return need <= GPU_FRACTION * free


def split_bounds(n: int, parts: int) -> list:
    """Boundaries of ``parts`` nearly equal contiguous pieces of ``range(n)``."""
    base, extra = divmod(n, parts)
    bounds = [0]
    for i in range(parts):
        bounds.append(bounds[-1] + base + (1 if i < extra else 0))
    return bounds


def class_weight_to_sample_weight(y: torch.Tensor, class_weight: dict) -> torch.Tensor:
    """One weight per sample from ``{class: weight}`` (labels or one-hot rows)."""
    if not class_weight:
        raise ValueError("class_weight must be a non-empty dict {class_index: weight}")
    labels = y.argmax(-1) if (y.ndim > 1 and y.shape[-1] > 1) else y.reshape(y.shape[0], -1)[:, 0]
    labels = labels.round().long() if labels.is_floating_point() else labels.long()
    n = max(int(k) for k in class_weight) + 1
    table = torch.ones(max(n, int(labels.max()) + 1 if labels.numel() else n),
                       dtype=torch.float32, device=y.device)
    for k, w in class_weight.items():
        table[int(k)] = float(w)
    return table[labels]




def is_array_like(x) -> bool:
    if isinstance(x, (np.ndarray, torch.Tensor)):
        return True
    if isinstance(x, (list, tuple)):
        return len(x) > 0 and all(is_array_like(v) or isinstance(v, (int, float)) for v in x)
    if isinstance(x, dict):
        return all(is_array_like(v) for v in x.values())
    return False


def train_validation_split(arrays, validation_split: float):
    """Splits arrays into (train, validation) keeping the *last* fraction for validation."""
    if not 0.0 < validation_split < 1.0:
        raise ValueError("validation_split must be a float in (0, 1), got %r" % (validation_split,))
    leaves = [t for t in flatten_leaves(arrays) if t is not None]
    n = int(leaves[0].shape[0])
    split = int(math.floor(n * (1.0 - validation_split)))
    if split == 0 or split == n:
        raise ValueError("validation_split=%r leaves no training or no validation samples "
                         "out of %d" % (validation_split, n))

    def cut(lo, hi):
        return map_structure(lambda t: None if t is None else t[lo:hi], arrays)
    return cut(0, split), cut(split, n)
