"""One-file models: ``save_model`` / ``load_model`` (``.keras`` zip archives).

An archive holds ``config.json`` (architecture and compile arguments), ``metadata.json``,
``model.safetensors`` (weights in Keras layouts), ``optimizer.safetensors`` (optimizer
variables, iteration count included) and ``assets/`` when layers have any. Loading
rebuilds the model from the config through the serialization registry, never importing
a module named by the file and never unpickling anything, then loads the state.
Keras 3's own ``.keras`` files (``model.weights.h5`` inside) load as well.
"""
from __future__ import annotations

import datetime
import json
import os
import shutil
import tempfile
import warnings
import zipfile

import numpy as np

from torchkeras.layers.layer import Layer
from torchkeras.saving import file_utils, weight_budget
from torchkeras.saving.optimizer_state import restore_optimizer
from torchkeras.saving.serialization import (CustomObjectScope, SafeModeScope, expect_class,
                                             deserialize_keras_object, serialize_keras_object)
from torchkeras.saving.weight_paths import layer_groups
from torchkeras.saving.legacy_h5 import (is_h5_model_path, is_hdf5_file, load_model_h5,
                                         save_model_h5)
from torchkeras.saving.archive import (ASSETS, CONFIG, KERAS_WEIGHTS, METADATA, OPTIMIZER,
                                       WEIGHTS, load_archive_weights, open_archive,
                                       write_archive)
from torchkeras.saving.archive import load_weights_from_archive  # noqa: F401  (re-exported)
from torchkeras.saving.weights_file import weights_to_bytes
from torchkeras.saving.weights_io import safetensors_bytes

FORMAT_VERSION = "1"


# ---------------------------------------------------------------------------------- saving
def save_model(model, filepath, overwrite: bool = True, zipped: bool | None = None,
               **kwargs) -> None:
    """Saves architecture, weights, compile arguments and optimizer state.

    Args:
        model: The model to save.
        filepath: Destination ending in ``.keras`` (or a folder name when
            ``zipped=False``).
        overwrite: When False, an existing destination is an error.
        zipped: ``None``/``True``: one zip file; ``False``: an unzipped folder.

    Example:
        >>> model.save("model.keras")
        >>> restored = torchkeras.models.load_model("model.keras")
    """
    path = os.fspath(filepath)
    if is_h5_model_path(path):
        # Keras 3 still writes its legacy HDF5 format for these names, with a warning.
        include_optimizer = kwargs.pop("include_optimizer", True)
        if kwargs:
            raise ValueError("Invalid keyword arguments for save_model: %s" % sorted(kwargs))
        save_model_h5(model, path, overwrite=overwrite, include_optimizer=include_optimizer)
        return
    if kwargs:
        raise ValueError("Invalid keyword arguments for save_model: %s" % sorted(kwargs))
    zipped = True if zipped is None else bool(zipped)
    if zipped and not path.endswith(".keras"):
        raise ValueError("Invalid filepath extension for saving. Please add a `.keras` "
                         "extension to the filepath (the only supported format). "
                         "Received: filepath=%s" % path)
    if not zipped and path.endswith(".keras"):
        raise ValueError("When using `zipped=False`, the `filepath` argument should not end "
                         "in `.keras`. Received: filepath=%s" % path)
    file_utils.check_overwrite(path, overwrite)
    if not getattr(model, "built", True):
        warnings.warn("You are saving a model that has not yet been built. It might not "
                      "contain any weights yet. Consider building the model first by calling "
                      "it on some data.", stacklevel=2)
    with file_utils.gc_paused():
        members = _archive_members(model)
    with tempfile.TemporaryDirectory() as assets_dir:
        asset_files = _save_assets(model, assets_dir)
        write_archive(path, members, asset_files, zipped=zipped)


def _archive_members(model) -> dict:
    """Every member's bytes, all computed before the destination is touched."""
    config = serialize_keras_object(model)
    compile_config = model.get_compile_config() if hasattr(model, "get_compile_config") \
        else None
    if compile_config is not None:
        config["compile_config"] = compile_config
    members = {METADATA: _dumps(_metadata(), "metadata"), CONFIG: _dumps(config, "config"),
               WEIGHTS: weights_to_bytes(model)}
    optimizer = getattr(model, "optimizer", None) if getattr(model, "compiled", False) \
        else None
    if optimizer is not None and hasattr(optimizer, "save_own_variables"):
        store: dict = {}
        optimizer.save_own_variables(store)
        meta = {"class_name": type(optimizer).__name__,
                "built": "1" if getattr(optimizer, "built", False) else "0",
                "count": str(len(store))}
        members[OPTIMIZER] = safetensors_bytes(store, meta)
    return members


def _metadata() -> dict:
    import torch

    import torchkeras
    return {"keras_version": "torchkeras-" + torchkeras.__version__,
            "library": "torchkeras", "torchkeras_version": torchkeras.__version__,
            "torch_version": torch.__version__, "format_version": FORMAT_VERSION,
            "weights_format": "safetensors",
            "date_saved": datetime.datetime.now().strftime("%Y-%m-%d@%H:%M:%S")}


def _dumps(obj, what: str) -> bytes:
    def default(value):
        if isinstance(value, np.generic):
            return value.item()
        if isinstance(value, np.ndarray):
            return value.tolist()
        if isinstance(value, (set, frozenset)):
            return sorted(value)
        raise TypeError("%r of type %s" % (value, type(value).__name__))
    try:
        return json.dumps(obj, default=default).encode("utf-8")
    except (TypeError, ValueError) as e:
        raise ValueError("Cannot save the model: its %s is not JSON-serializable (%s). Return "
                         "only plain values and serialized objects from get_config()."
                         % (what, e)) from e


def _save_assets(model, root: str) -> list:
    """Calls each layer's ``save_assets`` into its own folder; (archive name, file) pairs."""
    out = []
    groups = layer_groups(model)
    for layer in model._flatten_layers(include_self=True):
        saver = getattr(layer, "save_assets", None)
        if not callable(saver):
            continue
        rel = groups.get(id(layer)) or "_model"
        folder = os.path.join(root, *rel.split("/"))
        os.makedirs(folder, exist_ok=True)
        saver(folder)
        for dirpath, _, files in os.walk(folder):
            for fname in sorted(files):
                full = os.path.join(dirpath, fname)
                arc = "/".join([ASSETS] + os.path.relpath(full, root).split(os.sep))
                out.append((arc, full))
    return out


# ---------------------------------------------------------------------------------- loading
def load_model(filepath, custom_objects: dict | None = None, compile: bool = True,
               safe_mode: bool = True):
    """Loads a model saved by :func:`save_model` (or a Keras 3 ``.keras`` file).

    Args:
        filepath: The ``.keras`` file (or folder written with ``zipped=False``).
        custom_objects: Name -> class/function for users' own objects.
        compile: Whether to compile the model from the saved compile arguments and
            restore the optimizer state.
        safe_mode: Refuse configs that carry code (``Lambda`` functions). Turn off only
            for files from a trusted source.

    Example:
        >>> model = load_model("model.keras", custom_objects={"Scale": Scale})
    """
    path = os.fspath(filepath)
    if not os.path.exists(path):
        raise FileNotFoundError("No model file found at %r." % path)
    origin = "Model file %r" % path
    if os.path.isdir(path):
        with open_archive(path, origin) as reader:
            return _load(reader, custom_objects, compile, safe_mode)
    if is_hdf5_file(path):
        return load_model_h5(path, custom_objects=custom_objects, compile=compile,
                             safe_mode=safe_mode)
    if not zipfile.is_zipfile(path):
        raise ValueError("File format not supported: filepath=%s. torchkeras loads `.keras` "
                         "files written by `model.save()` (zip archives); weights files load "
                         "with `model.load_weights()`." % path)
    with open_archive(path, origin) as reader:
        return _load(reader, custom_objects, compile, safe_mode)


def _load(reader, custom_objects, compile: bool, safe_mode: bool):
    with file_utils.gc_paused():
        return _load_archive(reader, custom_objects, compile, safe_mode)


def _load_archive(reader, custom_objects, compile: bool, safe_mode: bool):
    if not reader.has(CONFIG):
        raise ValueError("%s is not a model archive: it has no %s." % (reader.origin, CONFIG))
    config = _parse_config(reader)
    compile_config = config.pop("compile_config", None)
    weights = WEIGHTS if reader.has(WEIGHTS) else KERAS_WEIGHTS
    held = reader.size(weights) if reader.has(weights) else 0

    def build():
        with CustomObjectScope(custom_objects or {}), SafeModeScope(safe_mode):
            expect_class(config, Layer, "the model of %s" % reader.origin, custom_objects)
            return deserialize_keras_object(config, custom_objects=custom_objects,
                                            safe_mode=safe_mode)

    # A few kilobytes of config must not allocate gigabytes: the model may take what the
    # archive's weights take, plus a small allowance for state that is not saved.
    model = weight_budget.build_within_budget(
        build, held + weight_budget.WEIGHT_SLACK_BYTES, reader.origin,
        "the archive holds %s bytes of weights in %s, plus %s bytes for unsaved state"
        % (format(held, ","), weights, format(weight_budget.WEIGHT_SLACK_BYTES, ",")))
    load_archive_weights(model, reader, skip_mismatch=False)
    _load_assets(model, reader)
    if compile and compile_config and hasattr(model, "compile_from_config"):
        with CustomObjectScope(custom_objects or {}), SafeModeScope(safe_mode):
            model.compile_from_config(compile_config)
        restore_optimizer(model, reader)
    return model


def _parse_config(reader) -> dict:
    raw = reader.read(CONFIG, file_utils.MAX_JSON_BYTES)
    try:
        config = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as e:
        raise ValueError("%s: %s is not valid JSON: %s" % (reader.origin, CONFIG, e)) from e
    if not isinstance(config, dict) or not isinstance(config.get("class_name"), str):
        raise ValueError("%s: %s does not describe a model (expected a dict with "
                         "'class_name')." % (reader.origin, CONFIG))
    return config


def _load_assets(model, reader) -> None:
    loaders = []
    groups = layer_groups(model)
    for layer in model._flatten_layers(include_self=True):
        if callable(getattr(layer, "load_assets", None)):
            loaders.append((groups.get(id(layer)) or "_model", layer))
    names = reader.asset_names()
    if not loaders or not names:
        return
    root = tempfile.mkdtemp()
    try:
        for name in names:
            parts = name.split("/")[1:]
            if any(p in ("", ".", "..") or "\\" in p or ":" in p for p in parts):
                raise ValueError("%s: refusing asset path %r." % (reader.origin, name))
            dest = os.path.join(root, *parts)
            os.makedirs(os.path.dirname(dest), exist_ok=True)
            with open(dest, "wb") as f:
                f.write(reader.read(name))
        for rel, layer in loaders:
            folder = os.path.join(root, *rel.split("/"))
            if os.path.isdir(folder):
                layer.load_assets(folder)
    finally:
        shutil.rmtree(root, ignore_errors=True)
