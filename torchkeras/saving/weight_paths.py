"""Stable names for every weight of a model, laid out as Keras 3 lays out its files.

Keras 3 addresses a layer's weights by the path of attributes leading to it, where the
layers of a ``Sequential``/``Functional`` model live under ``layers/<class name>``
(``dense``, ``dense_1``…, counted per model, never the layer's possibly auto-generated
name), and stores a layer's own variables as ``<path>/vars/<index>``. Using the same
paths makes our ``.weights.h5`` files interchangeable with Keras's, and keeps our
safetensors keys (``<path>/<variable name>``) stable across processes.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import torch

from torchkeras.layers.layer import Layer


@dataclass
class WeightSlot:
    """One weight: where it lives in files, and where in the model.

    Attributes:
        key: Safetensors key, ``"<group>/<variable name>"``.
        group: Keras attribute path of the owning layer (``""`` for the model itself).
        index: Position among the owning layer's own variables (Keras's ``vars/<index>``).
        layer: The owning layer (its public ``keras_layout``/``torch_layout`` methods
            convert the values).
        torch_key: The parameter's key inside ``layer`` (``weight``, ``cell.bias``…).
        param: The parameter itself.
    """

    key: str
    group: str
    index: int
    layer: Layer
    torch_key: str
    param: torch.Tensor

    @property
    def h5_path(self) -> str:
        return (self.group + "/" if self.group else "") + "vars/" + str(self.index)

    @property
    def label(self) -> str:
        """A readable description for error messages."""
        var = getattr(self.param, "name", None) or self.torch_key
        return "'%s' (layer '%s', variable '%s')" % (self.key, self.layer.name, var)

    def keras_value(self) -> torch.Tensor:
        """The current value in Keras layout, detached."""
        return self.layer.keras_layout(self.torch_key, self.param.detach())

    def keras_shape(self) -> tuple:
        return tuple(self.keras_value().shape)


def keras_snake_case(name: str) -> str:
    """Keras's class-name-to-path rule (``Conv2D`` -> ``conv2d``)."""
    name = re.sub(r"\W+", "", name)
    name = re.sub("(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub("([a-z])([A-Z])", r"\1_\2", name).lower()


def _name_key(name: str) -> str:
    # Keras visits private attributes last.
    return "~" + name if name.startswith("_") else name


def _is_container_model(layer) -> bool:
    # Functional and Sequential declare it (``layers_in_weight_paths``): their layers appear
    # as ``layers/<name>`` in weight paths, as in Keras. Saving never imports the models.
    return bool(getattr(type(layer), "layers_in_weight_paths", False))


def keras_layer_order(model) -> list:
    """``model.layers`` in Keras's order (functional models already keep that order)."""
    return list(model.layers)


def _child_layers(layer) -> list:
    """(relative path, sublayer) pairs in Keras's visiting order."""
    out = []
    if _is_container_model(layer):
        used: dict = {}
        for child in keras_layer_order(layer):
            base = keras_snake_case(type(child).__name__)
            if base in used:
                used[base] += 1
                name = "%s_%d" % (base, used[base])
            else:
                used[base] = 0
                name = base
            out.append(("layers/" + name, child))
    for key in sorted(layer._modules, key=_name_key):
        module = layer._modules[key]
        if isinstance(module, Layer):
            out.append((key, module))
    return out


def layer_groups(model: Layer) -> dict:
    """id(layer) -> Keras attribute path, for the model and every layer inside it."""
    groups: dict = {}

    def walk(layer, path):
        if id(layer) in groups:
            return
        groups[id(layer)] = path
        for rel, child in _child_layers(layer):
            walk(child, path + "/" + rel if path else rel)

    walk(model, "")
    return groups


def weight_slots(model: Layer) -> list:
    """Every weight of ``model`` (as ``get_weights`` orders them) with its file names."""
    groups = layer_groups(model)
    slots, counts, used_keys = [], {}, set()
    fallback = {id(m): name.replace(".", "/") for name, m in model.named_modules()}
    metric_state = _metric_state_ids(model)
    for layer, torch_key, param in model.weight_entries():
        if id(param) in metric_state:
            continue
        group = groups.get(id(layer))
        if group is None:
            group = fallback.get(id(layer), layer.name)
        index = counts.get(id(layer), 0)
        counts[id(layer)] = index + 1
        var = getattr(param, "name", None) or torch_key.replace(".", "/")
        key = (group + "/" if group else "") + var
        if key in used_keys:
            n = 1
            while "%s_%d" % (key, n) in used_keys:
                n += 1
            key = "%s_%d" % (key, n)
        used_keys.add(key)
        slots.append(WeightSlot(key, group, index, layer, torch_key, param))
    return slots


def _metric_state_ids(model) -> set:
    """Metric accumulators are not weights (Keras leaves them out of weight files)."""
    from torchkeras.metrics.metric import Metric
    out = set()
    for module in model.modules():
        if isinstance(module, Metric):
            out.update(id(p) for p in module.parameters())
            out.update(id(b) for b in module.buffers())
    return out


def group_names(model: Layer) -> dict:
    """Keras attribute path -> layer name (h5 files record the name of each group)."""
    names = {}
    stack = [model]
    groups = layer_groups(model)
    seen = set()
    while stack:
        layer = stack.pop()
        if id(layer) in seen:
            continue
        seen.add(id(layer))
        names[groups[id(layer)]] = layer.name
        stack.extend(m for _, m in _child_layers(layer))
    return names

