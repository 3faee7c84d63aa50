"""Shared machinery of the built-in recurrent cells.

Cells keep their weights the way ``torch.nn`` keeps them (``weight_ih`` of shape
``(gates * units, input_dim)``…) while ``get_weights``/``set_weights`` speak Keras's
``kernel``/``recurrent_kernel``/``bias`` layouts. A recurrent *layer* (``LSTM``…) may
"adopt" its cell's weights: they are then registered on the layer under
``nn.LSTM``'s names (``weight_ih_l0``…), so the layer's ``state_dict`` loads into the
torch module, while the cell still reads them and still reports them as its own
Keras variables.
"""
from __future__ import annotations

import numbers

import functools

import torch
import torch.nn.functional as F

from torchkeras import activations, constraints, initializers, regularizers
from torchkeras.activations.fast import fast_activation
from torchkeras.layers.convolutional.conv_utils import torch_variable
from torchkeras.layers.layer import Layer
from torchkeras.layers.rnn.dropout_rnn_cell import DropoutRNNCell
from torchkeras.variables import is_trainable


def validate_units(layer: str, units) -> int:
    if isinstance(units, bool) or not isinstance(units, numbers.Integral) or units <= 0:
        raise ValueError("Received an invalid value for argument `units`, expected a positive "
                         "integer, got %r (in %s)." % (units, layer))
    units = int(units)  # numpy integers too, as Keras takes them
    return units


def clip_rate(rate) -> float:
    # Keras clamps dropout rates into [0, 1] instead of rejecting them.
    return min(1.0, max(0.0, float(rate)))


def is_tanh(fn) -> bool:
    return fn is activations.tanh or fn is torch.tanh


def is_sigmoid(fn) -> bool:
    return fn is activations.sigmoid or fn is torch.sigmoid


def is_relu(fn) -> bool:
    return fn is activations.relu or fn is torch.relu or fn is F.relu


def swap_gates(t: torch.Tensor, dim: int) -> torch.Tensor:
    """Exchanges the first two of three gate blocks (Keras's z, r, h <-> torch's r, z, n)."""
    a, b, c = t.chunk(3, dim)
    return torch.cat([b, a, c], dim)


def forget_bias_initializer(bias_init, units: int):
    """Keras's ``unit_forget_bias``: ones for the forget gate, ``bias_init`` elsewhere."""
    def init(shape, dtype=None):
        parts = [bias_init((units,), dtype=dtype), torch.ones(units, dtype=dtype),
                 bias_init((2 * units,), dtype=dtype)]
        return torch.cat([torch.as_tensor(p, dtype=dtype) for p in parts])
    return init


class _Adopter:
    """Where an adopted cell finds its weights: ``layer`` and cell key -> layer key.

    A plain holder (not an ``nn.Module``) so that the layer is not registered as a child
    of its own cell.
    """

    def __init__(self, layer, names: dict):
        self.layer = layer
        self.names = names


# ---------------------------------------------------------------- state_dict hooks
def _fold_recurrent_bias(module, state_dict, prefix, *args, b_ih: str, b_hh: str) -> None:
    """Load hook: torch modules have two biases; ours keeps their sum in ``b_ih`` and a
    zero ``b_hh``, so a torch state dict loads exactly."""
    kb, kh = prefix + b_ih, prefix + b_hh
    if kb in state_dict and kh in state_dict:
        hh = state_dict[kh]
        state_dict[kb] = state_dict[kb] + hh.to(state_dict[kb].device)
        state_dict[kh] = torch.zeros_like(hh)


def _split_bias_out(module, state_dict, prefix, local_metadata, *, key: str, b_ih: str,
                    b_hh: str) -> None:
    """State-dict hook: a (2, 3u) GRU bias becomes torch's ``bias_ih``/``bias_hh``."""
    bias = state_dict.pop(prefix + key, None)
    if bias is not None:
        state_dict[prefix + b_ih] = bias[0].clone()
        state_dict[prefix + b_hh] = bias[1].clone()


def _split_bias_in(module, state_dict, prefix, *args, key: str, b_ih: str, b_hh: str) -> None:
    kb, kh = prefix + b_ih, prefix + b_hh
    if kb in state_dict and kh in state_dict:
        state_dict[prefix + key] = torch.stack([state_dict.pop(kb), state_dict.pop(kh)])


def register_fold_hook(module, b_ih: str, b_hh: str) -> None:
    module.register_load_state_dict_pre_hook(
        functools.partial(_fold_recurrent_bias, b_ih=b_ih, b_hh=b_hh))


def register_split_hooks(module, key: str, b_ih: str, b_hh: str) -> None:
    module.register_state_dict_post_hook(
        functools.partial(_split_bias_out, key=key, b_ih=b_ih, b_hh=b_hh))
    module.register_load_state_dict_pre_hook(
        functools.partial(_split_bias_in, key=key, b_ih=b_ih, b_hh=b_hh))


class BaseCell(Layer, DropoutRNNCell):
    """Common part of ``SimpleRNNCell``, ``LSTMCell`` and ``GRUCell``.

    Subclasses define ``project(x, training)`` (the input side of every gate, for one
    step or a whole sequence at once) and ``step(xp, states, training)`` (the recurrent
    side); ``call`` is the two together. This is the public cell protocol of
    ``cell_protocol.ProjectedCell`` that ``RNN`` and ``Bidirectional`` use.
    """

    projected_cell = True

    _gates = 1             # gate blocks stacked in the kernels
    _bias_key = "bias_ih"  # where the Keras bias lives
    _has_zero_hh = True    # a zero ``bias_hh`` buffer mirrors torch's second bias

    def __init__(self, units: int, activation="tanh", use_bias: bool = True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal",
                 bias_initializer="zeros", kernel_regularizer=None, recurrent_regularizer=None,
                 bias_regularizer=None, kernel_constraint=None, recurrent_constraint=None,
                 bias_constraint=None, dropout: float = 0.0, recurrent_dropout: float = 0.0,
                 seed=None, **kwargs):
        super().__init__(**kwargs)
        self.units = validate_units(type(self).__name__, units)
        self.activation = activations.get(activation)
        self.use_bias = bool(use_bias)
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.recurrent_initializer = initializers.get(recurrent_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.recurrent_regularizer = regularizers.get(recurrent_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.recurrent_constraint = constraints.get(recurrent_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self.dropout = clip_rate(dropout)
        self.recurrent_dropout = clip_rate(recurrent_dropout)
        self.seed = seed
        self.state_size = self.units
        self.output_size = self.units
        self._act = fast_activation(self.activation)

    # ------------------------------------------------------------ weights
    def _add_torch_weight(self, key: str, keras_name: str, shape, to_torch, to_keras,
                          initializer, regularizer, constraint):
        """Creates the weight in Keras's layout (so initializers see Keras's fans), then
        stores ``to_torch`` of it under ``key``."""
        kvar = self.add_weight(name=keras_name, shape=shape, initializer=initializer,
                               regularizer=regularizer, constraint=constraint)
        tvar = torch_variable(kvar, to_torch, to_keras)
        self._parameters = {k: p for k, p in self._parameters.items() if p is not kvar}
        self.register_parameter(key, tvar)
        return tvar

    def _build_weights(self, input_dim: int, bias_shape, bias_init, to_torch_k, to_keras_k,
                       to_torch_b=None, to_keras_b=None) -> None:
        g = self._gates * self.units
        self._add_torch_weight("weight_ih", "kernel", (input_dim, g), to_torch_k, to_keras_k,
                               self.kernel_initializer, self.kernel_regularizer,
                               self.kernel_constraint)
        self._add_torch_weight("weight_hh", "recurrent_kernel", (self.units, g), to_torch_k,
                               to_keras_k, self.recurrent_initializer,
                               self.recurrent_regularizer, self.recurrent_constraint)
        if self.use_bias:
            ident = (lambda t: t)
            self._add_torch_weight(self._bias_key, "bias", bias_shape, to_torch_b or ident,
                                   to_keras_b or ident, bias_init, self.bias_regularizer,
                                   self.bias_constraint)
            if self._has_zero_hh:
                self.register_buffer("bias_hh", torch.zeros(g, dtype=self.weight_ih.dtype,
                                                            device=self.weight_ih.device))
                register_fold_hook(self, "bias_ih", "bias_hh")

    @property
    def kernel(self) -> torch.Tensor:
        """The input kernel in Keras layout (a view)."""
        return self._to_keras_layout("weight_ih", self.weight_ih)

    @property
    def recurrent_kernel(self) -> torch.Tensor:
        return self._to_keras_layout("weight_hh", self.weight_hh)

    @property
    def bias(self):
        if not self.use_bias:
            return None
        return self._to_keras_layout(self._bias_key, getattr(self, self._bias_key))

    # ------------------------------------------------------------ adoption by a layer
    def __getattr__(self, name: str):
        adopter = self.__dict__.get("_adopter")
        if adopter is not None:
            key = adopter.names.get(name)
            if key is not None:
                owner = adopter.layer
                found = owner._parameters.get(key)
                return found if found is not None else owner._buffers.get(key)
        return super().__getattr__(name)

    def _adopted(self) -> list:
        adopter = self.__dict__.get("_adopter")
        if adopter is None:
            return []
        return [(k, getattr(self, k)) for k in adopter.names
                if adopter.names[k] in adopter.layer._parameters]

    def _collect_entries(self, out: list, seen: set) -> None:
        super()._collect_entries(out, seen)
        adopted = self._adopted()
        ordered = [e for e in adopted if is_trainable(e[1])] + \
                  [e for e in adopted if not is_trainable(e[1])]
        for k, p in ordered:
            if p is not None and id(p) not in seen:
                seen.add(id(p))
                out.append((self, k, p))

    def _sync_requires_grad(self, parent_trainable: bool = True) -> None:
        super()._sync_requires_grad(parent_trainable)
        on = parent_trainable and self._trainable
        for _, p in self._adopted():
            p.requires_grad_(on and is_trainable(p) and p.is_floating_point())

    # ------------------------------------------------------------ computation
    def dropped_input(self, x, training):
        """``x`` with the input dropout mask applied (training only; see ProjectedCell)."""
        if training and 0.0 < self.dropout:
            step = x[:, 0] if x.dim() == 3 else x
            mask = self.get_dropout_mask(step)
            if isinstance(mask, list):
                return [x * (m.unsqueeze(1) if x.dim() == 3 else m) for m in mask]
            return x * (mask.unsqueeze(1) if x.dim() == 3 else mask)
        return x

    def _dropped_state(self, h, training):
        if training and 0.0 < self.recurrent_dropout:
            mask = self.get_recurrent_dropout_mask(h)
            if isinstance(mask, list):
                return [h * m for m in mask]
            return h * mask
        return h

    def call(self, inputs, states, training=None):
        single = not isinstance(states, (list, tuple))
        states = [s if isinstance(s, torch.Tensor) else
                  torch.as_tensor(s, dtype=inputs.dtype, device=inputs.device)
                  for s in ([states] if single else states)]
        out, new_states = self.step(self.project(inputs, training), states, training)
        return out, (new_states[0] if single and len(new_states) == 1 else new_states)

    def get_initial_state(self, batch_size=None) -> list:
        sizes = self.state_size if isinstance(self.state_size, (list, tuple)) else [
            self.state_size]
        device = self.weight_ih.device if self.built else None
        dtype = self.weight_ih.dtype if self.built else None
        return [torch.zeros((batch_size, d), device=device, dtype=dtype) for d in sizes]

    def compute_output_shape(self, input_shape):
        return (input_shape[0], self.units)

    def _base_config(self) -> dict:
        return {
            "units": self.units,
            "activation": activations.serialize(self.activation),
            "use_bias": self.use_bias,
            "kernel_initializer": initializers.serialize(self.kernel_initializer),
            "recurrent_initializer": initializers.serialize(self.recurrent_initializer),
            "bias_initializer": initializers.serialize(self.bias_initializer),
            "kernel_regularizer": regularizers.serialize(self.kernel_regularizer),
            "recurrent_regularizer": regularizers.serialize(self.recurrent_regularizer),
            "bias_regularizer": regularizers.serialize(self.bias_regularizer),
            "kernel_constraint": constraints.serialize(self.kernel_constraint),
            "recurrent_constraint": constraints.serialize(self.recurrent_constraint),
            "bias_constraint": constraints.serialize(self.bias_constraint),
            "dropout": self.dropout,
            "recurrent_dropout": self.recurrent_dropout,
        }


def gate_linear(x, weight, bias, gates: int, masked_inputs):
    """``F.linear`` per gate block when each gate sees its own dropout-masked input."""
    if not isinstance(masked_inputs, list):
        return F.linear(masked_inputs, weight, bias)
    ws = weight.chunk(gates, 0)
    bs = bias.chunk(gates, 0) if bias is not None else [None] * gates
    return torch.cat([F.linear(xi, w, b) for xi, w, b in zip(masked_inputs, ws, bs)], -1)


def cell_properties(*names):
    """Class decorator: read-only properties forwarding ``names`` to ``self.cell``."""
    def deco(cls):
        for name in names:
            setattr(cls, name, property(lambda self, _n=name: getattr(self.cell, _n)))
        return cls
    return deco


COMMON_CELL_PROPERTIES = (
    "units", "activation", "use_bias", "kernel_initializer", "recurrent_initializer",
    "bias_initializer", "kernel_regularizer", "recurrent_regularizer", "bias_regularizer",
    "kernel_constraint", "recurrent_constraint", "bias_constraint", "dropout",
    "recurrent_dropout")

