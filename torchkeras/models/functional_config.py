"""Functional model configs in Keras 3's format, and rebuilding a graph from one."""
from __future__ import annotations

from torchkeras.layers.input_layer import InputLayer
from torchkeras.layers.keras_tensor import KerasTensor, map_structure
from torchkeras.saving.serialization import deserialize_keras_object, serialize_keras_object


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
    created = {}          # layer name -> layer
    outputs = {}          # (layer name, node index) -> output structure
    pending = []
    for entry in config["layers"]:
        layer_entry = {k: v for k, v in entry.items() if k not in ("inbound_nodes", "name")}
        layer = deserialize_keras_object(layer_entry, custom_objects=custom_objects)
        created[entry.get("name", layer.name)] = layer
        if isinstance(layer, InputLayer):
            outputs[(layer.name, 0)] = layer.output_tensor
        for node in entry.get("inbound_nodes", []):
            pending.append((layer, node))

    def resolve(v):
        if isinstance(v, dict) and v.get("class_name") == "__keras_tensor__":
            name, ni, ti = v["config"]["keras_history"]
            out = outputs[(name, ni)]
            flat = list(out) if isinstance(out, (list, tuple)) else [out]
            return flat[ti]
        if isinstance(v, list) and len(v) == 3 and isinstance(v[0], str) and (v[0], v[1]) in outputs:
            return resolve({"class_name": "__keras_tensor__", "config": {"keras_history": v}})
        return v

    counts = {}
    while pending:
        progressed = False
        for item in list(pending):
            layer, node = item
            try:
                args = _map_json(resolve, node.get("args", []))
                kwargs = _map_json(resolve, node.get("kwargs", {}))
            except KeyError:
                continue
            out = layer(*args, **kwargs)
            ni = counts.get(layer.name, 0)
            counts[layer.name] = ni + 1
            outputs[(layer.name, ni)] = out
            pending.remove(item)
            progressed = True
        if not progressed:
            raise ValueError("Could not rebuild the functional graph: unresolved inputs for "
                             "layers %s" % [l.name for l, _ in pending])

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
