"""Attention: dot-product (Luong-style) attention over ``[query, value(, key)]``."""
from __future__ import annotations

import torch
import torch.nn.functional as F

from torchkeras.layers.attention import attention_utils as au
from torchkeras.layers.layer import Layer
from torchkeras.layers.regularization.seeding import SeedStream


class Attention(Layer):
    """Dot-product attention layer, a.k.a. Luong-style attention.

    Called on ``[query, value]`` or ``[query, value, key]`` (``key`` defaults to
    ``value``) of shapes ``(batch, Tq, dim)`` and ``(batch, Tv, dim)``. With
    ``score_mode="dot"`` and no requested scores, the whole layer is one
    ``F.scaled_dot_product_attention`` call.

    Args:
        use_scale: Learn a scalar that multiplies the scores.
        score_mode: ``"dot"`` (``q·k``) or ``"concat"`` (``sum(tanh(q + k))``).
        dropout: Dropout rate on the attention distribution.
        seed: Seed of the dropout.

    Example:
        >>> att = Attention()
        >>> y = att([torch.randn(2, 4, 8), torch.randn(2, 6, 8)])   # (2, 4, 8)
    """

    def __init__(self, use_scale: bool = False, score_mode: str = "dot", dropout: float = 0.0,
                 seed=None, **kwargs):
        super().__init__(**kwargs)
        self.use_scale = use_scale
        self.score_mode = score_mode
        self.dropout = dropout
        self.seed = seed
        self._rng = SeedStream(seed)
        self.supports_masking = True
        if score_mode not in ("dot", "concat"):
            raise ValueError("Invalid value for argument score_mode. Expected one of {'dot', "
                             "'concat'}. Received: score_mode=%s" % (score_mode,))

    def build(self, input_shape) -> None:
        self._validate_inputs(input_shape)
        self.scale = (self.add_weight(name="scale", shape=(), initializer="ones")
                      if self.use_scale else None)
        self.concat_score_weight = (
            self.add_weight(name="concat_score_weight", shape=(), initializer="ones")
            if self.score_mode == "concat" else None)
        self.built = True

    def _calculate_scores(self, query, key):
        if self.score_mode == "dot":
            scores = torch.matmul(query, key.transpose(-2, -1))
            return scores * self.scale if self.scale is not None else scores
        q, k = query.unsqueeze(-2), key.unsqueeze(-3)
        t = q + k if self.scale is None else self.scale * (q + k)
        return self.concat_score_weight * torch.tanh(t).sum(-1)

    def _dot_scores(self) -> bool:
        """Whether the scores are a (scaled) dot product, i.e. SDPA computes the layer."""
        return self.score_mode == "dot"

    def _score_mask(self, q_len: int, v_len: int, v_mask, use_causal_mask: bool, device):
        if v_mask is not None:
            v_mask = v_mask.to(torch.bool).unsqueeze(-2)
        if not use_causal_mask:
            return v_mask
        causal = au.causal_mask(q_len, v_len, device)
        return causal if v_mask is None else v_mask & causal

    def call(self, inputs, mask=None, training=None, return_attention_scores: bool = False,
             use_causal_mask: bool = False):
        self._validate_inputs(inputs, mask)
        q, v = inputs[0], inputs[1]
        k = inputs[2] if len(inputs) > 2 else v
        q_mask = mask[0] if mask else None
        v_mask = mask[1] if mask else None
        scores_mask = self._score_mask(q.shape[-2], k.shape[-2], v_mask, use_causal_mask,
                                       q.device)
        p = self.dropout if training and self.dropout > 0 else 0.0
        weights = None
        if self._dot_scores() and not return_attention_scores and (
                p == 0 or not self._rng.seeded):
            qs = q * self.scale if self.scale is not None else q
            bias = None
            if scores_mask is not None:
                bias = torch.zeros(scores_mask.shape, dtype=q.dtype, device=q.device)
                bias = bias.masked_fill_(~scores_mask, -65504.0 if q.dtype == torch.float16
                                         else -1.0e9)
            out = F.scaled_dot_product_attention(qs, k, v, attn_mask=bias, dropout_p=p,
                                                 scale=1.0)
        else:
            scores = self._calculate_scores(q, k)
            if scores_mask is not None:
                big = 65504.0 if scores.dtype == torch.float16 else 1.0e9
                scores = torch.where(scores_mask, scores, scores - big)
            weights = torch.softmax(scores, dim=-1)
            dropped = au.dropout(weights, p, self._rng) if p else weights
            out = torch.matmul(dropped, v)
        if q_mask is not None:
            out = torch.where(q_mask.to(torch.bool).unsqueeze(-1), out,
                              torch.zeros((), dtype=out.dtype, device=out.device))
        return (out, weights) if return_attention_scores else out

    def compute_mask(self, inputs, mask=None):
        self._validate_inputs(inputs, mask)
        if mask is None or mask[0] is None:
            return None
        return mask[0]

    def compute_output_shape(self, input_shape):
        return tuple(input_shape[0][:-1]) + (input_shape[1][-1],)

    def _validate_inputs(self, inputs, mask=None) -> None:
        name = type(self).__name__
        if not isinstance(inputs, (list, tuple)):
            raise ValueError("%s layer must be called on a list of inputs, namely [query, "
                             "value] or [query, value, key]. Received: inputs=%r."
                             % (name, inputs))
        if len(inputs) < 2 or len(inputs) > 3:
            raise ValueError("%s layer accepts inputs list of length 2 or 3, namely [query, "
                             "value] or [query, value, key]. Received length: %d."
                             % (name, len(inputs)))
        if mask is not None:
            if not isinstance(mask, (list, tuple)):
                raise ValueError("%s layer mask must be a list, namely [query_mask, "
                                 "value_mask]. Received: mask=%r." % (name, mask))
            if len(mask) < 2 or len(mask) > 3:
                raise ValueError("%s layer accepts mask list of length 2 or 3. Received: "
                                 "mask=%r." % (name, mask))

    def get_config(self) -> dict:
        return {**super().get_config(), "use_scale": self.use_scale,
                "score_mode": self.score_mode, "dropout": self.dropout, "seed": self.seed}
