"""Metrics held by layers: Keras's ``Layer.metrics`` and the part of ``Model.metrics``
that comes from the model's own attributes and its sublayers (the endpoint-layer
pattern: a layer that owns a ``keras.metrics.*`` object and updates it in ``call``)."""
from __future__ import annotations

from torch import nn


_METRIC, _CONTAINER, _LAYER, _TRAINER = 0, 1, 2, 3
_KIND: dict = {}   # class -> kind: the walk below runs on every `model.metrics` read


def _kind(cls: type) -> int:
    kind = _KIND.get(cls)
    if kind is None:
        if callable(getattr(cls, "update_state", None)) and \
                callable(getattr(cls, "result", None)) and \
                callable(getattr(cls, "reset_state", None)):
            kind = _METRIC
        elif issubclass(cls, (nn.ModuleList, nn.ModuleDict, nn.Sequential)) and \
                not hasattr(cls, "call"):
            kind = _CONTAINER
        elif callable(getattr(cls, "train_step", None)):
            kind = _TRAINER
        else:
            kind = _LAYER
        _KIND[cls] = kind
    return kind


def collect_metrics(layer: nn.Module) -> list:
    """The metrics ``layer`` and its sublayers hold as attributes, in Keras's order: the
    layer's own first, then each sublayer's, depth first. A nested model's own metrics
    (its compiled ones and attributes) are left out, as Keras does; its layers' are kept.

    Args:
        layer: A layer or model.

    Returns:
        A list of metric objects, each once.

    Example:
        >>> class Endpoint(keras.layers.Layer):
        ...     def __init__(self):
        ...         super().__init__()
        ...         self.acc = keras.metrics.BinaryAccuracy()
        >>> collect_metrics(Endpoint())      # [<BinaryAccuracy ...>]
    """
    out, seen, visited = [], set(), set()
    stack = [(layer, True)]
    while stack:
        module, own = stack.pop()
        if id(module) in visited:
            continue
        visited.add(id(module))
        sublayers = []
        pending = list(module._modules.values())
        while pending:
            child = pending.pop(0)
            if child is None:
                continue
            kind = _kind(type(child))
            if kind == _METRIC:
                if own and id(child) not in seen:
                    seen.add(id(child))
                    out.append(child)
            elif kind == _CONTAINER:
                # Looks through ModuleList/ModuleDict/Sequential, as sublayers do.
                pending[:0] = list(child._modules.values())
            else:
                # Keras skips a nested Trainer's own metrics (a new Trainer owns the
                # training); its layers' metrics are kept.
                sublayers.append((child, kind != _TRAINER))
        stack.extend(reversed(sublayers))
    return out
