"""RNN: runs a recurrent cell over the time axis of a ``(batch, time, ...)`` tensor."""
from __future__ import annotations

import inspect

import torch

from torchkeras.layers.layer import Layer
from torchkeras.layers.rnn import fused as _fused
from torchkeras.layers.rnn.cell_base import BaseCell
from torchkeras.layers.rnn.cell_protocol import is_projected_cell
from torchkeras.layers.rnn.dropout_rnn_cell import DropoutRNNCell
from torchkeras.layers.rnn.stacked_rnn_cells import StackedRNNCells
from torchkeras.saving.serialization import deserialize_keras_object, serialize_keras_object
from torchkeras.variables import is_trainable


def _is_fake(t) -> bool:
    try:
        from torch._subclasses.fake_tensor import FakeTensor
    except ImportError:  # pragma: no cover
        return False
    return isinstance(t, FakeTensor)


def _nested(x) -> bool:
    return isinstance(x, (list, tuple))


def _map(fn, *trees):
    if _nested(trees[0]):
        return [_map(fn, *items) for items in zip(*trees)]
    return fn(*trees)


def _flat(x) -> list:
    if _nested(x):
        return [t for v in x for t in _flat(v)]
    return [x]


def _pack(structure, flat: list, start: int = 0):
    if _nested(structure):
        out = []
        for s in structure:
            item, start = _pack(s, flat, start)
            out.append(item)
        return out, start
    return flat[start], start + 1


def _expand(m: torch.Tensor, like: torch.Tensor) -> torch.Tensor:
    return m.reshape(m.shape + (1,) * (like.dim() - 1))


def _takes_training(cell) -> bool:
    try:
        params = inspect.signature(cell.call).parameters
    except (TypeError, ValueError):
        return False
    return "training" in params or any(p.kind == p.VAR_KEYWORD for p in params.values())


class RNN(Layer):
    """Base class for recurrent layers: steps ``cell`` through the sequence.

    A cell has ``call(inputs_t, states) -> (output_t, new_states)`` and a ``state_size``
    (an int, or one int per state); ``output_size`` and ``get_initial_state`` are
    optional. A list of cells is stacked with ``StackedRNNCells``. The built-in LSTM,
    GRU and SimpleRNN cells run on torch's fused kernels whenever their configuration
    allows it.

    Args:
        cell: A cell or a list of cells.
        return_sequences: Return the output of every step instead of the last one.
        return_state: Also return the final states.
        go_backwards: Process the sequence in reverse (outputs come in processing order).
        stateful: Carry the final states of a batch over as the next batch's initial ones.
        unroll: Accepted for Keras compatibility; the loop is the same Python loop.
        zero_output_for_mask: Zeros (instead of the previous output) at masked steps.

    Example:
        >>> layer = RNN(LSTMCell(16), return_sequences=True)
        >>> y = layer(torch.randn(4, 10, 8))      # (4, 10, 16)
    """

    _flat_names: dict = {}   # cell weight key -> layer key, for layers that adopt them

    def __init__(self, cell, return_sequences: bool = False, return_state: bool = False,
                 go_backwards: bool = False, stateful: bool = False, unroll: bool = False,
                 zero_output_for_mask: bool = False, **kwargs):
        if isinstance(cell, (list, tuple)):
            cell = StackedRNNCells(cell)
        if "call" not in dir(cell):
            raise ValueError("Argument `cell` should have a `call` method. Received: cell=%r"
                             % (cell,))
        if "state_size" not in dir(cell):
            raise ValueError("The RNN cell should have a `state_size` attribute (single "
                             "integer or list of integers, one integer per RNN state). "
                             "Received: cell=%r" % (cell,))
        super().__init__(**kwargs)
        self.cell = cell
        self.return_sequences = bool(return_sequences)
        self.return_state = bool(return_state)
        self.go_backwards = bool(go_backwards)
        self.stateful = bool(stateful)
        self.unroll = bool(unroll)
        self.zero_output_for_mask = bool(zero_output_for_mask)
        self.supports_masking = True
        state_size = getattr(cell, "state_size", None)
        if not isinstance(state_size, (list, tuple, int)):
            raise ValueError("state_size must be an integer, or a list/tuple of integers "
                             "(one for each state tensor).")
        self.single_state = isinstance(state_size, int)
        self._state_structure = None
        self._fused_cache = None

    @property
    def use_cudnn(self):
        """``"auto"``: fused kernel when the configuration allows; ``True``: require it;
        ``False``: always step the cell."""
        return self.__dict__.get("_use_cudnn", "auto")

    @use_cudnn.setter
    def use_cudnn(self, value) -> None:
        self.__dict__["_use_cudnn"] = value
        self.__dict__["_fused_cache"] = None

    @property
    def state_size(self) -> list:
        size = self.cell.state_size
        return [size] if isinstance(size, int) else list(size)

    # ------------------------------------------------------------ build & weights
    def build(self, sequences_shape, initial_state_shape=None) -> None:
        if isinstance(sequences_shape, list) and sequences_shape and _nested(sequences_shape[0]):
            sequences_shape = sequences_shape[0]
        step_shape = (sequences_shape[0],) + tuple(sequences_shape[2:])
        if isinstance(self.cell, Layer) and not self.cell.built:
            self.cell._maybe_build(step_shape, getattr(self, "_build_device", None))
        if self._flat_names and isinstance(self.cell, BaseCell):
            self._adopt_cell_weights()
        if self.stateful and sequences_shape[0] is not None:
            self._create_state_buffers(sequences_shape[0])
        self.built = True

    def _adopt_cell_weights(self) -> None:
        """Moves the cell's weights onto this layer under ``nn.LSTM``-style names."""
        from torchkeras.layers.rnn.cell_base import (_Adopter, register_fold_hook,
                                                     register_split_hooks)
        cell, names = self.cell, {}
        for ckey, lkey in self._flat_names.items():
            if ckey in cell._parameters:
                self.register_parameter(lkey, cell._parameters.pop(ckey))
            elif ckey in cell._buffers:
                self.register_buffer(lkey, cell._buffers.pop(ckey))
            else:
                continue
            names[ckey] = lkey
        cell.__dict__["_adopter"] = _Adopter(self, names)
        # The state_dict then matches nn.LSTM/nn.GRU/nn.RNN(batch_first=True).
        if "bias_hh" in names:
            register_fold_hook(self, names["bias_ih"], names["bias_hh"])
        if "bias_ih_hh" in names:
            register_split_hooks(self, names["bias_ih_hh"], "bias_ih_l0", "bias_hh_l0")

    def _collect_entries(self, out: list, seen: set) -> None:
        adopter = getattr(self.cell, "__dict__", {}).get("_adopter")
        skip = set(adopter.names.values()) if adopter is not None else set()
        own = [(k, p) for k, p in self._parameters.items() if p is not None and k not in skip]
        for k, p in [e for e in own if is_trainable(e[1])] + \
                [e for e in own if not is_trainable(e[1])]:
            if id(p) not in seen:
                seen.add(id(p))
                out.append((self, k, p))
        for m in self._modules.values():
            if isinstance(m, Layer):
                m._collect_entries(out, seen)

    # ------------------------------------------------------------ states
    def get_initial_state(self, batch_size: int) -> list:
        fn = getattr(self.cell, "get_initial_state", None)
        if fn is None:
            return [torch.zeros((batch_size, d)) for d in self.state_size]
        init = fn(batch_size=batch_size)
        return list(init) if _nested(init) else [init]

    def _zero_states(self, x: torch.Tensor) -> list:
        if isinstance(self.cell, BaseCell):
            return [x.new_zeros((x.shape[0], d)) for d in self.state_size]
        init = self.get_initial_state(x.shape[0])
        return _map(lambda s: torch.as_tensor(s).to(device=x.device, dtype=x.dtype), init)

    def _create_state_buffers(self, batch_size: int, like: torch.Tensor | None = None) -> None:
        if like is not None:
            init = self._zero_states(like[:batch_size])
        else:
            init = _map(lambda s: torch.as_tensor(s, dtype=torch.float32).to(
                self._weight_device()), self.get_initial_state(batch_size))
        self._state_structure = init
        for i, s in enumerate(_flat(init)):
            self.register_buffer("state_%d" % i, s.detach().clone(), persistent=False)

    @property
    def states(self):
        """The carried states of a stateful layer (``None`` otherwise)."""
        if self._state_structure is None:
            return None
        flat = [self._buffers["state_%d" % i] for i in range(len(_flat(self._state_structure)))]
        return _pack(self._state_structure, flat)[0]

    def reset_state(self) -> None:
        """Zeroes the carried states of a stateful layer."""
        if self._state_structure is None:
            return
        for i in range(len(_flat(self._state_structure))):
            self._buffers["state_%d" % i].zero_()

    def reset_states(self) -> None:
        self.reset_state()

    def _store_states(self, states) -> None:
        for i, s in enumerate(_flat(states)):
            # Rebind rather than copy in place: the old tensor may be saved for backward.
            self._buffers["state_%d" % i] = s.detach()

    # ------------------------------------------------------------ call
    def call(self, sequences, initial_state=None, mask=None, training=None):
        training = bool(training)
        if _nested(mask):
            mask = mask[0]
        fake = _is_fake(sequences)
        if initial_state is None:
            if self.stateful and not fake:
                initial_state = self._stateful_initial(sequences)
            else:
                initial_state = self._zero_states(sequences)
        else:
            if not _nested(initial_state):
                initial_state = [initial_state]
            initial_state = _map(lambda s: torch.as_tensor(s).to(
                device=sequences.device, dtype=sequences.dtype), list(initial_state))
        last, outputs, states = self.inner_loop(sequences, initial_state, mask, training)
        self._reset_dropout_masks(self.cell)
        if self.stateful and not fake:
            self._store_states(states)
        output = outputs if self.return_sequences else last
        if self.return_state:
            return (output, *states)
        return output

    def _stateful_initial(self, sequences) -> list:
        batch = sequences.shape[0]
        if self._state_structure is None:
            self._create_state_buffers(batch, like=sequences)
        expected = self._buffers["state_0"].shape[0]
        if batch != expected:
            raise ValueError("If an RNN is stateful, the batch size of the input sequences "
                             "must be the same as the batch size of the initial state. \n"
                             "- Expected batch size: %d\n- Received batch size: %d"
                             % (expected, batch))
        return self.states

    def _reset_dropout_masks(self, cell) -> None:
        if isinstance(cell, DropoutRNNCell):
            cell.reset_dropout_mask()
            cell.reset_recurrent_dropout_mask()
        if isinstance(cell, StackedRNNCells):
            for c in cell.cells:
                self._reset_dropout_masks(c)

    def _fused_mode(self):
        """The fused kernel usable for this layer's configuration (None: step the cell)."""
        if self._fused_cache is None:
            mode = None
            if not self.unroll and self.use_cudnn is not False:
                fn = getattr(self.cell, "fused_mode", None) \
                    if is_projected_cell(self.cell) else None
                mode = fn() if fn is not None else None
            self._fused_cache = (mode,)
        return self._fused_cache[0]

    def inner_loop(self, sequences, initial_state, mask, training):
        """``(last_output, outputs, final_states)`` for the whole sequence."""
        mode = self._fused_mode()
        # A symbolic (fake) mask cannot be inspected for right-padding: step the cell.
        if mode is not None and sequences.dim() == 3 and not (mask is not None
                                                               and _is_fake(mask)):
            cell = self.cell
            x = cell.dropped_input(sequences, training)
            weights = cell.fused_weights()
            if not _is_fake(x):
                _fused.maybe_flatten(self, weights, mode, x.shape[-1], cell.units)
            res = _fused.run_fused(mode, x, list(initial_state), weights, cell.use_bias, mask,
                                   self.go_backwards, self.zero_output_for_mask,
                                   self.return_sequences)
            if res is not None:
                return res
        elif mode is None and self.use_cudnn is True:
            raise ValueError("use_cudnn=True was specified, but cuDNN is not supported for "
                             "this layer configuration with this backend. Pass "
                             "use_cudnn='auto' to fallback to a non-cuDNN implementation.")
        return self._step_loop(sequences, initial_state, mask, training)

    def _step_loop(self, sequences, initial_state, mask, training):
        """The reference path: one cell call per timestep, Keras's mask semantics."""
        cell = self.cell
        x = sequences.flip(1) if self.go_backwards else sequences
        if mask is not None:
            mask = mask.to(torch.bool)
            if self.go_backwards:
                mask = mask.flip(1)
        states = initial_state
        if is_projected_cell(cell):
            xp = cell.project(x, training)

            def step(t, st):
                return cell.step(xp[:, t], st, training)
        else:
            fn = cell.__call__ if isinstance(cell, Layer) else cell.call
            kw = {"training": training} if isinstance(cell, Layer) or _takes_training(cell) \
                else {}

            def step(t, st):
                out, new = fn(x[:, t], st, **kw)
                return out, (list(new) if _nested(new) else [new])
        outputs, prev, out = [], None, None
        for t in range(x.shape[1]):
            out, new = step(t, states)
            if mask is not None:
                m = mask[:, t]
                if prev is None or self.zero_output_for_mask:
                    prev = torch.zeros_like(out)
                out = torch.where(_expand(m, out), out, prev)
                new = _map(lambda n, o: torch.where(_expand(m, n), n, o), list(new), states)
                prev = out
            states = new
            if self.return_sequences:
                outputs.append(out)
        outputs = torch.stack(outputs, 1) if self.return_sequences else out.unsqueeze(1)
        return out, outputs, list(states)

    # ------------------------------------------------------------ shapes & config
    def compute_output_shape(self, sequences_shape, initial_state_shape=None):
        batch, length = sequences_shape[0], sequences_shape[1]
        states_shape = []
        for size in self.state_size:
            if isinstance(size, int):
                states_shape.append((batch, size))
            else:
                states_shape.append([(batch, s) for s in size])
        output_size = getattr(self.cell, "output_size", None)
        if output_size is None:
            output_size = self.state_size[0]
        if not isinstance(output_size, int):
            raise ValueError("output_size must be an integer.")
        shape = (batch, length, output_size) if self.return_sequences else (batch, output_size)
        if self.return_state:
            return (shape, *states_shape)
        return shape

    def compute_mask(self, inputs, mask=None):
        if _nested(mask):
            mask = mask[0]
        out_mask = mask if self.return_sequences else None
        if self.return_state:
            return [out_mask] + [None] * len(self.state_size)
        return out_mask

    def get_config(self) -> dict:
        config = {
            "return_sequences": self.return_sequences,
            "return_state": self.return_state,
            "go_backwards": self.go_backwards,
            "stateful": self.stateful,
            "unroll": self.unroll,
            "zero_output_for_mask": self.zero_output_for_mask,
            "cell": serialize_keras_object(self.cell),
        }
        return {**super().get_config(), **config}

    @classmethod
    def from_config(cls, config: dict, custom_objects=None):
        config = dict(config)
        cell = deserialize_keras_object(config.pop("cell"), custom_objects=custom_objects)
        return cls(cell, **config)
