"""LeakyReLU layer."""
from __future__ import annotations

import warnings

import torch.nn.functional as F

from torchkeras.layers.layer import Layer


class LeakyReLU(Layer):
    """``x`` for ``x >= 0``, ``negative_slope * x`` otherwise (``F.leaky_relu``).

    Args:
        negative_slope: Slope for negative inputs (Keras 3 default ``0.3``);
            ``alpha`` is accepted as its deprecated name.

    Example:
        >>> LeakyReLU()(torch.tensor([-1.0, 2.0]))
        tensor([-0.3000,  2.0000])
    """

    def __init__(self, negative_slope: float = 0.3, **kwargs):
        if "alpha" in kwargs:
            negative_slope = kwargs.pop("alpha")
            warnings.warn("Argument `alpha` is deprecated. Use `negative_slope` instead.")
        super().__init__(**kwargs)
        if negative_slope is None or negative_slope < 0:
            raise ValueError("The negative_slope value of a Leaky ReLU layer cannot be None or "
                             "negative value. Expected a float. Received: negative_slope=%s"
                             % (negative_slope,))
        self.negative_slope = negative_slope
        self.supports_masking = True
        self.built = True

    def call(self, inputs):
        return F.leaky_relu(inputs, self.negative_slope)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self) -> dict:
        return {**super().get_config(), "negative_slope": self.negative_slope}
