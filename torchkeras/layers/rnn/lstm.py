"""LSTMCell and LSTM (Hochreiter & Schmidhuber, 1997), on torch's fused LSTM kernel."""
from __future__ import annotations

from torchkeras import activations, regularizers
from torchkeras.activations.fast import fast_activation
from torchkeras.layers.rnn.cell_base import (COMMON_CELL_PROPERTIES, BaseCell, cell_properties,
                                             forget_bias_initializer, gate_linear, is_sigmoid,
                                             is_tanh)
from torchkeras.layers.rnn.rnn import RNN


def _t(t):
    return t.t()


class LSTMCell(BaseCell):
    """One step of an LSTM.

    Stored as ``nn.LSTMCell`` stores it: ``weight_ih`` ``(4 * units, input_dim)`` and
    ``weight_hh`` with the gates in Keras's (and torch's) order i, f, c, o, ``bias_ih``
    and a zero ``bias_hh``. ``get_weights`` gives Keras's ``kernel`` ``(input_dim,
    4 * units)``, ``recurrent_kernel`` ``(units, 4 * units)`` and ``bias``.

    Args:
        units: Size of the hidden and carry states.
        activation: Cell/output activation (``"tanh"``).
        recurrent_activation: Gate activation (``"sigmoid"``).
        use_bias: Whether to add a bias.
        kernel_initializer, recurrent_initializer, bias_initializer: Initializers.
        unit_forget_bias: Start the forget-gate bias at one.
        kernel_regularizer, recurrent_regularizer, bias_regularizer: Penalties.
        kernel_constraint, recurrent_constraint, bias_constraint: Constraints.
        dropout: Fraction of the input units to drop (one mask per sequence).
        recurrent_dropout: Fraction of the state units to drop.
        seed: Seed of the dropout masks.

    Example:
        >>> cell = LSTMCell(8)
        >>> h, [h, c] = cell(torch.randn(4, 3), [torch.zeros(4, 8), torch.zeros(4, 8)])
    """

    _gates = 4

    def __init__(self, units: int, activation="tanh", recurrent_activation="sigmoid",
                 use_bias: bool = True, kernel_initializer="glorot_uniform",
                 recurrent_initializer="orthogonal", bias_initializer="zeros",
                 unit_forget_bias: bool = True, kernel_regularizer=None,
                 recurrent_regularizer=None, bias_regularizer=None, kernel_constraint=None,
                 recurrent_constraint=None, bias_constraint=None, dropout: float = 0.0,
                 recurrent_dropout: float = 0.0, seed=None, **kwargs):
        implementation = kwargs.pop("implementation", 2)
        super().__init__(units, activation=activation, use_bias=use_bias,
                         kernel_initializer=kernel_initializer,
                         recurrent_initializer=recurrent_initializer,
                         bias_initializer=bias_initializer, kernel_regularizer=kernel_regularizer,
                         recurrent_regularizer=recurrent_regularizer,
                         bias_regularizer=bias_regularizer, kernel_constraint=kernel_constraint,
                         recurrent_constraint=recurrent_constraint,
                         bias_constraint=bias_constraint, dropout=dropout,
                         recurrent_dropout=recurrent_dropout, seed=seed, **kwargs)
        self.recurrent_activation = activations.get(recurrent_activation)
        self._ract = fast_activation(self.recurrent_activation)
        self.unit_forget_bias = bool(unit_forget_bias)
        # Keras's implementation 1 gives every gate its own dropout masks.
        self.implementation = 1 if self.recurrent_dropout else implementation
        if self.implementation == 1:
            self.dropout_mask_count = 4
        self.state_size = [self.units, self.units]

    def build(self, input_shape) -> None:
        init = (forget_bias_initializer(self.bias_initializer, self.units)
                if self.unit_forget_bias else self.bias_initializer)
        self._build_weights(input_shape[-1], (4 * self.units,), init, _t, _t)
        self.built = True

    def _to_keras_layout(self, key, tensor):
        return tensor.t() if key in ("weight_ih", "weight_hh") else tensor

    _from_keras_layout = _to_keras_layout

    def project(self, x, training=None):
        bias = self.bias_ih if self.use_bias else None
        return gate_linear(x, self.weight_ih, bias, 4, self.dropped_input(x, training))

    def step(self, xp, states, training=None):
        h, c = states[0], states[1]
        z = xp + gate_linear(h, self.weight_hh, None, 4, self._dropped_state(h, training))
        i, f, g, o = z.chunk(4, -1)
        ract = self._ract
        c = ract(f) * c + ract(i) * self._act(g)
        h = ract(o) * self._act(c)
        return h, [h, c]

    def fused_mode(self):
        ok = (is_tanh(self.activation) and is_sigmoid(self.recurrent_activation)
              and not self.recurrent_dropout)
        return "LSTM" if ok else None

    def fused_weights(self) -> list:
        if self.use_bias:
            return [self.weight_ih, self.weight_hh, self.bias_ih, self.bias_hh]
        return [self.weight_ih, self.weight_hh]

    def _cell_config(self) -> dict:
        config = self._base_config()
        config["recurrent_activation"] = activations.serialize(self.recurrent_activation)
        config["unit_forget_bias"] = self.unit_forget_bias
        config["seed"] = self.seed
        return config

    def get_config(self) -> dict:
        return {**super().get_config(), **self._cell_config()}


@cell_properties(*COMMON_CELL_PROPERTIES, "recurrent_activation", "unit_forget_bias")
class LSTM(RNN):
    """Long Short-Term Memory layer.

    Runs on torch's fused LSTM kernel (cuDNN on GPU) whenever the configuration allows
    it: ``activation="tanh"``, ``recurrent_activation="sigmoid"``, no recurrent dropout,
    ``unroll=False`` and no mask or a right-padded one (as ``Embedding(mask_zero=True)``
    gives); otherwise it steps the cell. The weights are stored as ``nn.LSTM`` stores them
    (``weight_ih_l0``, ``weight_hh_l0``, ``bias_ih_l0``, ``bias_hh_l0``), so the
    ``state_dict`` loads into ``nn.LSTM(input_dim, units, batch_first=True)``.

    Args:
        units: Size of the hidden and carry states.
        activation, recurrent_activation, use_bias, kernel_initializer,
        recurrent_initializer, bias_initializer, unit_forget_bias, kernel_regularizer,
        recurrent_regularizer, bias_regularizer, kernel_constraint, recurrent_constraint,
        bias_constraint, dropout, recurrent_dropout, seed: As for ``LSTMCell``.
        activity_regularizer: Penalty on the output.
        return_sequences, return_state, go_backwards, stateful, unroll: See ``RNN``.
        use_cudnn: ``"auto"`` (fused kernel when possible), ``True`` (require it) or
            ``False`` (always step the cell).

    Example:
        >>> layer = LSTM(32, return_state=True)
        >>> out, h, c = layer(torch.randn(4, 10, 8))
    """

    _flat_names = {"weight_ih": "weight_ih_l0", "weight_hh": "weight_hh_l0",
                   "bias_ih": "bias_ih_l0", "bias_hh": "bias_hh_l0"}

    def __init__(self, units: int, activation="tanh", recurrent_activation="sigmoid",
                 use_bias: bool = True, kernel_initializer="glorot_uniform",
                 recurrent_initializer="orthogonal", bias_initializer="zeros",
                 unit_forget_bias: bool = True, kernel_regularizer=None,
                 recurrent_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, recurrent_constraint=None, bias_constraint=None,
                 dropout: float = 0.0, recurrent_dropout: float = 0.0, seed=None,
                 return_sequences: bool = False, return_state: bool = False,
                 go_backwards: bool = False, stateful: bool = False, unroll: bool = False,
                 use_cudnn="auto", **kwargs):
        if use_cudnn not in ("auto", True, False):
            raise ValueError("Invalid valid received for argument `use_cudnn`. Expected one "
                             "of {'auto', True, False}. Received: use_cudnn=%r" % (use_cudnn,))
        cell = LSTMCell(
            units, activation=activation, recurrent_activation=recurrent_activation,
            use_bias=use_bias, kernel_initializer=kernel_initializer,
            unit_forget_bias=unit_forget_bias, recurrent_initializer=recurrent_initializer,
            bias_initializer=bias_initializer, kernel_regularizer=kernel_regularizer,
            recurrent_regularizer=recurrent_regularizer, bias_regularizer=bias_regularizer,
            kernel_constraint=kernel_constraint, recurrent_constraint=recurrent_constraint,
            bias_constraint=bias_constraint, dropout=dropout,
            recurrent_dropout=recurrent_dropout, dtype=kwargs.get("dtype"),
            trainable=kwargs.get("trainable", True), name="lstm_cell", seed=seed,
            implementation=kwargs.pop("implementation", 2))
        super().__init__(cell, return_sequences=return_sequences, return_state=return_state,
                         go_backwards=go_backwards, stateful=stateful, unroll=unroll,
                         activity_regularizer=activity_regularizer, **kwargs)
        self.use_cudnn = use_cudnn

    def get_config(self) -> dict:
        config = super().get_config()
        del config["cell"]
        config.update(self.cell._cell_config())
        config["activity_regularizer"] = regularizers.serialize(self.activity_regularizer)
        return config

    @classmethod
    def from_config(cls, config: dict, custom_objects=None):
        return super(RNN, cls).from_config(config)
