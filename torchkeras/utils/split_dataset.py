"""``split_dataset``: one dataset into two, as Keras splits it."""
from __future__ import annotations

import random

import numpy as np
import torch


class SampleDataset(torch.utils.data.Dataset):
    """Samples held as stacked arrays, returned one at a time (tensors, same structure).

    Args:
        columns: One stacked array, or a tuple of them (e.g. ``(x, y)``).
    """

    def __init__(self, columns):
        self.columns = columns

    def __len__(self) -> int:
        first = self.columns[0] if isinstance(self.columns, tuple) else self.columns
        return len(first)

    def __getitem__(self, i):
        if isinstance(self.columns, tuple):
            return tuple(torch.as_tensor(c[i]) for c in self.columns)
        return torch.as_tensor(self.columns[i])


def _samples(dataset) -> tuple:
    """(list of samples, whether each sample is a tuple)."""
    if isinstance(dataset, (tuple, list)) and dataset and all(
            hasattr(a, "shape") for a in dataset):
        n = {len(a) for a in dataset}
        if len(n) != 1:
            raise ValueError("All arrays of `dataset` must have the same length; got lengths %s"
                             % sorted(n))
        arrays = [a.detach().cpu().numpy() if isinstance(a, torch.Tensor) else np.asarray(a)
                  for a in dataset]
        return list(zip(*arrays)), True
    if isinstance(dataset, (np.ndarray, torch.Tensor)):
        arr = dataset.detach().cpu().numpy() if isinstance(dataset, torch.Tensor) else dataset
        return list(arr), False
    if isinstance(dataset, torch.utils.data.Dataset) or isinstance(dataset, list):
        items = [dataset[i] for i in range(len(dataset))]
        as_tuple = bool(items) and isinstance(items[0], (tuple, list))
        return [tuple(np.asarray(v) for v in s) if as_tuple else np.asarray(s)
                for s in items], as_tuple
    raise TypeError("The `dataset` argument must be a numpy array, a tensor, a tuple of "
                    "arrays or a torch Dataset. Received: dataset of type %s" % type(dataset))


def _size(value, name: str, total: int):
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError("Invalid `%s` type. Expected: int or float or None. Received: %r"
                        % (name, type(value)))
    if isinstance(value, int) and not 0 < value < total or \
            isinstance(value, float) and not 0 < value < 1:
        raise ValueError("`%s` should be either a positive integer smaller than %d, or a float "
                         "within the range `[0, 1]`. Received: %s=%r" % (name, total, name, value))
    return round(value * total) if isinstance(value, float) else value


def split_dataset(dataset, left_size=None, right_size=None, shuffle: bool = False,
                  seed: int | None = None) -> tuple:
    """Splits ``dataset`` into a left and a right dataset of samples.

    The same seed shuffles and splits exactly as Keras does; the parts are torch datasets
    of single samples (pass ``batch_size`` to ``fit``, or wrap them in a ``DataLoader``).

    Args:
        dataset: A numpy array or tensor, a tuple of them (e.g. ``(x, y)``), or a torch
            ``Dataset``.
        left_size: Samples (int) or fraction (float) on the left; the rest by default.
        right_size: Samples or fraction on the right; the rest by default.
        shuffle: Shuffle the samples first.
        seed: Shuffle seed.

    Returns:
        ``(left, right)`` datasets.

    Example:
        >>> left, right = split_dataset(np.arange(10), left_size=0.8)
        >>> len(left), len(right)
        (8, 2)
    """
    if left_size is None and right_size is None:
        raise ValueError("At least one of the `left_size` or `right_size` must be specified. "
                         "Received: left_size=None and right_size=None")
    samples, as_tuple = _samples(dataset)
    if shuffle:
        if seed is None:
            seed = random.randint(0, int(1e6))
        random.Random(seed).shuffle(samples)
    total = len(samples)
    if left_size == 0 and right_size == 0:
        raise ValueError("Both `left_size` and `right_size` are zero. At least one of the split "
                         "sizes must be non-zero.")
    left, right = _size(left_size, "left_size", total), _size(right_size, "right_size", total)
    if isinstance(left_size, float) and isinstance(right_size, float) and \
            left_size + right_size > 1:
        raise ValueError("The sum of `left_size` and `right_size` is greater than 1. It must be "
                         "less than or equal to 1.")
    left = total - right if left is None else left
    right = total - left if right is None else right
    if left + right > total or not left or not right:
        raise ValueError("With `dataset` of length=%d, left_size=%r and right_size=%r one side "
                         "would be empty or the sizes exceed the data." % (total, left, right))

    def restore(part):
        if as_tuple:
            return SampleDataset(tuple(np.stack(col) for col in zip(*part)))
        return SampleDataset(np.stack(part))
    return restore(samples[:left]), restore(samples[-right:])
