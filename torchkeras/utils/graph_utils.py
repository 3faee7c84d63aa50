"""Functional-graph helpers of ``keras.utils``."""
from __future__ import annotations

from typing import Any

from torchkeras.layers.keras_tensor import KerasTensor


def get_source_inputs(tensor: Any) -> list:
    """The ``Input`` tensors a symbolic tensor was computed from.

    Args:
        tensor: A ``KerasTensor`` (any other value is returned in a list as is).

    Returns:
        The source ``KerasTensor``s in discovery order, without duplicates.

    Example:
        >>> x = torchkeras.Input((3,))
        >>> get_source_inputs(torchkeras.layers.Dense(2)(x))[0] is x
        True
    """
    if not isinstance(tensor, KerasTensor):
        return [tensor]
    out, seen, stack = [], set(), [tensor]
    while stack:  # iterative: deep graphs must not hit the recursion limit
        t = stack.pop()
        if id(t) in seen:
            continue
        seen.add(id(t))
        history = t._keras_history
        if history is None:
            out.append(t)
            continue
        layer, node_index, _ = history
        node = layer._inbound_nodes[node_index]
        if not node.input_tensors:
            out.append(t)
        else:
            stack.extend(reversed(node.input_tensors))
    return out
