"""AdditiveAttention: Bahdanau-style attention, ``scores = sum(scale * tanh(q + k))``."""
from __future__ import annotations

import torch

from torchkeras.layers.attention.attention import Attention


class AdditiveAttention(Attention):
    """Additive attention layer, a.k.a. Bahdanau-style attention.

    Called on ``[query, value]`` or ``[query, value, key]`` like ``Attention``.

    Args:
        use_scale: Learn a per-feature scale of the ``tanh`` terms (``(dim,)``).
        dropout: Dropout rate on the attention distribution.

    Example:
        >>> att = AdditiveAttention()
        >>> y = att([torch.randn(2, 4, 8), torch.randn(2, 6, 8)])   # (2, 4, 8)
    """

    def __init__(self, use_scale: bool = True, dropout: float = 0.0, **kwargs):
        super().__init__(use_scale=use_scale, dropout=dropout, **kwargs)

    def build(self, input_shape) -> None:
        self._validate_inputs(input_shape)
        self.concat_score_weight = None
        self.scale = (self.add_weight(name="scale", shape=(input_shape[0][-1],),
                                      initializer="glorot_uniform")
                      if self.use_scale else None)
        self.built = True

    def _calculate_scores(self, query, key):
        t = torch.tanh(query.unsqueeze(-2) + key.unsqueeze(-3))
        return (t * self.scale if self.use_scale else t).sum(-1)

    def _dot_scores(self) -> bool:
        return False

    def get_config(self) -> dict:
        config = super().get_config()
        del config["score_mode"]
        return config
