"""Functional model configs in Keras 3's format, and rebuilding a graph from one."""
from __future__ import annotations

import collections

from torchkeras.layers.input_layer import InputLayer
from torchkeras.layers.keras_tensor import KerasTensor, map_structure
from torchkeras.layers.layer import Layer
from torchkeras.saving.serialization import (deserialize_keras_object, expect_class,
                                             serialize_keras_object)


def _model_node_index(model) -> dict:
    """(layer id, global node index) -> node index counted within this model."""
    table, counts = {}, {}
    node_ids = {id(n) for n in model._nodes}
    for layer in model.layers:
        for gi, node in enumerate(layer._inbound_nodes):
            if id(node) in node_ids:
                table[(id(layer), gi)] = counts.get(id(layer), 0)
                counts[id(layer)] = counts.get(id(layer), 0) + 1
    return table


def functional_config(model) -> dict:
    index = _model_node_index(model)

    def history(kt):
        layer, gi, ti = kt._keras_history
        return [layer.name, index.get((id(layer), gi), 0), ti]

    def ser_arg(v):
        if isinstance(v, KerasTensor):
            return {"class_name": "__keras_tensor__",
                    "config": {"shape": list(v.shape), "dtype": v.dtype,
                               "keras_history": history(v)}}
        return v

    node_ids = {id(n) for n in model._nodes}
    layers = []
    for layer in model.layers:
        entry = serialize_keras_object(layer)
        entry["name"] = layer.name
        nodes = []
        if not isinstance(layer, InputLayer):
            for node in layer._inbound_nodes:
                if id(node) in node_ids:
                    nodes.append({"args": map_structure(ser_arg, list(node.args)),
                                  "kwargs": map_structure(ser_arg, dict(node.kwargs))})
        entry["inbound_nodes"] = nodes
        layers.append(entry)

    def struct(x):
        if isinstance(x, dict):
            return {k: history(v) for k, v in x.items()}
        if isinstance(x, list):
            return [history(v) for v in x]
        return history(x)

    return {"name": model.name, "trainable": model.trainable, "layers": layers,
            "input_layers": struct(model._inputs_struct),
            "output_layers": struct(model._outputs_struct)}


def functional_from_config(cls, config: dict, custom_objects=None):
    """Rebuilds a functional model from its config in time linear in its size.

    Layer entries may come in any order: each node is called once everything it reads
    exists (a node of a shared layer also waits for that layer's previous node, so node
    indices keep the order of the config).
    """
    # The graph refers to layers by their saved names: a layer whose get_config leaves
    # out its name comes back under a new automatic one, so never look up by layer.name.
    outputs = {}          # (saved layer name, node index) -> output structure
    items = []            # (layer, saved name, node config, node index) per call to replay
    for entry in config["layers"]:
        layer_entry = {k: v for k, v in entry.items() if k not in ("inbound_nodes", "name")}
        expect_class(layer_entry, Layer, "layer %r of model %r"
                     % (entry.get("name"), config.get("name")), custom_objects)
        layer = deserialize_keras_object(layer_entry, custom_objects=custom_objects)
        saved = entry.get("name", layer.name)
        if isinstance(layer, InputLayer):
            outputs[(saved, 0)] = layer.output_tensor
            continue
        for ni, node in enumerate(entry.get("inbound_nodes", [])):
            items.append((layer, saved, node, ni))
    producible = set(outputs) | {(item[1], item[3]) for item in items}

    def resolve(v):
        if isinstance(v, dict) and v.get("class_name") == "__keras_tensor__":
            name, ni, ti = v["config"]["keras_history"]
            out = outputs[(name, ni)]
            flat = list(out) if isinstance(out, (list, tuple)) else [out]
            return flat[ti]
        if _is_history(v) and (v[0], v[1]) in outputs:
            return resolve({"class_name": "__keras_tensor__", "config": {"keras_history": v}})
        return v

    # Kahn's algorithm over the nodes: `waiting[key]` lists the nodes that read `key`.
    missing_count, waiting, ready = [], {}, collections.deque()
    for i, (layer, saved, node, ni) in enumerate(items):
        needs = {key for key in _references(node, producible) if key not in outputs}
        if ni > 0:
            needs.add((saved, ni - 1))
        for key in needs:
            waiting.setdefault(key, []).append(i)
        missing_count.append(len(needs))
        if not needs:
            ready.append(i)
    done = 0
    while ready:
        layer, saved, node, ni = items[ready.popleft()]
        args = _map_json(resolve, node.get("args", []))
        kwargs = _map_json(resolve, node.get("kwargs", {}))
        outputs[(saved, ni)] = layer(*args, **kwargs)
        done += 1
        for j in waiting.pop((saved, ni), ()):
            missing_count[j] -= 1
            if missing_count[j] == 0:
                ready.append(j)
    if done != len(items):
        stuck = sorted({items[i][1] for i, n in enumerate(missing_count) if n > 0})
        raise ValueError("Could not rebuild the functional graph: unresolved inputs for "
                         "layers %s" % stuck)

    def tensor(h):
        return resolve({"class_name": "__keras_tensor__", "config": {"keras_history": h}})

    def struct(x):
        if isinstance(x, dict):
            return {k: tensor(v) for k, v in x.items()}
        if isinstance(x, list) and x and isinstance(x[0], list):
            return [tensor(v) for v in x]
        return tensor(x)

    model = cls(struct(config["input_layers"]), struct(config["output_layers"]),
                name=config.get("name"), trainable=config.get("trainable", True))
    return model


def _is_history(v) -> bool:
    return (isinstance(v, list) and len(v) == 3 and isinstance(v[0], str)
            and isinstance(v[1], int))


def _references(node, producible: set) -> set:
    """The (layer name, node index) keys whose outputs a node config reads."""
    found, stack = set(), [node.get("args", []), node.get("kwargs", {})]
    while stack:
        x = stack.pop()
        if isinstance(x, dict):
            if x.get("class_name") == "__keras_tensor__":
                history = x.get("config", {}).get("keras_history")
                if not _is_history(history):
                    raise ValueError("Invalid keras_history %r in a functional config: "
                                     "expected [layer name, node index, tensor index]."
                                     % (history,))
                found.add((history[0], history[1]))
                continue
            stack.extend(x.values())
        elif isinstance(x, list):
            if _is_history(x) and (x[0], x[1]) in producible:
                found.add((x[0], x[1]))
                continue
            stack.extend(x)
    return found


def _map_json(fn, x):
    if isinstance(x, dict):
        if x.get("class_name") == "__keras_tensor__":
            return fn(x)
        return {k: _map_json(fn, v) for k, v in x.items()}
    if isinstance(x, list):
        mapped = fn(x)
        if mapped is not x:
            return mapped
        return [_map_json(fn, v) for v in x]
    return x
