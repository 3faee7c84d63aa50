"""Array helpers: ``to_categorical`` and ``normalize``."""
from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F


def to_categorical(x, num_classes: int | None = None):
    """Integer class vector -> one-hot matrix, as ``keras.utils.to_categorical``: a numpy
    float64 array for array-likes, an int64 tensor (``F.one_hot``) for torch tensors.

    Args:
        x: Class indices (any shape; a trailing axis of size 1 is dropped).
        num_classes: Number of classes (default: ``max(x) + 1``).

    Example:
        >>> to_categorical([0, 2], 3)
        array([[1., 0., 0.], [0., 0., 1.]])
    """
    if isinstance(x, torch.Tensor):
        if x.dim() > 1 and x.shape[-1] == 1:
            x = x.squeeze(-1)
        x = x.long()
        if x.numel() and int(x.min()) < 0:
            raise ValueError("to_categorical expects non-negative class indices, got %d"
                             % int(x.min()))
        return F.one_hot(x, -1 if num_classes is None else int(num_classes))
    x = np.asarray(x, dtype="int64")
    shape = x.shape
    if shape and shape[-1] == 1 and len(shape) > 1:
        shape = shape[:-1]
    x = x.reshape(-1)
    if x.size and x.min() < 0:
        raise ValueError("to_categorical expects non-negative class indices, got %d" % x.min())
    if num_classes is None:
        num_classes = int(x.max()) + 1 if x.size else 0
    if x.size and x.max() >= num_classes:
        raise ValueError("to_categorical: class index %d is out of range for num_classes=%d"
                         % (x.max(), num_classes))
    out = np.zeros((x.size, num_classes))      # float64, as Keras returns
    out[np.arange(x.size), x] = 1.0
    return out.reshape(shape + (num_classes,))


def normalize(x, axis: int = -1, order: int = 2) -> np.ndarray:
    """Scales ``x`` to unit ``order``-norm along ``axis``."""
    x = np.asarray(x)
    if not np.issubdtype(x.dtype, np.floating):
        x = x.astype("float64")        # as Keras: integers become float64, floats stay
    norm = np.atleast_1d(np.linalg.norm(x, order, axis))
    norm[norm == 0] = 1
    return x / np.expand_dims(norm, axis)
