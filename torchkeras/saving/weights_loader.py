"""``load_weights``: any weights file into a built model, by format.

Its own module because it reads model archives (``.keras``) as well as weights files: the
weights and model modules stay independent of each other.
"""
from __future__ import annotations

import os

from torchkeras.saving.legacy_h5 import is_legacy_weights_file, load_legacy_weights
from torchkeras.saving.archive import load_weights_from_archive
from torchkeras.saving.weights_file import check_built, load_from_h5, load_from_safetensors
from torchkeras.saving.weights_io import H5Source, SafetensorsSource, is_h5_path


def load_weights(model, filepath, skip_mismatch: bool = False, **kwargs) -> None:
    """Loads weights written by :func:`save_weights` or by Keras 3 (``.weights.h5``).

    Args:
        model: A built layer or model with the architecture the file was saved from.
        filepath: A ``.weights.h5``, safetensors or ``.keras`` file.
        skip_mismatch: Skip (with a warning) the layers whose weights do not match
            instead of raising.

    Raises:
        FileNotFoundError: No such file.
        ValueError: The file is unreadable, or its weights do not match the model; the
            message names the first mismatching weight. The model is left unchanged.

    Example:
        >>> model.load_weights("ckpt.weights.h5")
    """
    if kwargs:
        raise ValueError("Invalid keyword arguments: %s" % sorted(kwargs))
    path = os.fspath(filepath)
    check_built(model, "loading")
    if not os.path.exists(path):
        raise FileNotFoundError("No weights file found at %r." % path)
    if os.path.isdir(path):
        raise IsADirectoryError("%r is a folder, not a weights file." % path)
    origin = "Weights file %r" % path
    if path.lower().endswith(".keras"):
        load_weights_from_archive(model, path, skip_mismatch=skip_mismatch)
    elif is_h5_path(path) and is_legacy_weights_file(path):
        # Keras's legacy layout (e.g. its ImageNet application files): by layer order.
        load_legacy_weights(model, path, skip_mismatch=skip_mismatch)
    elif is_h5_path(path):
        source = H5Source(path=path, origin=origin)
        try:
            load_from_h5(model, source, skip_mismatch)
        finally:
            source.close()
    else:
        source = SafetensorsSource(path=path, origin=origin)
        try:
            load_from_safetensors(model, source, skip_mismatch)
        finally:
            source.close()
