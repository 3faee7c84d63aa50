"""MNIST handwritten digits: 60,000 training and 10,000 test 28x28 grayscale images."""
from __future__ import annotations

import numpy as np

from torchkeras.datasets._common import KERAS_STORAGE, require_keys
from torchkeras.datasets._download import get_file

ORIGIN = KERAS_STORAGE + "mnist.npz"
SHA256 = "731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1"


def load_data(path: str = "mnist.npz", *, cache_dir: str | None = None):
    """Loads the MNIST dataset (downloaded once, then read from the cache).

    Args:
        path: File name of the cached copy, under ``$TORCHKERAS_HOME/datasets``.
        cache_dir: Cache root instead of ``$TORCHKERAS_HOME`` / ``~/.torchkeras``.

    Returns:
        ``(x_train, y_train), (x_test, y_test)``: uint8 images shaped
        ``(60000, 28, 28)`` / ``(10000, 28, 28)`` with values 0-255, and uint8 digit
        labels shaped ``(60000,)`` / ``(10000,)``.

    Example:
        >>> (x_train, y_train), (x_test, y_test) = mnist.load_data()
        >>> x_train.shape
        (60000, 28, 28)
    """
    path = get_file(fname=path, origin=ORIGIN, file_hash=SHA256, cache_dir=cache_dir)
    with np.load(path, allow_pickle=False) as f:
        require_keys(f, ("x_train", "y_train", "x_test", "y_test"), path)
        return (f["x_train"], f["y_train"]), (f["x_test"], f["y_test"])
