"""Keras's legacy HDF5 whole-model files (``model.save("model.h5")``).

Keras 3 still writes and reads this format, with a warning. The layout, which Keras
readers expect: root attributes ``model_config`` (JSON of ``{"class_name", "config"}``),
``keras_version``, ``backend`` and, for a compiled model, ``training_config``; a group
``model_weights`` whose attribute ``layer_names`` lists ``model.layers`` and that holds one
group per layer with a ``weight_names`` attribute and one dataset per weight, trainable
weights first, in Keras layouts. The same ``model_weights`` layout is what Keras's legacy
``.h5`` weight files (e.g. its ImageNet application weights) use at their root; they load
by layer order, as Keras loads them.

h5py is an optional dependency: a clear ImportError says how to install it.
"""
from __future__ import annotations

import json
import os
import warnings

import numpy as np
import torch

from torchkeras.saving import file_utils
from torchkeras.saving.serialization import (CustomObjectScope, SafeModeScope,
                                             deserialize_keras_object)
from torchkeras.saving.weight_paths import weight_slots
from torchkeras.saving.weights_io import import_h5py

KERAS_VERSION = "3.15.1"      # the Keras release whose files these mirror
_HDF5_MAGIC = b"\x89HDF\r\n\x1a\n"


def is_h5_model_path(path: str) -> bool:
    """Whether ``model.save(path)`` means the legacy HDF5 format (``.h5``/``.hdf5``)."""
    lower = os.fspath(path).lower()
    return lower.endswith((".h5", ".hdf5")) and not lower.endswith(".weights.h5")


def is_hdf5_file(path: str) -> bool:
    """Whether ``path`` starts with the HDF5 signature."""
    try:
        with open(path, "rb") as f:
            return f.read(8) == _HDF5_MAGIC
    except OSError:
        return False


def save_model_h5(model, filepath, overwrite: bool = True, include_optimizer: bool = True) -> None:
    """Writes ``model`` as a Keras legacy HDF5 model file.

    Args:
        model: A built model with a ``get_config`` (Sequential or functional).
        filepath: Destination ``.h5`` path.
        overwrite: When False, an existing file is an error.
        include_optimizer: Also record the compile arguments (``training_config``).

    Example:
        >>> model.save("model.h5")   # same as save_model_h5(model, "model.h5")
    """
    h5py = import_h5py()
    path = os.fspath(filepath)
    file_utils.check_overwrite(path, overwrite)
    warnings.warn("You are saving your model as an HDF5 file via `model.save()` or "
                  "`keras.saving.save_model(model)`. This file format is considered legacy. "
                  "We recommend using instead the native Keras format, e.g. "
                  "`model.save('my_model.keras')` or "
                  "`keras.saving.save_model(model, 'my_model.keras')`.", UserWarning,
                  stacklevel=3)
    if not getattr(model, "built", True):
        raise ValueError("Model '%s' is not built: call it on data before saving it as .h5."
                         % model.name)
    config = {"class_name": type(model).__name__, "config": model.get_config()}
    training = None
    if include_optimizer and getattr(model, "compiled", False):
        compile_config = model.get_compile_config()
        optimizer = getattr(model, "optimizer", None)
        # Keras readers need the optimizer's class and config: a plain torch.optim
        # optimizer has none, so such a model is saved uncompiled.
        if compile_config and hasattr(optimizer, "get_config"):
            training = dict(compile_config)
            training.pop("optimizer", None)
            training["optimizer_config"] = {"class_name": type(optimizer).__name__,
                                            "config": optimizer.get_config()}
            training.setdefault("loss_weights", None)
    with file_utils.atomic_path(path) as tmp:
        with h5py.File(tmp, "w") as f:
            f.attrs["keras_version"] = KERAS_VERSION
            f.attrs["backend"] = "torch"
            f.attrs["model_config"] = json.dumps(config).encode("utf8")
            if training is not None:
                f.attrs["training_config"] = json.dumps(training).encode("utf8")
            write_weights_group(f.create_group("model_weights"), model)


def write_weights_group(group, model) -> None:
    """One group per layer of ``model.layers`` (Keras's legacy weights layout)."""
    layers = list(model.layers)
    group.attrs["layer_names"] = [l.name.encode("utf8") for l in layers]
    group.attrs["backend"] = b"torch"
    group.attrs["keras_version"] = KERAS_VERSION.encode("utf8")
    for layer in sorted(layers, key=lambda l: l.name):
        sub = group.create_group(layer.name)
        names, used = [], set()
        for slot in legacy_slots(layer):
            name = "%s/%s" % (layer.name, getattr(slot.param, "name", None) or
                              slot.torch_key.replace(".", "_"))
            base, n = name, 1
            while name in used:          # two variables of one layer with the same name
                name, n = "%s_%d" % (base, n), n + 1
            used.add(name)
            value = slot.keras_value().cpu().numpy()
            sub.create_dataset(name, data=value)
            names.append(name.encode("utf8"))
        sub.attrs["weight_names"] = names


def legacy_slots(layer) -> list:
    """``layer``'s weights in the legacy order: trainable ones, then the others."""
    slots = weight_slots(layer)
    trainable = {id(p) for p in layer.torch_weights(trainable=True)}
    return [s for s in slots if id(s.param) in trainable] + \
        [s for s in slots if id(s.param) not in trainable]


def load_weights_group(group, model, origin: str, skip_mismatch: bool = False) -> None:
    """Loads a legacy ``model_weights`` group by layer order (layers without weights are
    skipped on both sides, as Keras does); checks everything before changing anything."""
    layers = [l for l in model.layers if legacy_slots(l)]
    names = [_text(n) for n in group.attrs.get("layer_names", [])]
    saved = [n for n in names if n in group and len(group[n].attrs.get("weight_names", []))]
    if len(saved) != len(layers):
        raise ValueError("Layer count mismatch when loading weights from %s: model '%s' "
                         "expects %d layers with weights, the file has %d."
                         % (origin, model.name, len(layers), len(saved)))
    staged = []
    for layer, name in zip(layers, saved):
        sub = group[name]
        values = [np.asarray(sub[_text(w)]) for w in sub.attrs["weight_names"]]
        slots = legacy_slots(layer)
        if len(values) != len(slots):
            raise ValueError("Weight count mismatch for layer '%s' (saved as '%s') in %s: "
                             "expected %d weights, found %d."
                             % (layer.name, name, origin, len(slots), len(values)))
        for slot, value in zip(slots, values):
            if tuple(value.shape) != slot.keras_shape():
                message = ("Shape mismatch in layer '%s' (saved as '%s') of %s: weight %s "
                           "expects shape %s, found %s." % (layer.name, name, origin,
                                                            slot.label, slot.keras_shape(),
                                                            tuple(value.shape)))
                if not skip_mismatch:
                    raise ValueError(message)
                warnings.warn("Skipping: " + message, stacklevel=3)
                continue
            tensor = slot.layer.torch_layout(slot.torch_key, torch.as_tensor(value))
            staged.append((slot.param, tensor))
    with torch.no_grad():
        for param, tensor in staged:
            param.copy_(tensor.to(device=param.device, dtype=param.dtype))


def load_legacy_weights(model, path: str, skip_mismatch: bool = False) -> None:
    """``model.load_weights`` of a legacy Keras ``.h5`` weights or model file."""
    h5py = import_h5py()
    with h5py.File(path, "r") as f:
        group = f["model_weights"] if "model_weights" in f else f
        load_weights_group(group, model, "weights file %r" % path, skip_mismatch)


def is_legacy_weights_file(path: str) -> bool:
    """Whether an ``.h5`` file uses the legacy layout (``layer_names`` by layer) rather
    than Keras 3's ``.weights.h5`` layout."""
    h5py = import_h5py()
    try:
        with h5py.File(path, "r") as f:
            group = f["model_weights"] if "model_weights" in f else f
            return "layer_names" in group.attrs
    except OSError:
        return False


def load_model_h5(filepath, custom_objects: dict | None = None, compile: bool = True,
                  safe_mode: bool = True):
    """Reads a legacy HDF5 model file written by Keras (2 or 3) or by :func:`save_model_h5`.

    Args:
        filepath: The ``.h5`` file.
        custom_objects: Name -> class/function for users' own objects.
        compile: Compile the model from the saved ``training_config`` (when present).
        safe_mode: Refuse configs that carry code (``Lambda`` functions).

    Example:
        >>> model = load_model_h5("model.h5")
    """
    h5py = import_h5py()
    path = os.fspath(filepath)
    origin = "model file %r" % path
    with h5py.File(path, "r") as f:
        raw = f.attrs.get("model_config")
        if raw is None:
            raise ValueError("No model config found in the file at %s (a weights-only .h5 "
                             "file loads with `model.load_weights()`)." % path)
        config = json.loads(_text(raw))
        with CustomObjectScope(custom_objects or {}), SafeModeScope(safe_mode):
            model = deserialize_keras_object(config, custom_objects=custom_objects,
                                             safe_mode=safe_mode)
        load_weights_group(f["model_weights"], model, origin)
        training = f.attrs.get("training_config")
        if compile and training is not None:
            training = json.loads(_text(training))
            optimizer = training.pop("optimizer_config", None)
            compile_config = {k: training.get(k) for k in
                              ("loss", "metrics", "weighted_metrics", "loss_weights")}
            if optimizer is not None:
                compile_config["optimizer"] = optimizer
            with CustomObjectScope(custom_objects or {}), SafeModeScope(safe_mode):
                model.compile_from_config(compile_config)
    return model


def _text(value) -> str:
    return value.decode("utf8") if isinstance(value, (bytes, np.bytes_)) else str(value)
