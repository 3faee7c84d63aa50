"""``keras.Function``: a graph of symbolic tensors run as a plain callable."""
from __future__ import annotations

from typing import Any

from torchkeras.tree import flatten


class Function:
    """Runs the computation from ``inputs`` to ``outputs`` built with ``keras.Input``.

    Args:
        inputs: KerasTensor(s) from ``keras.Input`` (any structure).
        outputs: KerasTensor(s) computed from them (any structure).
        name: Name of the function.

    Example:
        >>> x = torchkeras.Input((3,))
        >>> fn = Function(x, torchkeras.ops.relu(x) * 2)
        >>> fn(torch.ones(1, 3))
    """

    def __init__(self, inputs: Any, outputs: Any, name: str | None = None):
        # Function-local import: models import layers, which import this package.
        from torchkeras.backend import is_keras_tensor
        from torchkeras.models import Model
        for t in flatten(inputs) + flatten(outputs):
            if not is_keras_tensor(t):
                raise ValueError("Function inputs and outputs must be KerasTensors, got %r"
                                 % (t,))
        self.name = name or "function"
        self._inputs = inputs
        self._outputs = outputs
        self._model = Model(inputs, outputs, name=self.name)

    @property
    def inputs(self) -> Any:
        return self._inputs

    @property
    def outputs(self) -> Any:
        return self._outputs

    def __call__(self, inputs: Any, training: bool | None = None) -> Any:
        return self._model(inputs, training=training)

    def compute_output_spec(self, inputs: Any) -> Any:
        return self._model.compute_output_spec(inputs)
