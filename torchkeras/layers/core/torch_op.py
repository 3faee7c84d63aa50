"""TorchOp: a torch expression on symbolic tensors (``x + y``, ``x[:, 0]``) as a graph layer."""
from __future__ import annotations

from torchkeras.layers.layer import Layer


class TorchOp(Layer):
    """Wraps ``fn(inputs)`` so arithmetic on KerasTensors becomes a functional-graph node.

    Not serializable to a file (it holds a Python function), like Keras's op layers
    outside a registered scope.

    Args:
        fn: Function of the input tensor (or list of tensors).
    """

    def __init__(self, fn, **kwargs):
        super().__init__(**kwargs)
        self.fn = fn

    def call(self, inputs):
        return self.fn(inputs)

    def get_config(self) -> dict:
        raise NotImplementedError("Graphs with raw tensor arithmetic (%s) cannot be "
                                  "serialized: use layers such as Add or Lambda." % self.name)
