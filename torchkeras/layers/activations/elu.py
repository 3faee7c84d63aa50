"""ELU layer."""
from __future__ import annotations

import torch.nn.functional as F

from torchkeras.layers.layer import Layer


class ELU(Layer):
    """Exponential linear unit: ``x`` for ``x > 0``, ``alpha * (exp(x) - 1)`` otherwise.

    Args:
        alpha: Scale of the negative part.

    Example:
        >>> ELU()(torch.tensor([0.0, 1.0]))
        tensor([0., 1.])
    """

    def __init__(self, alpha: float = 1.0, **kwargs):
        super().__init__(**kwargs)
        self.alpha = alpha
        self.supports_masking = True
        self.built = True

    def call(self, inputs):
        return F.elu(inputs, self.alpha)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self) -> dict:
        return {**super().get_config(), "alpha": self.alpha}
