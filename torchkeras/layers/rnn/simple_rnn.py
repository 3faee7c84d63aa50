"""SimpleRNNCell and SimpleRNN: ``h_t = activation(x_t W + h_{t-1} U + b)``."""
from __future__ import annotations

import torch.nn.functional as F

from torchkeras import regularizers
from torchkeras.layers.rnn.cell_base import (COMMON_CELL_PROPERTIES, BaseCell, cell_properties,
                                             is_relu, is_tanh)
from torchkeras.layers.rnn.rnn import RNN


def _t(t):
    return t.t()


class SimpleRNNCell(BaseCell):
    """One step of a fully-connected RNN.

    Stored as ``nn.RNNCell`` stores it (``weight_ih`` ``(units, input_dim)``,
    ``weight_hh``, ``bias_ih`` and a zero ``bias_hh``); ``get_weights`` gives Keras's
    ``kernel`` ``(input_dim, units)``, ``recurrent_kernel`` and ``bias``.

    Args:
        units: Size of the state and output.
        activation: Activation (``"tanh"``).
        use_bias: Whether to add a bias.
        kernel_initializer, recurrent_initializer, bias_initializer: Initializers
            (``"glorot_uniform"``, ``"orthogonal"``, ``"zeros"``).
        kernel_regularizer, recurrent_regularizer, bias_regularizer: Penalties.
        kernel_constraint, recurrent_constraint, bias_constraint: Constraints.
        dropout: Fraction of the input units to drop (one mask per sequence).
        recurrent_dropout: Fraction of the state units to drop.
        seed: Seed of the dropout masks.

    Example:
        >>> cell = SimpleRNNCell(8)
        >>> out, [h] = cell(torch.randn(4, 3), [torch.zeros(4, 8)])
    """

    _gates = 1

    def build(self, input_shape) -> None:
        self._build_weights(input_shape[-1], (self.units,), self.bias_initializer, _t, _t)
        self.built = True

    def _to_keras_layout(self, key, tensor):
        return tensor.t() if key in ("weight_ih", "weight_hh") else tensor

    _from_keras_layout = _to_keras_layout

    def project(self, x, training=None):
        bias = self.bias_ih if self.use_bias else None
        return F.linear(self.dropped_input(x, training), self.weight_ih, bias)

    def step(self, xp, states, training=None):
        h = self._dropped_state(states[0], training)
        out = self._act(xp + F.linear(h, self.weight_hh))
        return out, [out]

    def fused_mode(self):
        if self.recurrent_dropout:
            return None
        if is_tanh(self.activation):
            return "RNN_TANH"
        return "RNN_RELU" if is_relu(self.activation) else None

    def fused_weights(self) -> list:
        if self.use_bias:
            return [self.weight_ih, self.weight_hh, self.bias_ih, self.bias_hh]
        return [self.weight_ih, self.weight_hh]

    def get_config(self) -> dict:
        return {**super().get_config(), **self._base_config(), "seed": self.seed}


@cell_properties(*COMMON_CELL_PROPERTIES)
class SimpleRNN(RNN):
    """Fully-connected RNN whose output is fed back as the next step's state.

    Runs on torch's fused ``rnn_tanh``/``rnn_relu`` kernels when the activation allows
    it (no recurrent dropout, no ``unroll``, no mask or a right-padded one); its
    ``state_dict`` loads into ``nn.RNN(batch_first=True)``.

    Args:
        units: Size of the state and output.
        activation: Activation (``"tanh"``).
        use_bias: Whether to add a bias.
        kernel_initializer, recurrent_initializer, bias_initializer: Initializers.
        kernel_regularizer, recurrent_regularizer, bias_regularizer: Penalties.
        activity_regularizer: Penalty on the output.
        kernel_constraint, recurrent_constraint, bias_constraint: Constraints.
        dropout: Fraction of the input units to drop.
        recurrent_dropout: Fraction of the state units to drop.
        return_sequences, return_state, go_backwards, stateful, unroll: See ``RNN``.
        seed: Seed of the dropout masks.

    Example:
        >>> layer = SimpleRNN(16, return_sequences=True)
        >>> y = layer(torch.randn(4, 10, 8))     # (4, 10, 16)
    """

    _flat_names = {"weight_ih": "weight_ih_l0", "weight_hh": "weight_hh_l0",
                   "bias_ih": "bias_ih_l0", "bias_hh": "bias_hh_l0"}

    def __init__(self, units: int, activation="tanh", use_bias: bool = True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal",
                 bias_initializer="zeros", kernel_regularizer=None, recurrent_regularizer=None,
                 bias_regularizer=None, activity_regularizer=None, kernel_constraint=None,
                 recurrent_constraint=None, bias_constraint=None, dropout: float = 0.0,
                 recurrent_dropout: float = 0.0, return_sequences: bool = False,
                 return_state: bool = False, go_backwards: bool = False,
                 stateful: bool = False, unroll: bool = False, seed=None, **kwargs):
        cell = SimpleRNNCell(
            units, activation=activation, use_bias=use_bias,
            kernel_initializer=kernel_initializer, recurrent_initializer=recurrent_initializer,
            bias_initializer=bias_initializer, kernel_regularizer=kernel_regularizer,
            recurrent_regularizer=recurrent_regularizer, bias_regularizer=bias_regularizer,
            kernel_constraint=kernel_constraint, recurrent_constraint=recurrent_constraint,
            bias_constraint=bias_constraint, dropout=dropout,
            recurrent_dropout=recurrent_dropout, seed=seed, dtype=kwargs.get("dtype"),
            trainable=kwargs.get("trainable", True), name="simple_rnn_cell")
        super().__init__(cell, return_sequences=return_sequences, return_state=return_state,
                         go_backwards=go_backwards, stateful=stateful, unroll=unroll,
                         activity_regularizer=activity_regularizer, **kwargs)

    def get_config(self) -> dict:
        config = super().get_config()
        del config["cell"]
        cell_config = self.cell._base_config()
        config.update(cell_config)
        config["activity_regularizer"] = regularizers.serialize(self.activity_regularizer)
        return config

    @classmethod
    def from_config(cls, config: dict, custom_objects=None):
        return super(RNN, cls).from_config(config)
