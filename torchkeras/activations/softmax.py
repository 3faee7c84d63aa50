"""Activations over an axis: ``softmax``, ``log_softmax``, ``sparsemax`` and ``glu``."""
from __future__ import annotations

from typing import Any, Sequence

import torch
import torch.nn.functional as F

from torchkeras.activations.activations import _tensor


def _move_axes_last(x: torch.Tensor, axis) -> tuple[torch.Tensor, Any]:
    """Flattens the ``axis`` dims of ``x`` into one trailing dim (for tuple/None axes)."""
    axes = tuple(range(x.ndim)) if axis is None else tuple(a % x.ndim for a in axis)
    rest = [d for d in range(x.ndim) if d not in axes]
    perm = rest + list(axes)
    moved = x.permute(perm)
    flat = moved.reshape(*moved.shape[:len(rest)], -1)
    return flat, (perm, moved.shape)


def _restore_axes(y: torch.Tensor, info) -> torch.Tensor:
    perm, moved_shape = info
    inverse = [0] * len(perm)
    for i, p in enumerate(perm):
        inverse[p] = i
    return y.reshape(moved_shape).permute(inverse)


def _over_axes(fn, x: torch.Tensor, axis) -> torch.Tensor:
    if isinstance(axis, int):
        return fn(x, dim=axis)
    if isinstance(axis, Sequence) and len(axis) == 1:
        return fn(x, dim=int(axis[0]))
    flat, info = _move_axes_last(x, axis)
    return _restore_axes(fn(flat, dim=-1), info)


def softmax(x, axis: int | Sequence[int] | None = -1) -> torch.Tensor:
    """``exp(x) / sum(exp(x))`` along ``axis`` (an int, a tuple of axes, or ``None`` for all).

    Example:
        >>> softmax(torch.tensor([[1.0, 1.0]]))
        tensor([[0.5000, 0.5000]])
    """
    return _over_axes(F.softmax, _tensor(x), axis)


def log_softmax(x, axis: int | Sequence[int] | None = -1) -> torch.Tensor:
    """``log(softmax(x))`` computed stably along ``axis``.

    Example:
        >>> log_softmax(torch.tensor([0.0, 0.0]))
        tensor([-0.6931, -0.6931])
    """
    return _over_axes(F.log_softmax, _tensor(x), axis)


def glu(x, axis: int = -1) -> torch.Tensor:
    """Gated linear unit: splits ``x`` in halves ``a, b`` along ``axis``; ``a * sigmoid(b)``.

    Example:
        >>> glu(torch.tensor([1.0, 0.0]))
        tensor([0.5000])
    """
    return F.glu(_tensor(x), dim=axis)


def sparsemax(x, axis: int = -1) -> torch.Tensor:
    """Euclidean projection of ``x`` onto the probability simplex along ``axis``:
    like softmax, but it can output exact zeros.

    Example:
        >>> sparsemax(torch.tensor([1.0, 0.0, -1.0]))
        tensor([1., 0., 0.])
    """
    x = _tensor(x)
    z, _ = torch.sort(x, dim=axis, descending=True)
    cumsum = z.cumsum(dim=axis)
    shape = [1] * x.ndim
    shape[axis] = -1
    k = torch.arange(1, x.shape[axis] + 1, dtype=x.dtype, device=x.device).view(shape)
    # Sorted entries stay in the support while 1 + k * z_k exceeds the running sum.
    support = (1.0 + k * z) > cumsum
    size = support.sum(dim=axis, keepdim=True)
    tau = (torch.where(support, z, torch.zeros((), dtype=x.dtype, device=x.device))
           .sum(dim=axis, keepdim=True) - 1.0) / size.to(x.dtype)
    return torch.clamp(x - tau, min=0.0)
