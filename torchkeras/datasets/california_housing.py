"""California housing prices: 20,640 districts of 8 features, target in dollars."""
from __future__ import annotations

import numpy as np

from torchkeras.datasets._common import (KERAS_STORAGE, check_test_split, require_keys,
                                         shuffled, split)
from torchkeras.datasets._download import get_file

ORIGIN = KERAS_STORAGE + "california_housing.npz"
SHA256 = "1a2e3a52e0398de6463aebe6f4a8da34fb21fbb6b934cf88c3425e766f2a1a6f"


def load_data(version: str = "large", path: str = "california_housing.npz",
              test_split: float = 0.2, seed: int = 113, *, cache_dir: str | None = None):
    """Loads the California housing regression dataset.

    Args:
        version: ``"large"`` (all 20,640 samples) or ``"small"`` (the first 600).
        path: File name of the cached copy, under ``$TORCHKERAS_HOME/datasets``.
        test_split: Fraction of the (shuffled) data kept for testing, in ``[0, 1)``.
        seed: Seed of the shuffle.
        cache_dir: Cache root instead of ``$TORCHKERAS_HOME`` / ``~/.torchkeras``.

    Returns:
        ``(x_train, y_train), (x_test, y_test)``: float arrays ``(N, 8)`` and ``(N,)``.

    Example:
        >>> (x_train, y_train), _ = california_housing.load_data(version="small")
    """
    check_test_split(test_split)
    if version not in ("small", "large"):
        raise ValueError("Argument `version` must be one of 'small', 'large'. "
                         "Received: version=%s" % (version,))
    path = get_file(path, origin=ORIGIN, file_hash=SHA256, cache_dir=cache_dir)
    with np.load(path, allow_pickle=False) as f:
        require_keys(f, ("x", "y"), path)
        x, y = f["x"], f["y"]
    if version == "small":
        x, y = x[:600], y[:600]
    return split(*shuffled(seed, x, y), test_split)
