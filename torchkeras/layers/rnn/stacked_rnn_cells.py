"""StackedRNNCells: several cells acting as one, each feeding the next."""
from __future__ import annotations

import re

import torch

from torchkeras.layers.layer import Layer
from torchkeras.saving.serialization import deserialize_keras_object, serialize_keras_object


def _nested(x) -> bool:
    return isinstance(x, (list, tuple))


def _snake(name: str) -> str:
    name = re.sub(r"(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub(r"([a-z])([A-Z])", r"\1_\2", name).lower()


class _CellList(Layer):
    """Holds the stacked cells under the names Keras gives list items in weight files
    (``lstm_cell``, ``lstm_cell_1``…), so paths read ``cell/cells/lstm_cell``."""

    def __init__(self, cells):
        super().__init__(name="cells")
        counts: dict = {}
        for cell in cells:
            if not isinstance(cell, torch.nn.Module):
                continue
            base = _snake(type(cell).__name__)
            n = counts.get(base, 0)
            counts[base] = n + 1
            self.add_module(base if n == 0 else "%s_%d" % (base, n), cell)


class StackedRNNCells(Layer):
    """Wraps a list of RNN cells into one cell whose state is the list of their states.

    Args:
        cells: The cells, first to last; each one's output is the next one's input.

    Example:
        >>> cells = [LSTMCell(16), GRUCell(8)]
        >>> layer = RNN(StackedRNNCells(cells))
        >>> y = layer(torch.randn(4, 10, 3))     # (4, 8)
    """

    def __init__(self, cells, **kwargs):
        super().__init__(**kwargs)
        cells = list(cells)
        for cell in cells:
            if "call" not in dir(cell):
                raise ValueError("All cells must have a `call` method. Received cell without "
                                 "a `call` method: %r" % (cell,))
            if "state_size" not in dir(cell):
                raise ValueError("All cells must have a `state_size` attribute. Received cell "
                                 "without a `state_size`: %r" % (cell,))
        self.__dict__["_cell_list"] = cells
        # Registered as "cells" (Keras's attribute name, hence its weight-file path).
        self._modules["cells"] = _CellList(cells)

    @property
    def cells(self) -> list:
        return self.__dict__["_cell_list"]

    @property
    def state_size(self) -> list:
        return [c.state_size for c in self.cells]

    @property
    def output_size(self) -> int:
        last = self.cells[-1]
        if getattr(last, "output_size", None) is not None:
            return last.output_size
        if _nested(last.state_size):
            return last.state_size[0]
        return last.state_size

    def get_initial_state(self, batch_size=None) -> list:
        out = []
        for cell in self.cells:
            fn = getattr(cell, "get_initial_state", None)
            if fn is not None:
                out.append(fn(batch_size=batch_size))
            elif isinstance(cell.state_size, int):
                out.append(torch.zeros((batch_size, cell.state_size)))
            else:
                out.append([torch.zeros((batch_size, d)) for d in cell.state_size])
        return out

    def build(self, input_shape) -> None:
        for cell in self.cells:
            if isinstance(cell, Layer) and not cell.built:
                cell._maybe_build(tuple(input_shape), getattr(self, "_build_device", None))
            size = getattr(cell, "output_size", None)
            if size is None:
                size = cell.state_size[0] if _nested(cell.state_size) else cell.state_size
            input_shape = (input_shape[0], size)
        self.built = True

    def call(self, inputs, states, training=None):
        new_states = []
        for cell, state in zip(self.cells, states):
            was_list = _nested(state)
            state = list(state) if was_list else [state]
            if isinstance(cell, Layer):
                inputs, state = cell(inputs, state, training=training)
            else:
                inputs, state = cell.call(inputs, state)
            state = list(state) if _nested(state) else [state]
            if len(state) == 1 and not was_list:
                state = state[0]
            new_states.append(state)
        if len(new_states) == 1:
            new_states = new_states[0]
        return inputs, new_states

    def get_config(self) -> dict:
        return {**super().get_config(),
                "cells": [serialize_keras_object(c) for c in self.cells]}

    @classmethod
    def from_config(cls, config: dict, custom_objects=None):
        config = dict(config)
        cells = [deserialize_keras_object(c, custom_objects=custom_objects)
                 for c in config.pop("cells")]
        return cls(cells, **config)
