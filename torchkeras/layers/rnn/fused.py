"""Whole-sequence recurrences on torch's fused kernels (cuDNN on GPU).

``run_fused`` runs ``torch._VF.lstm`` / ``gru`` / ``rnn_tanh`` / ``rnn_relu`` on a
``(batch, time, features)`` tensor with Keras's semantics for ``go_backwards`` and for
right-padded masks (turned into packed sequences): masked steps keep the state, and
the output of a masked step repeats the last valid one (or is zero with
``zero_output_for_mask``).
"""
from __future__ import annotations

import torch
from torch import _VF
from torch.nn.utils.rnn import PackedSequence, pack_padded_sequence, pad_packed_sequence

_FNS = {"LSTM": _VF.lstm, "GRU": _VF.gru, "RNN_TANH": _VF.rnn_tanh, "RNN_RELU": _VF.rnn_relu}


def _run(mode, x, hx, weights, has_biases, bidirectional=False):
    train = torch.is_grad_enabled()
    if mode == "LSTM":
        out, h, c = _VF.lstm(x, hx, weights, has_biases, 1, 0.0, train, bidirectional, True)
        return out, [h, c]
    out, h = _FNS[mode](x, hx, weights, has_biases, 1, 0.0, train, bidirectional, True)
    return out, [h]


def _hx(mode, states):
    hs = [s.unsqueeze(0).contiguous() for s in states]
    return tuple(hs) if mode == "LSTM" else hs[0]


def _mask_lengths(mask: torch.Tensor):
    """Per-sample lengths on the host, or None when the mask is not right-padded.

    One host transfer: cuDNN's packed-sequence API needs the lengths there anyway.
    """
    mask = mask.to(torch.bool)
    steps = mask.shape[1]
    lengths = mask.sum(1)
    ar = torch.arange(steps, device=mask.device)
    right_padded = ((ar.unsqueeze(0) < lengths.unsqueeze(1)) == mask).all()
    info = torch.cat([lengths, right_padded.long().unsqueeze(0)]).cpu()
    if not bool(info[-1]):
        return None, None
    return lengths, info[:-1]


def run_fused(mode: str, x: torch.Tensor, states: list, weights: list, has_biases: bool,
              mask=None, go_backwards: bool = False, zero_output_for_mask: bool = False,
              return_sequences: bool = True):
    """One-layer fused recurrence with Keras's outputs.

    Args:
        mode: ``"LSTM"``, ``"GRU"``, ``"RNN_TANH"`` or ``"RNN_RELU"``.
        x: ``(batch, time, features)`` inputs.
        states: Initial states, each ``(batch, units)`` (``[h, c]`` for LSTM).
        weights: ``[weight_ih, weight_hh(, bias_ih, bias_hh)]`` in torch's layouts.
        has_biases: Whether ``weights`` holds the two biases.
        mask: Optional ``(batch, time)`` boolean mask.
        go_backwards: Process the sequence in reverse (outputs stay in processing order).
        zero_output_for_mask: Zeros instead of repeated outputs at masked steps.
        return_sequences: Whether the caller needs the outputs of every step.

    Returns:
        ``(last_output, outputs, new_states)`` as Keras's ``backend.rnn`` returns them, or
        ``None`` when ``mask`` is not right-padded (the caller then steps the cell).
    """
    lengths = None
    if mask is not None:
        lengths, host_lengths = _mask_lengths(mask)
        if lengths is None:
            return None
        if bool((host_lengths == x.shape[1]).all()):
            lengths = None          # nothing is masked: the plain path is exact
    if lengths is None:
        if go_backwards:
            x = x.flip(1)
        out, new = _run(mode, x, _hx(mode, states), weights, has_biases)
        new = [s.squeeze(0) for s in new]
        last = new[0]               # the last output is the final hidden state
        return last, (out if return_sequences else last.unsqueeze(1)), new
    return _run_packed(mode, x, states, weights, has_biases, lengths, host_lengths,
                       go_backwards, zero_output_for_mask, return_sequences)


def _run_packed(mode, x, states, weights, has_biases, lengths, host_lengths, go_backwards,
                zero_output_for_mask, return_sequences):
    batch, steps = x.shape[0], x.shape[1]
    ar = torch.arange(steps, device=x.device).unsqueeze(0)
    if go_backwards:
        # Keras reverses the whole padded sequence: the padding comes first and leaves the
        # state alone, then the valid steps run last-to-first.
        idx = (lengths.unsqueeze(1) - 1 - ar).clamp(min=0)
        x = x.gather(1, idx.unsqueeze(-1).expand(-1, -1, x.shape[-1]))
    # Samples without any valid step run one dummy step, discarded below.
    packed = pack_padded_sequence(x, host_lengths.clamp(min=1), batch_first=True,
                                  enforce_sorted=False)
    order, unorder = packed.sorted_indices, packed.unsorted_indices
    hx = _hx(mode, [s.index_select(0, order) for s in states])
    train = torch.is_grad_enabled()
    if mode == "LSTM":
        res = _VF.lstm(packed.data, packed.batch_sizes, hx, weights, has_biases, 1, 0.0, train,
                       False)
    else:
        res = _FNS[mode](packed.data, packed.batch_sizes, hx, weights, has_biases, 1, 0.0,
                         train, False)
    out_data, new = res[0], [s.squeeze(0).index_select(0, unorder) for s in res[1:]]
    any_valid = (lengths > 0).unsqueeze(1)
    new = [torch.where(any_valid, s, s0) for s, s0 in zip(new, states)]
    last = torch.where(any_valid, new[0], torch.zeros_like(new[0]))
    if not go_backwards and zero_output_for_mask:
        full = (lengths == steps).unsqueeze(1)
        last_out = torch.where(full, last, torch.zeros_like(last))
    else:
        last_out = last
    if not return_sequences:
        return last_out, last_out.unsqueeze(1), new
    y, _ = pad_packed_sequence(PackedSequence(out_data, packed.batch_sizes, order, unorder),
                               batch_first=True, total_length=steps)
    if go_backwards:
        src = ar - (steps - lengths.unsqueeze(1))
        y = y.gather(1, src.clamp(min=0).unsqueeze(-1).expand(-1, -1, y.shape[-1]))
        outputs = torch.where((src >= 0).unsqueeze(-1), y, torch.zeros_like(y))
    else:
        valid = (ar < lengths.unsqueeze(1)).unsqueeze(-1)
        fill = torch.zeros_like(y) if zero_output_for_mask else last.unsqueeze(1)
        outputs = torch.where(valid, y, fill)
    return last_out, outputs, new


def run_fused_bidirectional(mode: str, x: torch.Tensor, states: list, weights: list,
                            has_biases: bool):
    """Both directions in one kernel call (cuDNN runs them together).

    ``states`` holds the forward states then the backward ones; returns
    ``(outputs (batch, time, 2 * units), forward_states, backward_states)`` with the
    backward outputs in the original time order.
    """
    n = len(states) // 2
    merged = [torch.stack([f, b]).contiguous() for f, b in zip(states[:n], states[n:])]
    hx = tuple(merged) if mode == "LSTM" else merged[0]
    out, new = _run(mode, x, hx, weights, has_biases, bidirectional=True)
    return out, [s[0] for s in new], [s[1] for s in new]


def maybe_flatten(owner, weights: list, mode: str, input_size: int, hidden: int,
                  bidirectional: bool = False) -> None:
    """On CUDA, lays the weights out in one contiguous cuDNN buffer (as
    ``nn.LSTM.flatten_parameters`` does) so cuDNN need not copy them every call.

    Only for eager calls on real tensors: never while tracing or inferring shapes."""
    w0 = weights[0]
    if not w0.is_cuda or mode == "GRU" or torch.compiler.is_compiling():
        return
    key = tuple(w.data_ptr() for w in weights)
    if owner.__dict__.get("_cudnn_flat_key") == key:
        return
    try:
        import torch.backends.cudnn.rnn as cudnn_rnn
        ok = (len(set(key)) == len(key) and torch._use_cudnn_rnn_flatten_weight()
              and all(w.dtype == w0.dtype and w.is_cuda and torch.backends.cudnn.is_acceptable(w)
                      for w in weights))
        if ok:
            with torch.cuda.device_of(w0), torch.no_grad():
                per_direction = len(weights) // (2 if bidirectional else 1)
                torch._cudnn_rnn_flatten_weight(weights, per_direction, input_size,
                                                cudnn_rnn.get_cudnn_mode(mode), hidden, 0, 1,
                                                True, bidirectional)
    except Exception:  # pragma: no cover - flattening is only an optimisation
        pass
    owner.__dict__["_cudnn_flat_key"] = tuple(w.data_ptr() for w in weights)
