"""Metrics held by layers: Keras's ``Layer.metrics`` and the part of ``Model.metrics``
that comes from the model's own attributes and its sublayers (the endpoint-layer
pattern: a layer that owns a ``keras.metrics.*`` object and updates it in ``call``)."""
from __future__ import annotations

from torch import nn


def is_metric(module) -> bool:
    """True for a metric object (torchkeras ``Metric`` or anything shaped like one)."""
    return callable(getattr(module, "update_state", None)) and \
        callable(getattr(module, "result", None)) and \
        callable(getattr(module, "reset_state", None))


def _is_trainer(module) -> bool:
    return callable(getattr(type(module), "train_step", None))


def _children(module: nn.Module) -> list:
    # Looks through ModuleList/ModuleDict/Sequential containers, as sublayers do.
    out = []
    for child in module._modules.values():
        if child is None:
            continue
        if isinstance(child, (nn.ModuleList, nn.ModuleDict, nn.Sequential)) and \
                not hasattr(child, "call"):
            out.extend(_children(child))
        else:
            out.append(child)
    return out


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
        for child in _children(module):
            if is_metric(child):
                if own and id(child) not in seen:
                    seen.add(id(child))
                    out.append(child)
            else:
                sublayers.append(child)
        # Keras skips a nested Trainer's own metrics (a new Trainer owns the training).
        stack.extend((c, not _is_trainer(c)) for c in reversed(sublayers))
    return out
