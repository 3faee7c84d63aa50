"""Bidirectional: runs a recurrent layer forwards and a copy of it backwards."""
from __future__ import annotations

import copy

import torch

from torchkeras.layers.layer import Layer
from torchkeras.layers.rnn import fused as _fused
from torchkeras.layers.rnn.rnn import RNN, _is_fake
from torchkeras.saving.serialization import deserialize_keras_object, serialize_keras_object

_MERGE_MODES = ("sum", "mul", "ave", "concat", None)


def _strip(name: str, prefix: str) -> str:
    return name[len(prefix):] if name.startswith(prefix) else name


class Bidirectional(Layer):
    """Bidirectional wrapper for RNNs.

    When both directions are built-in LSTM/GRU/SimpleRNN layers on their fused path
    (and there is no mask, no statefulness and no dropout in training), both run in a
    single bidirectional kernel call — one cuDNN call on GPU.

    Args:
        layer: The recurrent layer (``LSTM``, ``GRU``, ``RNN``…) to run forwards.
        merge_mode: ``"concat"``, ``"sum"``, ``"mul"``, ``"ave"`` or ``None`` (a pair).
        weights: Optional initial weights (forward layer's, then backward layer's).
        backward_layer: Optional layer for the backward direction (a copy of ``layer``
            with ``go_backwards=True`` otherwise).

    Example:
        >>> layer = Bidirectional(LSTM(16, return_sequences=True))
        >>> y = layer(torch.randn(4, 10, 8))     # (4, 10, 32)
    """

    def __init__(self, layer, merge_mode="concat", weights=None, backward_layer=None,
                 **kwargs):
        if not isinstance(layer, Layer):
            raise ValueError("Please initialize `Bidirectional` layer with a "
                             "`keras.layers.Layer` instance. Received: %r" % (layer,))
        if backward_layer is not None and not isinstance(backward_layer, Layer):
            raise ValueError("`backward_layer` need to be a `keras.layers.Layer` instance. "
                             "Received: %r" % (backward_layer,))
        if merge_mode not in _MERGE_MODES:
            raise ValueError('Invalid merge mode. Received: %r. Merge mode should be one of '
                             '{"sum", "mul", "ave", "concat", None}' % (merge_mode,))
        super().__init__(**kwargs)
        # Fresh copies from the config: the wrapper never shares state with `layer`.
        config = serialize_keras_object(layer)
        config["config"]["name"] = "forward_" + _strip(layer.name, "forward_")
        self.forward_layer = deserialize_keras_object(config)
        if backward_layer is None:
            config = serialize_keras_object(layer)
            config["config"]["go_backwards"] = True
            config["config"]["name"] = "backward_" + _strip(layer.name, "backward_")
            backward_layer = deserialize_keras_object(config)
        self.backward_layer = backward_layer
        if hasattr(layer, "use_cudnn"):
            self.forward_layer.use_cudnn = layer.use_cudnn
            self.backward_layer.use_cudnn = layer.use_cudnn
        self._verify_layer_config()
        for sub in (self.forward_layer, self.backward_layer):
            if getattr(sub, "zero_output_for_mask", None) is not None:
                sub.zero_output_for_mask = sub.return_sequences
        self.merge_mode = merge_mode
        if weights:
            n = len(weights)
            self.forward_layer._initial_weights = weights[: n // 2]
            self.backward_layer._initial_weights = weights[n // 2:]
        self.stateful = layer.stateful
        self.return_sequences = layer.return_sequences
        self.return_state = layer.return_state
        self.supports_masking = True

    def _verify_layer_config(self) -> None:
        fwd, bwd = self.forward_layer, self.backward_layer
        if fwd.go_backwards == bwd.go_backwards:
            raise ValueError("Forward layer and backward layer should have different "
                             "`go_backwards` value. Received: forward_layer.go_backwards "
                             "%s, backward_layer.go_backwards=%s"
                             % (fwd.go_backwards, bwd.go_backwards))
        for attr in ("stateful", "return_sequences", "return_state"):
            if getattr(fwd, attr) != getattr(bwd, attr):
                raise ValueError('Forward layer and backward layer are expected to have the '
                                 'same value for attribute "%s", got "%s" for forward layer '
                                 'and "%s" for backward layer'
                                 % (attr, getattr(fwd, attr), getattr(bwd, attr)))

    def build(self, sequences_shape, initial_state_shape=None) -> None:
        device = getattr(self, "_build_device", None)
        for sub in (self.forward_layer, self.backward_layer):
            if not sub.built:
                sub._maybe_build(sequences_shape, device)
        self.built = True

    # ------------------------------------------------------------ call
    def _fused_mode(self, mask, initial_state, training):
        fwd, bwd = self.forward_layer, self.backward_layer
        if mask is not None or self.stateful or type(fwd) is not type(bwd):
            return None
        if not isinstance(fwd, RNN) or not fwd.built or not bwd.built:
            return None
        mode = fwd._fused_mode()
        if mode is None or bwd._fused_mode() != mode or fwd.go_backwards:
            return None
        fc, bc = fwd.cell, bwd.cell
        if fc.units != bc.units or fc.use_bias != bc.use_bias:
            return None
        if training and (fc.dropout or bc.dropout):
            return None
        n = len(fwd.state_size)
        if initial_state is not None and len(initial_state) != 2 * n:
            return None
        return mode

    def _call_fused(self, mode, x, initial_state):
        fwd, bwd = self.forward_layer, self.backward_layer
        if initial_state is None:
            zero = x.new_zeros((x.shape[0], fwd.cell.units))
            initial_state = [zero] * (2 * len(fwd.state_size))
        else:
            initial_state = [torch.as_tensor(s).to(device=x.device, dtype=x.dtype)
                             for s in initial_state]
        weights = fwd.cell.fused_weights() + bwd.cell.fused_weights()
        if not _is_fake(x):
            _fused.maybe_flatten(self, weights, mode, x.shape[-1], fwd.cell.units,
                                 bidirectional=True)
        out, f_states, b_states = _fused.run_fused_bidirectional(
            mode, x, initial_state, weights, fwd.cell.use_bias)
        units = fwd.cell.units
        if self.return_sequences:
            if self.merge_mode == "concat":
                return self._finish(out, None, f_states + b_states, merged=True)
            return self._finish(out[..., :units], out[..., units:], f_states + b_states)
        return self._finish(f_states[0], b_states[0], f_states + b_states)

    def _finish(self, y, y_rev, states, merged: bool = False):
        if merged:
            output = y
        elif self.merge_mode == "concat":
            output = torch.cat([y, y_rev], -1)
        elif self.merge_mode == "sum":
            output = y + y_rev
        elif self.merge_mode == "ave":
            output = (y + y_rev) / 2
        elif self.merge_mode == "mul":
            output = y * y_rev
        else:
            output = (y, y_rev)
        if self.return_state:
            if self.merge_mode is None:
                return output + tuple(states)
            return (output,) + tuple(states)
        return output

    def call(self, sequences, initial_state=None, mask=None, training=None):
        mode = self._fused_mode(mask, initial_state, training)
        if mode is not None and sequences.dim() == 3:
            return self._call_fused(mode, sequences, initial_state)
        f_state = b_state = None
        if initial_state is not None:
            half = len(initial_state) // 2
            f_state, b_state = list(initial_state[:half]), list(initial_state[half:])
        y = self.forward_layer(sequences, initial_state=f_state, mask=mask, training=training)
        y_rev = self.backward_layer(sequences, initial_state=b_state, mask=mask,
                                    training=training)
        states = ()
        if self.return_state:
            states = tuple(y[1:]) + tuple(y_rev[1:])
            y, y_rev = y[0], y_rev[0]
        if self.return_sequences:
            y_rev = y_rev.flip(1)
        return self._finish(y, y_rev, states)

    # ------------------------------------------------------------ states, shapes, config
    @property
    def states(self):
        f, b = self.forward_layer.states, self.backward_layer.states
        if f and b:
            return tuple(f) + tuple(b)
        return None

    def reset_state(self) -> None:
        if not self.stateful:
            raise AttributeError("Layer must be stateful.")
        self.forward_layer.reset_state()
        self.backward_layer.reset_state()

    def reset_states(self) -> None:
        self.reset_state()

    def compute_output_shape(self, sequences_shape, initial_state_shape=None):
        shape = self.forward_layer.compute_output_shape(sequences_shape)
        state_shapes = ()
        if self.return_state:
            shape, state_shapes = shape[0], tuple(shape[1:])
        if self.merge_mode == "concat":
            shape = tuple(shape[:-1]) + (shape[-1] * 2,)
        elif self.merge_mode is None:
            shape = [tuple(shape), tuple(shape)]
        if self.return_state:
            if self.merge_mode is None:
                return tuple(shape) + state_shapes + state_shapes
            return (tuple(shape),) + state_shapes + state_shapes
        return tuple(shape) if not isinstance(shape, list) else shape

    def compute_mask(self, inputs, mask=None):
        if isinstance(mask, list):
            mask = mask[0]
        if self.return_sequences:
            out_mask = (mask, mask) if not self.merge_mode else mask
        else:
            out_mask = (None, None) if not self.merge_mode else None
        if self.return_state:
            n = 2 * len(getattr(self.forward_layer, "state_size", [None]))
            head = list(out_mask) if isinstance(out_mask, tuple) else [out_mask]
            return head + [None] * n
        return out_mask

    def get_config(self) -> dict:
        config = {"merge_mode": self.merge_mode,
                  "layer": serialize_keras_object(self.forward_layer),
                  "backward_layer": serialize_keras_object(self.backward_layer)}
        return {**super().get_config(), **config}

    @classmethod
    def from_config(cls, config: dict, custom_objects=None):
        config = copy.deepcopy(config)
        config["layer"] = deserialize_keras_object(config["layer"],
                                                   custom_objects=custom_objects)
        backward = config.pop("backward_layer", None)
        if backward is not None:
            config["backward_layer"] = deserialize_keras_object(backward,
                                                                custom_objects=custom_objects)
        return super().from_config(config)
