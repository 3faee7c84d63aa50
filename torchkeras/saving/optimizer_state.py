"""Restoring optimizer state from model archives (ours, and Keras 3's own files).

Optimizer state is ``optimizer.save_own_variables`` output: ``{"0": iterations,
"1": learning rate, "2"…: slots}``. Ours is stored as ``optimizer.safetensors``;
Keras 3 keeps the same numbering under ``optimizer/vars`` in ``model.weights.h5``,
with each slot in the Keras layout of the weight it tracks.
"""
from __future__ import annotations

import warnings

import torch

from torchkeras.saving.archive import KERAS_WEIGHTS, OPTIMIZER
from torchkeras.saving.weight_paths import keras_layer_order, weight_slots
from torchkeras.saving.weights_io import H5Source, SafetensorsSource, WeightsFileError



def restore_optimizer(model, reader) -> None:
    """Builds the compiled optimizer on the model's trainable weights and loads its state.

    Args:
        model: A freshly compiled model.
        reader: The archive reader (``has``/``read``/``origin``).
    """
    optimizer = getattr(model, "optimizer", None)
    if optimizer is None or not hasattr(optimizer, "load_own_variables"):
        return
    built = getattr(model, "built", False) and hasattr(optimizer, "build")
    if reader.has(OPTIMIZER):
        if built:
            optimizer.build(model.torch_weights(trainable=True))
        source = SafetensorsSource(data=reader.read(OPTIMIZER),
                                   origin="%s (%s)" % (reader.origin, OPTIMIZER))
        if source.metadata.get("built") == "0":
            return
        optimizer.load_own_variables(index_store(source, source.names(), prefix=""))
    elif reader.has(KERAS_WEIGHTS):
        # Keras numbers the slots following its own order of the trainable weights.
        if built:
            optimizer.build(keras_trainable_order(model))
        source = H5Source(data=reader.read(KERAS_WEIGHTS), origin=reader.origin)
        try:
            _restore_from_keras(model, optimizer, source)
        finally:
            source.close()
    elif built:
        optimizer.build(model.torch_weights(trainable=True))


def _restore_from_keras(model, optimizer, source: H5Source) -> None:
    names = []
    while source.shape("optimizer/vars/%d" % len(names)) is not None:
        names.append("optimizer/vars/%d" % len(names))
    if not names:
        return
    try:
        store = index_store(source, names, prefix="optimizer/vars/")
        store = _keras_slots_to_torch(model, optimizer, store)
        optimizer.load_own_variables(store)
    except ValueError as e:
        warnings.warn("The optimizer state of %s was not restored (the model starts with a "
                      "fresh %s state): %s" % (source.origin, type(optimizer).__name__, e),
                      stacklevel=4)


def keras_trainable_order(model) -> list:
    """The model's trainable weights in the order Keras lists them (its layer order)."""
    ours = model.torch_weights(trainable=True)
    wanted = {id(p) for p in ours}
    order, seen = [], set()
    own = [p for p in model._parameters.values() if p is not None]
    layers = keras_layer_order(model) if hasattr(model, "layers") else []
    for p in own + [w for layer in layers for w in layer.torch_weights(trainable=True)]:
        if id(p) in wanted and id(p) not in seen:
            seen.add(id(p))
            order.append(p)
    return order + [p for p in ours if id(p) not in seen]


def _keras_slots_to_torch(model, optimizer, store: dict) -> dict:
    """Converts slots stored in Keras layout into the layout of our optimizer variables.

    A slot has its weight's shape; where Keras's layout differs, the weight whose torch
    and Keras shapes match the pair tells which layer hook converts it. Ambiguous
    conversions (two hooks giving different results) are refused.
    """
    variables = optimizer.variables
    if len(variables) != len(store):
        return store      # load_own_variables warns about the count itself
    converters: dict = {}
    for slot in weight_slots(model):
        if slot.param.requires_grad:
            key = (tuple(slot.param.shape), slot.keras_shape())
            converters.setdefault(key, []).append(slot)
    out = {}
    for i, var in enumerate(variables):
        value = store[str(i)]
        ours = tuple(var.shape)
        if tuple(value.shape) == ours:
            out[str(i)] = value
            continue
        candidates = converters.get((ours, tuple(value.shape)), [])
        results = [c.layer.torch_layout(c.torch_key, value) for c in candidates]
        results = [r for r in results if tuple(r.shape) == ours]
        if not results or any(not torch.equal(results[0], r) for r in results[1:]):
            raise ValueError("optimizer variable %d has shape %s in the file but %s here"
                             % (i, tuple(value.shape), ours))
        out[str(i)] = results[0].contiguous()
    return out


def index_store(source, names: list, prefix: str) -> dict:
    """``{"0": tensor, "1": ...}`` from entries named ``prefix + index``."""
    store = {}
    for name in names:
        index = name[len(prefix):]
        if not name.startswith(prefix) or not index.isdigit():
            raise WeightsFileError("%s: unexpected optimizer entry %r." % (source.origin, name))
        store[str(int(index))] = source.read(name)
    if sorted(int(k) for k in store) != list(range(len(store))):
        raise WeightsFileError("%s: optimizer entries are not numbered 0..%d."
                               % (source.origin, len(store) - 1))
    return store
