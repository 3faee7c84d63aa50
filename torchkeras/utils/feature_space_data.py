"""Reading a FeatureSpace's data: adapt datasets into columns, call inputs into batches."""
from __future__ import annotations

import numpy as np
import torch

from torchkeras import layers, ops


def _host(value) -> np.ndarray:
    if isinstance(value, torch.Tensor):
        return value.detach().cpu().numpy()
    arr = np.asarray(value)
    if arr.dtype.kind == "S":
        arr = np.char.decode(arr, "utf-8").astype(object)
    return arr


def _batches(dataset):
    """The dicts ``dataset`` yields, whatever kind of dataset it is."""
    from torchkeras.utils.py_dataset import PyDataset  # utils imports stay acyclic this way
    if isinstance(dataset, PyDataset):
        return (dataset[i] for i in range(len(dataset)))
    if hasattr(dataset, "as_numpy_iterator"):     # a tf.data.Dataset, when TF is around
        return dataset.as_numpy_iterator()
    return iter(dataset)


def adapt_columns(dataset, names) -> dict:
    """Each named feature of ``dataset`` as one numpy array ``(num_samples, ...)``.

    Args:
        dataset: A dict of arrays/lists (one entry per feature), or an iterable (torch
            ``DataLoader``, generator, list, ``PyDataset``) yielding dicts of batches or of
            single samples; ``(x, y)`` elements use ``x``.
        names: The features to read.

    Raises:
        ValueError: For another kind of ``dataset``, an element that is not a dict, or a
            missing feature.
    """
    names = list(names)
    if isinstance(dataset, dict):
        missing = [n for n in names if n not in dataset]
        if missing:
            raise ValueError("adapt(): the data has no entry for features %s (keys: %s)."
                             % (missing, sorted(dataset)))
        return {n: _host(dataset[n]) for n in names}
    if isinstance(dataset, (str, bytes, np.ndarray, torch.Tensor)) or \
            not hasattr(dataset, "__iter__") and not hasattr(dataset, "__getitem__"):
        raise ValueError("`adapt()` can only be called on a dict of arrays/lists or on an "
                         "iterable of dicts (a DataLoader, a generator, a list, a PyDataset). "
                         "Received instead: %s (of type %s)" % (dataset, type(dataset)))
    parts: dict = {n: [] for n in names}
    for element in _batches(dataset):
        if isinstance(element, (tuple, list)) and element and isinstance(element[0], dict):
            element = element[0]
        if not isinstance(element, dict):
            raise ValueError("adapt(): the dataset must yield dicts of features (or (dict, "
                             "labels) pairs). Received an element of type %s."
                             % type(element).__name__)
        for n in names:
            if n not in element:
                raise ValueError("adapt(): a batch has no entry for feature %r (keys: %s)."
                                 % (n, sorted(element)))
            parts[n].append(_host(element[n]))
    if names and not parts[names[0]]:
        raise ValueError("adapt(): the dataset yielded no data.")
    return {n: np.stack(p) if p[0].ndim == 0 else np.concatenate(p, axis=0)
            for n, p in parts.items()}


def to_call_input(value, dtype: str):
    """A feature's value as its preprocessor takes it: strings as a numpy array, numbers
    as a tensor (``float32`` for float features); tensors stay on their device."""
    if dtype == "string":
        arr = _host(value)
        return arr.astype(object) if arr.dtype.kind == "U" else arr
    if isinstance(value, torch.Tensor):
        tensor = value
    else:
        arr = _host(value)
        if arr.dtype.kind in "OU":
            return arr.astype(object)
        tensor = ops.convert_to_tensor(arr)
    if dtype.startswith("float") and not tensor.is_floating_point():
        tensor = tensor.to(torch.float32)
    return tensor


def add_feature_axis(value):
    """Rank 0 -> ``(1, 1)`` (returns True: re-batched), rank 1 -> ``(batch, 1)``."""
    if value.ndim == 0:
        return value.reshape(1, 1), True
    if value.ndim == 1:
        return value.reshape(-1, 1), False
    return value, False


def one_hot_width(name: str, preprocessor) -> int:
    """How many values ``preprocessor``'s integer output takes (the one-hot width).

    Args:
        name: The feature's name, for the error message.
        preprocessor: Its preprocessing (or crossing) layer.

    Raises:
        ValueError: For a layer whose number of output values is unknown.
    """
    if isinstance(preprocessor, (layers.IntegerLookup, layers.StringLookup)):
        return preprocessor.vocabulary_size()
    if isinstance(preprocessor, layers.CategoryEncoding):
        return preprocessor.num_tokens
    if isinstance(preprocessor, layers.Discretization):
        if preprocessor.num_bins is not None:
            return preprocessor.num_bins
        return len(preprocessor.bin_boundaries) + 1
    if isinstance(preprocessor, (layers.Hashing, layers.HashedCrossing)):
        return preprocessor.num_bins
    raise ValueError("Feature '%s' has `output_mode='one_hot'`. However it isn't a "
                     "standard feature and the dimensionality of its output space is not "
                     "known, thus it cannot be one-hot encoded. Try using "
                     "`output_mode='int'`." % name)
