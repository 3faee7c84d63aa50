"""Pieces shared by the dataset loaders: the Keras storage URL and split helpers."""
from __future__ import annotations

import numpy as np

KERAS_STORAGE = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"


def check_test_split(test_split) -> None:
    if not 0 <= test_split < 1:
        raise ValueError("Invalid `test_split` argument: %s. It must be between 0 and 1 "
                         "(exclusive of 1)." % (test_split,))


def shuffled(seed, *arrays):
    """The arrays permuted by one ``np.random.RandomState(seed)`` shuffle (as Keras does)."""
    indices = np.arange(len(arrays[0]))
    np.random.RandomState(seed).shuffle(indices)
    return tuple(a[indices] for a in arrays)


def split(x, y, test_split: float):
    """``(x_train, y_train), (x_test, y_test)`` with the first ``1 - test_split`` for training."""
    cut = int(len(x) * (1 - test_split))
    return (np.array(x[:cut]), np.array(y[:cut])), (np.array(x[cut:]), np.array(y[cut:]))


def require_keys(arrays, keys, path: str) -> None:
    missing = [k for k in keys if k not in arrays]
    if missing:
        raise ValueError("%s is not a valid dataset file: arrays %s are missing (found %s)."
                         % (path, missing, sorted(arrays)))
