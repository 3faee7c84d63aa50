"""Sub-graphs that start at intermediate tensors: ``Model(inputs=hidden, outputs=...)``.

Keras lets a functional model start anywhere in a graph (the FeatureSpace guide builds its
training model on ``feature_space.get_encoded_features()``). As Keras does, each input that
is not an ``Input`` gets a fresh ``InputLayer`` of its shape and dtype (named
``<name>CLONE``) and the nodes between the inputs and the outputs are recorded again on the
same layers, so the new graph shares the layers (and their weights) and leaves the original
graph unchanged.

Example:
    >>> x = Input((4,)); h = Dense(3)(x); y = Dense(2)(h)
    >>> head = Model(h, y)          # takes (batch, 3) tensors
"""
from __future__ import annotations

from torchkeras.layers.input_layer import InputLayer
from torchkeras.layers.keras_tensor import KerasTensor, Node, flatten_leaves, map_structure


def is_input_tensor(kt) -> bool:
    """True for the output of an ``Input``/``InputLayer``."""
    history = getattr(kt, "_keras_history", None)
    return history is not None and isinstance(history[0], InputLayer)


def clone_graph_nodes(inputs, outputs) -> tuple:
    """``(inputs, outputs)`` of a copy of the graph between them whose inputs are all
    ``Input`` tensors.

    Args:
        inputs: KerasTensor(s) (a structure) where the new graph starts.
        outputs: KerasTensor(s) (a structure) where it ends.

    Returns:
        The new inputs and outputs, in the structures given.
    """
    mapping: dict = {}
    for kt in flatten_leaves(inputs):
        if is_input_tensor(kt):
            mapping[id(kt)] = kt
            continue
        layer = kt._keras_history[0]
        clone = InputLayer(batch_shape=kt.shape, dtype=kt.dtype, sparse=kt.sparse,
                           name="%sCLONE" % (kt.name or layer.name))
        mapping[id(kt)] = clone.output_tensor
    for node in _nodes_between(inputs, outputs):
        _replay(node, mapping)

    def new(kt):
        return mapping.get(id(kt), kt) if isinstance(kt, KerasTensor) else kt
    return map_structure(new, inputs), map_structure(new, outputs)


def _nodes_between(inputs, outputs) -> list:
    """The nodes that lead from ``inputs`` to ``outputs``, parents first (iterative)."""
    stop = {id(kt) for kt in flatten_leaves(inputs)}
    order, done = [], set()
    for out in flatten_leaves(outputs):
        if id(out) in stop or out._keras_history is None:
            continue
        layer, index, _ = out._keras_history
        stack = [(layer._inbound_nodes[index], False)]
        while stack:
            node, expanded = stack.pop()
            if id(node) in done:
                continue
            if expanded:
                done.add(id(node))
                order.append(node)
                continue
            stack.append((node, True))
            for kt in node.input_tensors:
                if id(kt) in stop or kt._keras_history is None:
                    continue
                parent_layer, parent_index, _ = kt._keras_history
                parent = parent_layer._inbound_nodes[parent_index]
                if id(parent) not in done:
                    stack.append((parent, False))
    return order


def _replay(node, mapping: dict) -> None:
    """Records ``node`` again on its layer with its tensors swapped through ``mapping``
    (new output tensors are added to it); nodes reading no swapped tensor stay as they
    are."""
    if not any(id(kt) in mapping and mapping[id(kt)] is not kt
               for kt in node.input_tensors):
        return
    if isinstance(node.layer, InputLayer):
        return

    def swap(v):
        return mapping.get(id(v), v) if isinstance(v, KerasTensor) else v

    def copy(kt):
        if not isinstance(kt, KerasTensor):
            return kt
        twin = KerasTensor(kt.shape, dtype=kt.dtype, name=kt.name, sparse=kt.sparse,
                           ragged=kt.ragged)
        mapping[id(kt)] = twin
        return twin

    outputs = map_structure(copy, node.outputs)
    new_node = Node(node.layer, map_structure(swap, node.args),
                    map_structure(swap, node.kwargs), outputs)
    node.layer._inbound_nodes.append(new_node)
    index = len(node.layer._inbound_nodes) - 1
    for i, kt in enumerate(new_node.output_tensors):
        kt._keras_history = (node.layer, index, i)
    for old in node.output_tensors:
        mask = old._keras_mask
        if mask is not None:
            mapping[id(old)]._keras_mask = mapping.get(id(mask), mask)
