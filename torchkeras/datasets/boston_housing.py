"""Boston housing prices: 506 samples of 13 features, target in thousands of dollars."""
from __future__ import annotations

import numpy as np

from torchkeras.datasets._common import (KERAS_STORAGE, check_test_split, require_keys,
                                         shuffled, split)
from torchkeras.datasets._download import get_file

ORIGIN = KERAS_STORAGE + "boston_housing.npz"
SHA256 = "f553886a1f8d56431e820c5b82552d9d95cfcb96d1e678153f8839538947dff5"


def load_data(path: str = "boston_housing.npz", test_split: float = 0.2, seed: int = 113, *,
              cache_dir: str | None = None):
    """Loads the Boston housing regression dataset.

    Args:
        path: File name of the cached copy, under ``$TORCHKERAS_HOME/datasets``.
        test_split: Fraction of the (shuffled) data kept for testing, in ``[0, 1)``.
        seed: Seed of the shuffle.
        cache_dir: Cache root instead of ``$TORCHKERAS_HOME`` / ``~/.torchkeras``.

    Returns:
        ``(x_train, y_train), (x_test, y_test)``: float arrays ``(N, 13)`` and ``(N,)``.

    Example:
        >>> (x_train, y_train), (x_test, y_test) = boston_housing.load_data()
    """
    check_test_split(test_split)
    path = get_file(path, origin=ORIGIN, file_hash=SHA256, cache_dir=cache_dir)
    with np.load(path, allow_pickle=False) as f:
        require_keys(f, ("x", "y"), path)
        x, y = f["x"], f["y"]
    return split(*shuffled(seed, x, y), test_split)
