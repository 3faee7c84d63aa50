"""GRUCell and GRU (Cho et al., 2014), on torch's fused GRU kernel."""
from __future__ import annotations

import torch.nn.functional as F

from torchkeras import activations, regularizers
from torchkeras.activations.fast import fast_activation
from torchkeras.layers.rnn.cell_base import (COMMON_CELL_PROPERTIES, BaseCell, cell_properties,
                                             gate_linear, is_sigmoid, is_tanh,
                                             register_split_hooks, swap_gates)
from torchkeras.layers.rnn.rnn import RNN


def _kernel_to_torch(k):
    # Keras (in, 3u) with gates z, r, h -> torch (3u, in) with gates r, z, n.
    return swap_gates(k, 1).t()


def _kernel_to_keras(w):
    return swap_gates(w.t(), 1)


def _swap_last(b):
    return swap_gates(b, -1)


class GRUCell(BaseCell):
    """One step of a GRU.

    Stored in torch's layout and gate order (r, z, n): ``weight_ih`` ``(3 * units,
    input_dim)``, ``weight_hh`` and, with ``reset_after=True``, ``bias_ih_hh`` — the
    stacked input and recurrent biases, which the ``state_dict`` shows as ``nn.GRUCell``'s
    ``bias_ih``/``bias_hh``. ``get_weights`` gives Keras's ``kernel`` ``(input_dim,
    3 * units)`` and ``recurrent_kernel`` with gates z, r, h, and ``bias`` ``(2, 3 * units)``
    (``(3 * units,)`` with ``reset_after=False``).

    Args:
        units: Size of the state.
        activation: Candidate activation (``"tanh"``).
        recurrent_activation: Gate activation (``"sigmoid"``).
        use_bias: Whether to add biases.
        kernel_initializer, recurrent_initializer, bias_initializer: Initializers.
        kernel_regularizer, recurrent_regularizer, bias_regularizer: Penalties.
        kernel_constraint, recurrent_constraint, bias_constraint: Constraints.
        dropout: Fraction of the input units to drop (one mask per sequence).
        recurrent_dropout: Fraction of the state units to drop.
        reset_after: Apply the reset gate after the recurrent matrix product (torch's and
            cuDNN's convention, Keras's default) instead of before.
        seed: Seed of the dropout masks.

    Example:
        >>> cell = GRUCell(8)
        >>> h, h_again = cell(torch.randn(4, 3), torch.zeros(4, 8))
    """

    _gates = 3
    _has_zero_hh = False

    def __init__(self, units: int, activation="tanh", recurrent_activation="sigmoid",
                 use_bias: bool = True, kernel_initializer="glorot_uniform",
                 recurrent_initializer="orthogonal", bias_initializer="zeros",
                 kernel_regularizer=None, recurrent_regularizer=None, bias_regularizer=None,
                 kernel_constraint=None, recurrent_constraint=None, bias_constraint=None,
                 dropout: float = 0.0, recurrent_dropout: float = 0.0,
                 reset_after: bool = True, seed=None, **kwargs):
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
        self.reset_after = bool(reset_after)
        self._bias_key = "bias_ih_hh" if self.reset_after else "bias_ih"
        self.implementation = 1 if self.recurrent_dropout else implementation
        if self.implementation == 1:
            self.dropout_mask_count = 3

    def build(self, input_shape) -> None:
        shape = (2, 3 * self.units) if self.reset_after else (3 * self.units,)
        self._build_weights(input_shape[-1], shape, self.bias_initializer, _kernel_to_torch,
                            _kernel_to_keras, _swap_last, _swap_last)
        if self.use_bias and self.reset_after:
            register_split_hooks(self, "bias_ih_hh", "bias_ih", "bias_hh")
        self.built = True

    def _to_keras_layout(self, key, tensor):
        if key in ("weight_ih", "weight_hh"):
            return _kernel_to_keras(tensor)
        return _swap_last(tensor) if key in ("bias_ih_hh", "bias_ih") else tensor

    def _from_keras_layout(self, key, tensor):
        if key in ("weight_ih", "weight_hh"):
            return _kernel_to_torch(tensor)
        return _swap_last(tensor) if key in ("bias_ih_hh", "bias_ih") else tensor

    def _input_bias(self):
        if not self.use_bias:
            return None
        return self.bias_ih_hh[0] if self.reset_after else self.bias_ih

    def project(self, x, training=None):
        return gate_linear(x, self.weight_ih, self._input_bias(), 3,
                           self.dropped_input(x, training))

    def step(self, xp, states, training=None):
        h = states[0]
        hd = self._dropped_state(h, training)
        xr, xz, xn = xp.chunk(3, -1)
        ract = self._ract
        if self.reset_after:
            b = self.bias_ih_hh[1] if self.use_bias else None
            hr, hz, hn = gate_linear(h, self.weight_hh, b, 3, hd).chunk(3, -1)
            r = ract(xr + hr)
            z = ract(xz + hz)
            n = self._act(xn + r * hn)
        else:
            w_r, w_z, w_n = self.weight_hh.chunk(3, 0)
            h_r, h_z, h_n = hd if isinstance(hd, list) else (hd, hd, hd)
            r = ract(xr + F.linear(h_r, w_r))
            z = ract(xz + F.linear(h_z, w_z))
            n = self._act(xn + F.linear(r * h_n, w_n))
        h = z * h + (1.0 - z) * n
        return h, [h]

    def fused_mode(self):
        ok = (self.reset_after and is_tanh(self.activation)
              and is_sigmoid(self.recurrent_activation) and not self.recurrent_dropout)
        return "GRU" if ok else None

    def fused_weights(self) -> list:
        if self.use_bias:
            b = self.bias_ih_hh
            return [self.weight_ih, self.weight_hh, b[0], b[1]]
        return [self.weight_ih, self.weight_hh]

    def _cell_config(self) -> dict:
        config = self._base_config()
        config["recurrent_activation"] = activations.serialize(self.recurrent_activation)
        config["reset_after"] = self.reset_after
        config["seed"] = self.seed
        return config

    def get_config(self) -> dict:
        return {**super().get_config(), **self._cell_config()}


@cell_properties(*COMMON_CELL_PROPERTIES, "recurrent_activation", "reset_after")
class GRU(RNN):
    """Gated Recurrent Unit layer.

    Runs on torch's fused GRU kernel (cuDNN on GPU) whenever the configuration allows
    it: ``activation="tanh"``, ``recurrent_activation="sigmoid"``, ``reset_after=True``,
    no recurrent dropout, ``unroll=False`` and no mask or a right-padded one; otherwise
    it steps the cell. With ``reset_after=True`` the ``state_dict`` loads into
    ``nn.GRU(input_dim, units, batch_first=True)`` (gates reordered from Keras's z, r, h
    to torch's r, z, n once, when weights are set).

    Args:
        units: Size of the state.
        activation, recurrent_activation, use_bias, kernel_initializer,
        recurrent_initializer, bias_initializer, kernel_regularizer,
        recurrent_regularizer, bias_regularizer, kernel_constraint, recurrent_constraint,
        bias_constraint, dropout, recurrent_dropout, reset_after, seed: As for ``GRUCell``.
        activity_regularizer: Penalty on the output.
        return_sequences, return_state, go_backwards, stateful, unroll: See ``RNN``.
        use_cudnn: ``"auto"``, ``True`` (require the fused kernel) or ``False``.

    Example:
        >>> layer = GRU(32, return_sequences=True)
        >>> y = layer(torch.randn(4, 10, 8))     # (4, 10, 32)
    """

    _flat_names = {"weight_ih": "weight_ih_l0", "weight_hh": "weight_hh_l0",
                   "bias_ih_hh": "bias_ih_hh_l0", "bias_ih": "bias_ih_l0"}

    def __init__(self, units: int, activation="tanh", recurrent_activation="sigmoid",
                 use_bias: bool = True, kernel_initializer="glorot_uniform",
                 recurrent_initializer="orthogonal", bias_initializer="zeros",
                 kernel_regularizer=None, recurrent_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, kernel_constraint=None, recurrent_constraint=None,
                 bias_constraint=None, dropout: float = 0.0, recurrent_dropout: float = 0.0,
                 seed=None, return_sequences: bool = False, return_state: bool = False,
                 go_backwards: bool = False, stateful: bool = False, unroll: bool = False,
                 reset_after: bool = True, use_cudnn="auto", **kwargs):
        if use_cudnn not in ("auto", True, False):
            raise ValueError("Invalid valid received for argument `use_cudnn`. Expected one "
                             "of {'auto', True, False}. Received: use_cudnn=%r" % (use_cudnn,))
        cell = GRUCell(
            units, activation=activation, recurrent_activation=recurrent_activation,
            use_bias=use_bias, kernel_initializer=kernel_initializer,
            recurrent_initializer=recurrent_initializer, bias_initializer=bias_initializer,
            kernel_regularizer=kernel_regularizer, recurrent_regularizer=recurrent_regularizer,
            bias_regularizer=bias_regularizer, kernel_constraint=kernel_constraint,
            recurrent_constraint=recurrent_constraint, bias_constraint=bias_constraint,
            dropout=dropout, recurrent_dropout=recurrent_dropout, reset_after=reset_after,
            dtype=kwargs.get("dtype"), trainable=kwargs.get("trainable", True),
            name="gru_cell", seed=seed, implementation=kwargs.pop("implementation", 2))
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
