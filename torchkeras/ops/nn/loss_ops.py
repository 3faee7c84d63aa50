"""Encoding and loss ops of ``keras.ops.nn``: one/multi-hot, crossentropies, CTC, PSNR.

The crossentropies are elementwise over the batch (no reduction), clip probabilities to
``[epsilon, 1 - epsilon]`` when ``from_logits=False`` and renormalise categorical
probabilities along ``axis``, as Keras does.

Example:
    >>> from torchkeras.ops import nn
    >>> nn.sparse_categorical_crossentropy([1], [[0.2, 0.8]])   # [-log(0.8)]
"""
from __future__ import annotations

import math
from typing import Any

import torch
import torch.nn.functional as F

from torchkeras import config
from torchkeras.ops.arg_utils import floating, tensor
from torchkeras.ops.symbolic import keras_op

__all__ = [
    "binary_crossentropy", "categorical_crossentropy", "ctc_decode", "ctc_loss",
    "multi_hot", "one_hot", "psnr", "sparse_categorical_crossentropy",
]


def _out_dtype(dtype):
    return config.to_torch_dtype(dtype if dtype is not None else config.floatx())


_CLASS_IDS: dict = {}


def _class_ids(num_classes: int, x: torch.Tensor) -> torch.Tensor:
    """``arange(num_classes)`` in ``x``'s dtype and device, cached for plain tensors
    (see ops/fast_paths.py: saves the ~2 us allocation per call on CPU). Never cached for
    tensor subclasses such as FakeTensor (symbolic calls), whose arange would be fake."""
    if type(x) is not torch.Tensor:
        return torch.arange(num_classes, dtype=x.dtype, device=x.device)
    key = (num_classes, x.dtype, x.device)
    ids = _CLASS_IDS.get(key)
    if ids is None:
        if len(_CLASS_IDS) > 64:
            _CLASS_IDS.clear()
        ids = _CLASS_IDS[key] = torch.arange(num_classes, dtype=x.dtype, device=x.device)
    return ids


@keras_op
def one_hot(x: Any, num_classes: int, axis: int = -1, dtype: Any = None,
            sparse: bool = False) -> torch.Tensor:
    """One-hot encoding of integer ``x`` (out-of-range ids, e.g. -1, give all zeros).

    Example:
        >>> one_hot([0, 2], 3)   # [[1, 0, 0], [0, 0, 1]] as float32
    """
    if sparse:
        raise ValueError("one_hot: sparse=True is not supported on torch tensors")
    x = tensor(x)
    if x.dtype != torch.int64 and x.dtype != torch.int32:
        x = x.long()
    # Fast path: one comparison against arange; ids outside [0, num_classes) match no
    # class, so they give all zeros with no masking pass (and no range check, which in
    # F.one_hot is a min/max reduction read back to the host on CPU).
    classes = _class_ids(int(num_classes), x)
    y = torch.eq(x.unsqueeze(-1), classes).to(_out_dtype(dtype))
    return torch.movedim(y, -1, axis) if axis != -1 else y


@keras_op
def multi_hot(inputs: Any, num_classes: int | None = None, axis: int = -1,
              dtype: Any = None, sparse: bool = False, **kwargs: Any) -> torch.Tensor:
    """Multi-hot encoding: the last axis of integer ids collapses to ``num_classes``.

    Example:
        >>> multi_hot([[0, 2], [1, 1]], 3)   # [[1, 0, 1], [0, 1, 0]]
    """
    if num_classes is None:
        num_classes = kwargs.pop("num_tokens", None)
    if num_classes is None:
        raise ValueError("multi_hot: `num_classes` is required")
    x = tensor(inputs).long()
    squeeze = x.ndim == 1
    if squeeze:
        x = x.unsqueeze(0)
    y = one_hot.__wrapped_op__(x, num_classes, -1, dtype, sparse).amax(dim=-2)
    if squeeze:
        y = y.squeeze(0)
    return torch.movedim(y, -1, axis) if axis != -1 else y


def _check_same_shape(target, output, name):
    if target.shape != output.shape:
        raise ValueError(f"{name}: target and output must have the same shape; got "
                         f"{tuple(target.shape)} and {tuple(output.shape)}")


@keras_op
def binary_crossentropy(target: Any, output: Any, from_logits: bool = False) -> torch.Tensor:
    """Elementwise binary crossentropy.

    Example:
        >>> binary_crossentropy([1.0], [0.9])   # [-log(0.9)]
    """
    target, output = floating(target), floating(output)
    _check_same_shape(target, output, "binary_crossentropy")
    target = target.to(output.dtype)
    if from_logits:
        return F.binary_cross_entropy_with_logits(output, target, reduction="none")
    eps = config.epsilon()
    output = torch.clamp(output, eps, 1.0 - eps)
    return F.binary_cross_entropy(output, target, reduction="none")


@keras_op
def categorical_crossentropy(target: Any, output: Any, from_logits: bool = False,
                             axis: int = -1) -> torch.Tensor:
    """Crossentropy of one-hot (or soft) ``target`` against ``output`` along ``axis``.

    Example:
        >>> categorical_crossentropy([[0, 1]], [[0.2, 0.8]])   # [-log(0.8)]
    """
    target, output = floating(target), floating(output)
    _check_same_shape(target, output, "categorical_crossentropy")
    if output.ndim < 1:
        raise ValueError("categorical_crossentropy: output must have rank >= 1")
    target = target.to(output.dtype)
    if from_logits:
        log_prob = F.log_softmax(output, dim=axis)
    else:
        output = output / output.sum(dim=axis, keepdim=True)
        eps = config.epsilon()
        log_prob = torch.log(torch.clamp(output, eps, 1.0 - eps))
    return -(target * log_prob).sum(dim=axis)


@keras_op
def sparse_categorical_crossentropy(target: Any, output: Any, from_logits: bool = False,
                                    axis: int = -1) -> torch.Tensor:
    """Crossentropy of integer class ``target`` against ``output`` along ``axis``.

    Example:
        >>> sparse_categorical_crossentropy([1], [[0.2, 0.8]])   # [-log(0.8)]
    """
    target, output = tensor(target).long(), floating(output)
    if target.ndim == output.ndim and target.shape[axis] == 1:
        target = target.squeeze(axis)
    if output.ndim < 1 or target.shape != output.shape[:axis % output.ndim] + \
            output.shape[axis % output.ndim + 1:]:
        raise ValueError(f"sparse_categorical_crossentropy: target {tuple(target.shape)} "
                         f"must be output {tuple(output.shape)} without its class axis")
    if from_logits:
        log_prob = F.log_softmax(output, dim=axis)
    else:
        output = output / output.sum(dim=axis, keepdim=True)
        eps = config.epsilon()
        log_prob = torch.log(torch.clamp(output, eps, 1.0 - eps))
    log_prob = torch.movedim(log_prob, axis, -1)
    return -torch.gather(log_prob, -1, target.clamp(min=0).unsqueeze(-1)).squeeze(-1)


@keras_op
def ctc_loss(target: Any, output: Any, target_length: Any, output_length: Any,
             mask_index: int = 0) -> torch.Tensor:
    """Per-sample CTC loss of logits ``output`` (batch, time, classes).

    Example:
        >>> ctc_loss([[1, 2]], torch.randn(1, 5, 4), [2], [5])   # shape (1,)
    """
    target = tensor(target).long()
    output = floating(output)
    if output.ndim != 3 or target.ndim != 2 or target.shape[0] != output.shape[0]:
        raise ValueError(f"ctc_loss: expected target (B, S) and output (B, T, C); got "
                         f"{tuple(target.shape)} and {tuple(output.shape)}")
    log_probs = F.log_softmax(output.transpose(0, 1), dim=-1)
    return F.ctc_loss(log_probs, target, tensor(output_length).long(),
                      tensor(target_length).long(), blank=mask_index, reduction="none",
                      zero_infinity=False)


def _greedy(logits, lengths, merge_repeated, mask_index):
    b, t, _ = logits.shape
    scores, idx = logits.max(dim=-1)
    past = torch.arange(t, device=idx.device)[None, :] >= lengths[:, None]
    idx = torch.where(past, mask_index, idx)
    scores = torch.where(past, 0.0, scores)
    if merge_repeated:
        repeat = F.pad(idx[:, 1:] == idx[:, :-1], (1, 0))
        idx = torch.where(repeat, mask_index, idx)
    drop = idx == mask_index
    # Stable sort moves the kept labels to the front, in order; -1 pads the rest.
    order = torch.argsort(drop.to(torch.int8), dim=-1, stable=True)
    idx = torch.take_along_dim(torch.where(drop, -1, idx), order, dim=-1)
    return idx.to(torch.int32).unsqueeze(0), -scores.sum(dim=1, keepdim=True)


def _lae(a: float, b: float) -> float:
    if a == float("-inf"):
        return b
    if b == float("-inf"):
        return a
    m = max(a, b)
    return m + math.log(math.exp(a - m) + math.exp(b - m))


def _beam(log_probs, lengths, beam_width, top_paths, merge_repeated, mask_index):
    # Prefix beam search per sample (CPU-side; decoding is not on a training hot path).
    b, t, _ = log_probs.shape
    lp = log_probs.detach().double().cpu()
    paths, scores = [], []
    for i in range(b):
        beams = {(): (0.0, float("-inf"))}   # prefix -> (log p ending blank, non-blank)
        for step in range(int(lengths[i])):
            nxt: dict = {}

            def add(prefix, pb, pnb):
                ob, onb = nxt.get(prefix, (float("-inf"), float("-inf")))
                nxt[prefix] = (_lae(ob, pb),
                               _lae(onb, pnb))
            row = lp[i, step].tolist()
            for prefix, (pb, pnb) in beams.items():
                total = _lae(pb, pnb)
                for c in range(len(row)):
                    p = row[c]
                    if c == mask_index:
                        add(prefix, total + p, float("-inf"))
                        continue
                    last = prefix[-1] if prefix else None
                    if merge_repeated and c == last:
                        add(prefix + (c,), float("-inf"), pb + p)
                        add(prefix, float("-inf"), pnb + p)
                    else:
                        add(prefix + (c,), float("-inf"), total + p)
            ranked = sorted(nxt.items(), key=lambda kv: -_lae(kv[1][0], kv[1][1]))
            beams = dict(ranked[:beam_width])
        ranked = sorted(((p, _lae(v[0], v[1]))
                         for p, v in beams.items()), key=lambda kv: -kv[1])[:top_paths]
        ranked += [((), float("-inf"))] * (top_paths - len(ranked))
        paths.append([p for p, _ in ranked])
        scores.append([s for _, s in ranked])
    out = torch.full((top_paths, b, t), -1, dtype=torch.int32)
    for i in range(b):
        for k in range(top_paths):
            if paths[i][k]:
                out[k, i, :len(paths[i][k])] = torch.tensor(paths[i][k], dtype=torch.int32)
    return (out.to(log_probs.device),
            torch.tensor(scores, dtype=log_probs.dtype, device=log_probs.device))


@keras_op
def ctc_decode(inputs: Any, sequence_lengths: Any, strategy: str = "greedy",
               beam_width: int = 100, top_paths: int = 1, merge_repeated: bool = True,
               mask_index: int = 0):
    """Decodes CTC logits (batch, time, classes) into label sequences padded with -1.

    Returns:
        ``(decoded, log_probs)``: decoded ``(top_paths, batch, time)`` int32 and scores
        ``(batch, top_paths)`` (greedy: the negative sum of per-step maximum logits).

    Example:
        >>> decoded, scores = ctc_decode(logits, [5], strategy="greedy")
    """
    x = floating(inputs)
    lengths = tensor(sequence_lengths).long()
    if x.ndim != 3:
        raise ValueError(f"ctc_decode: inputs must be (batch, time, classes), got "
                         f"{tuple(x.shape)}")
    if strategy == "greedy":
        # Keras scores greedy paths on the raw logits (no softmax).
        return _greedy(x, lengths, merge_repeated, mask_index)
    if strategy == "beam_search":
        return _beam(F.log_softmax(x, dim=-1), lengths, beam_width, top_paths,
                     merge_repeated, mask_index)
    raise ValueError(f"ctc_decode: `strategy` must be 'greedy' or 'beam_search', got "
                     f"{strategy!r}")


@keras_op
def psnr(x1: Any, x2: Any, max_val: float) -> torch.Tensor:
    """Peak signal-to-noise ratio ``20 log10(max_val) - 10 log10(mse)`` (a scalar).

    Example:
        >>> psnr(torch.zeros(4), torch.full((4,), 0.1), 1.0)   # 20.0
    """
    x1, x2 = floating(x1), floating(x2)
    if x1.shape != x2.shape:
        raise ValueError(f"psnr: inputs must have the same shape; got {tuple(x1.shape)} "
                         f"and {tuple(x2.shape)}")
    mse = torch.mean(torch.square(x1 - x2))
    return 20 * torch.log10(torch.as_tensor(max_val, dtype=mse.dtype)) - 10 * torch.log10(mse)
