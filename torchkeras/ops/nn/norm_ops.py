"""Normalization, statistics and attention ops of ``keras.ops.nn``.

``dot_product_attention`` takes Keras's ``(batch, seq, heads, head_dim)`` layout and runs
``torch.nn.functional.scaled_dot_product_attention`` (fused kernels) underneath.

Example:
    >>> from torchkeras.ops import nn
    >>> out = nn.dot_product_attention(q, k, v, is_causal=True)
"""
from __future__ import annotations

import math
from typing import Any

import torch
import torch.nn.functional as F

from torchkeras import config
from torchkeras.ops.arg_utils import axes as norm_axes, floating, tensor
from torchkeras.ops.symbolic import keras_op

__all__ = [
    "batch_normalization", "dot_product_attention", "layer_normalization", "moments",
    "normalize", "polar", "rms_normalization",
]


@keras_op
def moments(x: Any, axes: Any, keepdims: bool = False, synchronized: bool = False):
    """Mean and (population) variance of ``x`` over ``axes``.

    float16 inputs are reduced in float32 and cast back, as Keras does.

    Example:
        >>> mean, var = moments(torch.tensor([1.0, 3.0]), axes=[0])   # 2.0, 1.0
    """
    if synchronized:
        raise NotImplementedError("moments: synchronized=True is not supported on torch")
    x = floating(x)
    dims = norm_axes(axes, x.ndim)
    work = x.float() if x.dtype == torch.float16 else x
    var, mean = torch.var_mean(work, dim=dims, correction=0, keepdim=keepdims)
    if work is not x:
        lim = torch.finfo(torch.float16).max
        mean, var = mean.clamp(-lim, lim).to(x.dtype), var.clamp(-lim, lim).to(x.dtype)
    return mean, var


@keras_op
def batch_normalization(x: Any, mean: Any, variance: Any, axis: int, offset: Any = None,
                        scale: Any = None, epsilon: float = 1e-3) -> torch.Tensor:
    """``(x - mean) / sqrt(variance + epsilon) * scale + offset`` with 1D statistics for
    the features on ``axis``.

    Example:
        >>> batch_normalization(x, mean, var, axis=-1)
    """
    x = floating(x)
    shape = [1] * x.ndim
    shape[axis] = x.shape[axis]

    def vec(v, name):
        v = tensor(v).to(x.dtype)
        if v.shape != (x.shape[axis],):
            raise ValueError(f"batch_normalization: `{name}` must have shape "
                             f"({x.shape[axis]},), got {tuple(v.shape)}")
        return v.reshape(shape)
    inv = torch.rsqrt(vec(variance, "variance") + epsilon)
    if scale is not None:
        inv = inv * vec(scale, "scale")
    out = (x - vec(mean, "mean")) * inv
    return out + vec(offset, "offset") if offset is not None else out


@keras_op
def normalize(x: Any, axis: int = -1, order: int = 2, epsilon: float | None = None
              ) -> torch.Tensor:
    """``x`` divided by its ``order``-norm along ``axis`` (floored at ``epsilon``).

    Example:
        >>> normalize([3.0, 4.0])   # [0.6, 0.8]
    """
    if not isinstance(order, int) or order < 1:
        raise ValueError(f"normalize: `order` must be an int >= 1, got {order!r}")
    x = floating(x)
    if x.ndim == 0:
        x = x.unsqueeze(0)
    eps = config.epsilon() if epsilon is None else epsilon
    if order == 2:
        inv = torch.rsqrt(torch.sum(x * x, dim=axis, keepdim=True))
        return x * torch.clamp(inv, max=1.0 / eps)
    norm = torch.linalg.vector_norm(x, ord=order, dim=axis, keepdim=True)
    return x / torch.clamp(norm, min=eps)


def _compute_dtype(x: torch.Tensor) -> torch.dtype:
    return torch.float64 if x.dtype == torch.float64 else torch.float32


@keras_op
def rms_normalization(x: Any, scale: Any = None, axis: Any = -1,
                      epsilon: float | None = None) -> torch.Tensor:
    """``x / sqrt(mean(x^2, axis) + epsilon) * scale`` (computed in float32 at least).

    Example:
        >>> rms_normalization(torch.randn(2, 8), scale=torch.ones(8))
    """
    x = floating(x)
    eps = config.epsilon() if epsilon is None else epsilon
    work = x.to(_compute_dtype(x))
    dims = norm_axes(axis, x.ndim)
    out = work * torch.rsqrt(torch.mean(work * work, dim=dims, keepdim=True) + eps)
    if scale is not None:
        out = out * tensor(scale).to(work.dtype)
    return out.to(x.dtype)


@keras_op
def layer_normalization(x: Any, gamma: Any = None, beta: Any = None, axis: Any = -1,
                        epsilon: float | None = None, **kwargs: Any) -> torch.Tensor:
    """Normalizes each example over ``axis`` to zero mean and unit variance, then
    scales by ``gamma`` and shifts by ``beta``.

    Example:
        >>> layer_normalization(torch.arange(5.0))   # ~[-1.414, -0.707, 0, 0.707, 1.414]
    """
    if kwargs.pop("rms_scaling", False):
        return rms_normalization.__wrapped_op__(x, gamma, axis, epsilon)
    if kwargs:
        raise TypeError(f"layer_normalization: unexpected arguments {sorted(kwargs)}")
    x = floating(x)
    eps = config.epsilon() if epsilon is None else epsilon
    dims = norm_axes(axis, x.ndim)
    work = x.to(_compute_dtype(x))
    var, mean = torch.var_mean(work, dim=dims, correction=0, keepdim=True)
    out = (work - mean) * torch.rsqrt(var + eps)
    if gamma is not None:
        out = out * tensor(gamma).to(work.dtype)
    if beta is not None:
        out = out + tensor(beta).to(work.dtype)
    return out.to(x.dtype)


@keras_op
def polar(abs_: Any, angle: Any) -> torch.Tensor:
    """The complex tensor ``abs_ * (cos(angle) + i sin(angle))``.

    Example:
        >>> polar(torch.tensor([2.0]), torch.tensor([0.0]))   # [2+0j]
    """
    a, t = floating(abs_), floating(angle)
    return torch.polar(a, t.to(a.dtype))


@keras_op
def dot_product_attention(query: Any, key: Any, value: Any, bias: Any = None,
                          mask: Any = None, scale: float | None = None,
                          is_causal: bool = False, flash_attention: bool | None = None,
                          attn_logits_soft_cap: float | None = None) -> torch.Tensor:
    """Scaled dot-product attention on Keras's ``(batch, seq, heads, head_dim)`` layout.

    Args:
        query: ``(B, T, N, H)`` (or unbatched ``(T, N, H)``).
        key: ``(B, S, K, H)`` with ``N`` a multiple of ``K`` (grouped-query attention).
        value: ``(B, S, K, H)``.
        bias: Added to the logits; broadcastable to ``(B, N, T, S)``.
        mask: Boolean, True where attention is allowed; broadcastable to ``(B, N, T, S)``.
        scale: Logit scale, ``1 / sqrt(H)`` by default.
        is_causal: Adds a lower-triangular mask.
        flash_attention: Accepted for Keras compatibility; torch picks the kernel.
        attn_logits_soft_cap: If set, logits become ``cap * tanh(logits / cap)``.

    Example:
        >>> dot_product_attention(q, k, v, is_causal=True).shape == q.shape
    """
    q, k, v = floating(query), floating(key), floating(value)
    unbatched = q.ndim == 3
    if unbatched:
        q, k, v = q.unsqueeze(0), k.unsqueeze(0), v.unsqueeze(0)
    if q.ndim != 4 or k.ndim != 4 or v.ndim != 4 or k.shape != v.shape[:3] + k.shape[3:] \
            or q.shape[-1] != k.shape[-1] or q.shape[2] % k.shape[2]:
        raise ValueError(f"dot_product_attention: incompatible shapes query "
                         f"{tuple(q.shape)}, key {tuple(k.shape)}, value {tuple(v.shape)}")
    q, k, v = (t.transpose(1, 2) for t in (q, k, v))   # (B, N, T, H) views
    if k.shape[1] != q.shape[1]:
        rep = q.shape[1] // k.shape[1]
        k, v = k.repeat_interleave(rep, dim=1), v.repeat_interleave(rep, dim=1)
    t_len, s_len = q.shape[2], k.shape[2]
    allowed = None if mask is None else tensor(mask).to(torch.bool)
    if is_causal:
        tri = torch.ones(t_len, s_len, dtype=torch.bool, device=q.device).tril()
        allowed = tri if allowed is None else allowed & tri
    scale = 1.0 / math.sqrt(q.shape[-1]) if scale is None else float(scale)
    if attn_logits_soft_cap is not None:
        logits = torch.matmul(q, k.transpose(-1, -2)) * scale
        logits = attn_logits_soft_cap * torch.tanh(logits / attn_logits_soft_cap)
        if bias is not None:
            logits = logits + tensor(bias).to(logits.dtype)
        if allowed is not None:
            logits = logits.masked_fill(~allowed, float("-inf"))
        out = torch.matmul(torch.softmax(logits, dim=-1), v)
    else:
        attn_mask = allowed
        if bias is not None:
            attn_mask = tensor(bias).to(q.dtype)
            if allowed is not None:
                attn_mask = attn_mask.masked_fill(~allowed, float("-inf"))
        out = F.scaled_dot_product_attention(q, k, v, attn_mask=attn_mask, scale=scale)
    out = out.transpose(1, 2)
    return out.squeeze(0) if unbatched else out
