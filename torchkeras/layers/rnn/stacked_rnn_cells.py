"""StackedRNNCells: several cells acting as one, each feeding the next."""
from __future__ import annotations

import torch

from torchkeras.layers.layer import Layer
from torchkeras.saving.serialization import deserialize_keras_object, serialize_keras_object


def _nested(x) -> bool:
    return isinstance(x, (list, tuple))


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
        self.__dict__["cells"] = cells
        for i, cell in enumerate(cells):
            if isinstance(cell, torch.nn.Module):
                self.add_module(str(i), cell)

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
