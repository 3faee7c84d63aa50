"""GaussianNoise: additive zero-mean Gaussian noise while training."""
from __future__ import annotations

from torchkeras.layers.layer import Layer
from torchkeras.layers.regularization.seeding import SeedStream


class GaussianNoise(Layer):
    """Adds ``N(0, stddev^2)`` noise to the inputs while training (identity otherwise).

    Args:
        stddev: Standard deviation of the noise, in ``[0, 1]``.
        seed: Integer seed for a private random stream.

    Example:
        >>> y = GaussianNoise(0.1)(torch.zeros(2, 3), training=True)
    """

    def __init__(self, stddev: float, seed: int | None = None, **kwargs):
        super().__init__(**kwargs)
        if isinstance(stddev, bool) or not isinstance(stddev, (int, float)) \
                or not 0 <= stddev <= 1:
            raise ValueError("Invalid value received for argument `stddev` of GaussianNoise. "
                             "Expected a float value between 0 and 1. Received: stddev=%r"
                             % (stddev,))
        self.stddev = stddev
        self.seed = seed
        self._rng = SeedStream(seed)
        self.supports_masking = True
        self.built = True

    def call(self, inputs, training=None):
        if not training or self.stddev == 0:
            return inputs
        return inputs + self._rng.normal(inputs.shape, inputs) * self.stddev

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self) -> dict:
        return {**super().get_config(), "stddev": self.stddev, "seed": self.seed}
