"""AlphaDropout: dropout that keeps SELU's self-normalising mean and variance."""
from __future__ import annotations

from torchkeras.layers.layer import Layer
from torchkeras.layers.regularization.seeding import (SeedStream, concrete_noise_shape,
                                                      validate_rate)

_ALPHA = 1.6732632423543772848170429916717
_SCALE = 1.0507009873554804934193349852946


class AlphaDropout(Layer):
    """Sets dropped inputs to SELU's negative saturation value, then applies the affine
    correction that keeps the mean and variance of the inputs (for ``selu`` networks).

    Args:
        rate: Fraction of the inputs to drop, in ``[0, 1]``.
        noise_shape: Shape of the keep-mask, broadcast over the input (``None`` entries
            take the input's size).
        seed: Integer seed for a private random stream.

    Example:
        >>> y = AlphaDropout(0.1)(torch.randn(4, 8), training=True)
    """

    def __init__(self, rate: float, noise_shape=None, seed: int | None = None, **kwargs):
        super().__init__(**kwargs)
        self.rate = validate_rate("AlphaDropout", rate)
        self.seed = seed
        self.noise_shape = noise_shape
        self._rng = SeedStream(seed)
        self.supports_masking = True
        self.built = True

    def call(self, inputs, training=None):
        if not training or self.rate == 0:
            return inputs
        alpha_p = -_ALPHA * _SCALE
        shape = concrete_noise_shape(self.noise_shape, inputs.shape)
        kept = self._rng.bernoulli_keep(shape, 1.0 - self.rate, inputs).to(inputs.dtype)
        a = ((1 - self.rate) * (1 + self.rate * alpha_p ** 2)) ** -0.5
        b = -a * alpha_p * self.rate
        return (inputs * kept + alpha_p * (1 - kept)) * a + b

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self) -> dict:
        return {**super().get_config(), "rate": self.rate, "seed": self.seed,
                "noise_shape": self.noise_shape}
