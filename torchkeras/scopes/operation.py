"""``keras.Operation``: base class of a named computation with a ``call``."""
from __future__ import annotations

from typing import Any

from torchkeras.layers.layer_utils import to_snake_case, unique_name
from torchkeras.ops.symbolic import any_symbolic, symbolic_op


class Operation:
    """A named stateless computation: subclasses implement ``call`` (on torch tensors).

    Called on ``KerasTensor``s it adds a node to the functional graph, like ``keras.ops``.

    Args:
        name: Name; derived from the class name when ``None``.

    Example:
        >>> class Double(Operation):
        ...     def call(self, x):
        ...         return x * 2
        >>> Double()(torch.ones(2))
        tensor([2., 2.])
    """

    def __init__(self, name: str | None = None):
        if name is not None and (not isinstance(name, str) or "/" in name):
            raise ValueError("Argument `name` must be a string without '/'. Received: "
                             "name=%r" % (name,))
        self.name = name or unique_name(to_snake_case(type(self).__name__))

    def call(self, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError("%s must implement call()" % type(self).__name__)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if any_symbolic(args, kwargs):
            # On KerasTensors the operation becomes a node of the functional graph.
            return symbolic_op(self.call, self.name, args, kwargs)
        return self.call(*args, **kwargs)

    def get_config(self) -> dict:
        return {"name": self.name}

    @classmethod
    def from_config(cls, config: dict) -> "Operation":
        return cls(**config)
