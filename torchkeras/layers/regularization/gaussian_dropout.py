"""GaussianDropout: multiplicative one-centred Gaussian noise while training."""
from __future__ import annotations

import math

from torchkeras.layers.layer import Layer
from torchkeras.layers.regularization.seeding import SeedStream, validate_rate


class GaussianDropout(Layer):
    """Multiplies the inputs by ``N(1, rate / (1 - rate))`` noise while training.

    Args:
        rate: Drop probability of the equivalent Dropout, in ``[0, 1]``.
        seed: Integer seed for a private random stream.

    Example:
        >>> y = GaussianDropout(0.2)(torch.ones(2, 3), training=True)
    """

    def __init__(self, rate: float, seed: int | None = None, **kwargs):
        super().__init__(**kwargs)
        self.rate = validate_rate("GaussianDropout", rate)
        self.seed = seed
        self._rng = SeedStream(seed)
        self.supports_masking = True
        self.built = True

    def call(self, inputs, training=None):
        if not training or self.rate == 0:
            return inputs
        stddev = math.sqrt(self.rate / (1.0 - self.rate)) if self.rate < 1 else math.inf
        noise = self._rng.normal(inputs.shape, inputs).mul_(stddev).add_(1.0)
        return inputs * noise

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self) -> dict:
        return {**super().get_config(), "rate": self.rate, "seed": self.seed}
