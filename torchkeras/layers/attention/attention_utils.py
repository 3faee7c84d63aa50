"""Masks and softmax shared by the attention layers, with Keras's numerics.

Keras gives masked logits a large finite negative value rather than ``-inf``, so a
fully masked row never produces NaN: on its ``dot_product_attention`` path such a row
attends uniformly, on its explicit-softmax path it comes out as zeros. Both are
reproduced here.
"""
from __future__ import annotations

import torch
import torch.nn.functional as F

from torchkeras.layers.regularization.seeding import SeedStream


def keras_mask_of(x):
    return getattr(x, "_keras_mask", None)


def causal_mask(q_len: int, v_len: int, device) -> torch.Tensor:
    """``(1, q_len, v_len)``: query step i may see key steps 0..i."""
    return torch.ones((q_len, v_len), dtype=torch.bool, device=device).tril().unsqueeze(0)


def sliding_window_mask(q_len: int, v_len: int, window: int, device) -> torch.Tensor:
    rows = torch.arange(q_len, device=device).view(1, q_len, 1)
    cols = torch.arange(v_len, device=device).view(1, 1, v_len)
    return (rows - cols).abs() < window


def merge_masks(q_len: int, v_len: int, device, query_mask=None, value_mask=None,
                key_mask=None, attention_mask=None, use_causal_mask: bool = False,
                sliding_window=None):
    """AND of every mask that applies, shaped to broadcast to ``(B, T, S)``, or None."""
    auto = None

    def add(m):
        nonlocal auto
        auto = m if auto is None else auto & m

    def as_bool(m):
        return torch.as_tensor(m, device=device).to(torch.bool)

    if query_mask is not None:
        add(as_bool(query_mask).unsqueeze(-1))
    if value_mask is not None:
        add(as_bool(value_mask).unsqueeze(-2))
    if key_mask is not None:
        add(as_bool(key_mask).unsqueeze(-2))
    if use_causal_mask:
        add(causal_mask(q_len, v_len, device))
    if sliding_window is not None:
        add(sliding_window_mask(q_len, v_len, sliding_window, device))
    if attention_mask is not None:
        attention_mask = as_bool(attention_mask)
        return attention_mask if auto is None else attention_mask & auto
    return auto


def sdpa(q, k, v, mask=None, scale=None, dropout_p: float = 0.0, is_causal: bool = False,
         enable_gqa: bool = False):
    """``F.scaled_dot_product_attention`` on ``(B, heads, L, dim)`` tensors with a boolean
    mask turned into Keras's additive one (fully masked rows attend uniformly)."""
    bias = None
    if mask is not None:
        neg = -0.7 * (65500.0 if q.dtype == torch.float16 else 3.38953e38)
        bias = torch.zeros(mask.shape, dtype=q.dtype, device=q.device).masked_fill_(~mask, neg)
    kwargs = {"enable_gqa": True} if enable_gqa else {}
    return F.scaled_dot_product_attention(q, k, v, attn_mask=bias, dropout_p=dropout_p,
                                          is_causal=is_causal, scale=scale, **kwargs)


def masked_softmax(scores: torch.Tensor, mask, n_axes: int = 1) -> torch.Tensor:
    """Softmax over the last ``n_axes`` axes; masked entries get 0 (Keras's Softmax)."""
    if mask is not None:
        neg = -3e4 if scores.dtype == torch.float16 else -1e9
        scores = torch.where(mask, scores, torch.full((), neg, dtype=scores.dtype,
                                                       device=scores.device))
    if n_axes == 1:
        out = torch.softmax(scores, dim=-1)
    else:
        lead = scores.shape[:scores.dim() - n_axes]
        out = torch.softmax(scores.reshape(lead + (-1,)), dim=-1).reshape(scores.shape)
    if mask is not None:
        out = torch.where(mask, out, torch.zeros((), dtype=out.dtype, device=out.device))
    return out


def dropout(x: torch.Tensor, rate: float, stream: SeedStream | None) -> torch.Tensor:
    """Training-mode dropout with torch's kernel, or a seeded private stream."""
    if rate <= 0:
        return x
    if stream is None or not stream.seeded:
        return F.dropout(x, p=rate, training=True)
    if rate >= 1:
        return torch.zeros_like(x)
    keep = 1.0 - rate
    return x * stream.bernoulli_keep(x.shape, keep, x).to(x.dtype) * (1.0 / keep)


class ProjectionBuildConfig:
    """Build-config round trip for attention layers whose projections are built from the
    query/value/key shapes of their first call (``_build_projections``)."""

    def get_build_config(self):
        return {"shapes_dict": self._build_shapes} if self._build_shapes else None

    def build_from_config(self, config: dict) -> None:
        shapes = (config or {}).get("shapes_dict")
        if shapes:
            self._build_projections(shapes["query_shape"], shapes["value_shape"],
                                    shapes.get("key_shape"))
            self.built = True
