"""``save_weights`` / ``load_weights``: safetensors, or Keras 3's ``.weights.h5``.

The path picks the format: ``.h5`` (``.weights.h5``, Keras's own) writes HDF5 laid out
exactly as Keras 3 writes it, anything else safetensors. Values are stored in Keras
layouts, so files move between Keras 3 and torchkeras both ways. Loading checks every
name and shape against the model before changing anything: a wrong file is a clear
error and leaves the model exactly as it was.
"""
from __future__ import annotations

import os
import warnings

import torch

from torchkeras.saving import file_utils
from torchkeras.saving.weight_paths import WeightSlot, group_names, weight_slots
from torchkeras.saving.weights_io import (H5Source, SafetensorsSource, WeightsFileError,
                                          is_h5_path, safetensors_bytes, write_h5)

FORMAT_NAME = "torchkeras.weights"
FORMAT_VERSION = "1"


def check_built(model, action: str) -> None:
    if not getattr(model, "built", True):
        raise ValueError("You are %s weights of a model that has not yet been built. Try "
                         "building the model first by calling it on some data or by using "
                         "`build()`." % action)


def save_weights(model, filepath, overwrite: bool = True) -> None:
    """Writes every weight of ``model`` to ``filepath`` (atomically).

    Args:
        model: A built layer or model.
        filepath: ``*.weights.h5`` (Keras 3 HDF5) or ``*.safetensors``/any other name
            (safetensors).
        overwrite: When False, an existing file is an error.

    Example:
        >>> model.save_weights("ckpt.weights.h5")
        >>> model.save_weights("ckpt.safetensors")
    """
    path = os.fspath(filepath)
    if path.endswith(".keras"):
        raise ValueError("save_weights writes weights only: use a `.weights.h5` or "
                         "`.safetensors` name, or `model.save(%r)` for a whole model." % path)
    check_built(model, "saving")
    file_utils.check_overwrite(path, overwrite)
    slots = weight_slots(model)
    if is_h5_path(path):
        variables = {s.h5_path: s.keras_value() for s in slots}
        groups = group_names(model)
        with file_utils.atomic_path(path) as tmp:
            write_h5(tmp, groups, variables)
    else:
        file_utils.write_bytes_atomic(path, weights_to_bytes(model, slots))


def weights_to_bytes(model, slots: list | None = None) -> bytes:
    """The safetensors serialization of ``model``'s weights (Keras layouts)."""
    slots = weight_slots(model) if slots is None else slots
    tensors = {s.key: s.keras_value() for s in slots}
    return safetensors_bytes(tensors, {"format": "pt", "library": FORMAT_NAME,
                                       "version": FORMAT_VERSION, "layout": "keras"})


def load_from_safetensors(model, source: SafetensorsSource, skip_mismatch: bool) -> None:
    slots = weight_slots(model)
    assign_staged(model, source, slots, {id(s): s.key for s in slots}, skip_mismatch)


def load_from_h5(model, source: H5Source, skip_mismatch: bool) -> None:
    slots = weight_slots(model)
    remap = _match_h5_groups(model, source, slots)
    names = {}
    for s in slots:
        group = remap.get(s.group, s.group)
        names[id(s)] = (group + "/" if group else "") + "vars/" + str(s.index)
    assign_staged(model, source, slots, names, skip_mismatch)


def _match_h5_groups(model, source: H5Source, slots: list) -> dict:
    """Our group -> file group, when the file names that layer elsewhere among siblings.

    Paths count layers per class in graph order; when a file from the same architecture
    records our layer's name on a sibling group instead (two graphs ordered their
    layers differently), that group is the one meant.
    """
    by_name: dict = {}
    for group, name in source.vars_groups():
        if name is not None:
            parent = group.rsplit("/", 1)[0] if "/" in group else ""
            by_name.setdefault((parent, name), []).append(group)
    by_group: dict = {}
    for s in slots:
        by_group.setdefault(s.group, []).append(s)

    def fits(group, layer_slots) -> bool:
        prefix = (group + "/" if group else "") + "vars/"
        return all(source.shape(prefix + str(s.index)) is not None and
                   tuple(source.shape(prefix + str(s.index))) == s.keras_shape()
                   for s in layer_slots)

    remap = {}
    for group, layer_slots in by_group.items():
        if not group:
            continue
        layer = layer_slots[0].layer
        if source.group_name(group) == layer.name or fits(group, layer_slots):
            continue   # names agree, or the positional group already fits: keep it
        parent = group.rsplit("/", 1)[0] if "/" in group else ""
        candidates = by_name.get((parent, layer.name), [])
        # Names can collide by chance (automatic names): take a named sibling only
        # when its variables have exactly this layer's shapes.
        if len(candidates) == 1 and fits(candidates[0], layer_slots):
            remap[group] = candidates[0]
    return remap


def assign_staged(model, source, slots: list, names: dict, skip_mismatch: bool) -> None:
    """Checks every slot against ``source``, stages the values, then copies them all.

    Args:
        model: The model being loaded (for messages).
        source: A reader with ``names``/``shape``/``read``.
        slots: The model's ``WeightSlot`` list.
        names: id(slot) -> name of its value in ``source``.
        skip_mismatch: Warn and skip layers with mismatching weights instead of raising.
    """
    problems = []                 # (slot or None, message)
    bad_layers = set()
    for s in slots:
        name = names[id(s)]
        expected = s.keras_shape()
        found = source.shape(name)
        if found is None:
            problems.append((s, "weight %s is missing from the file (expected %r with shape "
                                "%s)" % (s.label, name, expected)))
            bad_layers.add(id(s.layer))
        elif tuple(found) != expected:
            problems.append((s, "weight %s has shape %s in the model but %s in the file "
                                "(entry %r)" % (s.label, expected, tuple(found), name)))
            bad_layers.add(id(s.layer))
    wanted = set(names.values())
    extras = [n for n in source.names() if n not in wanted]
    if extras:
        problems.append((None, "the file holds %d weight(s) the model does not have, first %r"
                         % (len(extras), extras[0])))
    if problems and not skip_mismatch:
        raise ValueError("Cannot load %s into model '%s': %s. The file was probably saved from "
                         "a different architecture; no weight was changed."
                         % (_origin(source), model.name, problems[0][1]))
    for _, message in problems:
        warnings.warn("Skipping while loading %s: %s." % (_origin(source), message),
                      stacklevel=3)
    staged = []
    for s in slots:
        if id(s.layer) in bad_layers:
            continue
        value = source.read(names[id(s)])
        if tuple(value.shape) != s.keras_shape():
            raise WeightsFileError("%s: entry %r changed shape while reading."
                                   % (_origin(source), names[id(s)]))
        staged.append((s, _to_param_layout(s, value)))
    with torch.no_grad():
        for s, value in staged:
            s.param.copy_(value)


def _to_param_layout(slot: WeightSlot, value: torch.Tensor) -> torch.Tensor:
    p = slot.param
    if value.is_floating_point() != p.is_floating_point() and p.dtype != torch.bool:
        raise ValueError("Weight %s is %s in the model but %s in the file."
                         % (slot.label, str(p.dtype).replace("torch.", ""),
                            str(value.dtype).replace("torch.", "")))
    out = slot.layer.torch_layout(slot.torch_key, value)
    if tuple(out.shape) != tuple(p.shape):
        raise ValueError("Weight %s: layer '%s' turned shape %s into %s, expected %s."
                         % (slot.label, slot.layer.name, tuple(value.shape),
                            tuple(out.shape), tuple(p.shape)))
    return out.to(device=p.device, dtype=p.dtype)


def _origin(source) -> str:
    return getattr(source, "origin", "the weights file")
