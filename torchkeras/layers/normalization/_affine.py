"""Small per-layer tensors that torch's fused normalization kernels are handed."""
from __future__ import annotations

import torch


def _cached(owner, key: str, like: torch.Tensor, size: int, fill: float) -> torch.Tensor:
    """A tensor of ``size`` values, kept on ``owner`` between calls so the hot path does
    not allocate and fill it every step; fresh while compiling, and never kept when it is
    not a plain tensor (made under a fake-tensor mode while shapes are traced)."""
    t = owner.__dict__.get(key) if owner is not None else None
    if t is not None and t.device == like.device and t.dtype == like.dtype \
            and t.shape[0] == size and not torch.compiler.is_compiling():
        return t
    t = torch.full((size,), fill, dtype=like.dtype, device=like.device)
    if owner is not None and type(t) is torch.Tensor and not torch.compiler.is_compiling():
        owner.__dict__[key] = t
    return t


def fused_affine(weight: torch.Tensor | None, bias: torch.Tensor | None, owner=None):
    """``(weight, bias)`` for ``F.batch_norm``/``F.layer_norm``.

    With ``scale=False, center=True`` the weight is absent but the bias is not. The CUDA
    backward kernels mishandle that pair (an empty bias gradient), so off the CPU a
    constant unit scale stands in: same numbers, and the bias gets its gradient.
    """
    if weight is None and bias is not None and bias.device.type != "cpu":
        weight = _cached(owner, "_unit_scale", bias.detach(), bias.shape[0], 1.0)
    return weight, bias


def batch_scratch(owner, like: torch.Tensor, channels: int):
    """Two per-channel buffers for the batch mean and variance that ``F.batch_norm``
    writes (with momentum 1 it overwrites them, so they need no zeroing)."""
    return (_cached(owner, "_batch_mean", like, channels, 0.0),
            _cached(owner, "_batch_var", like, channels, 1.0))
