"""Dropout: zeroes a random fraction of the inputs while training."""
from __future__ import annotations

import torch
import torch.nn.functional as F

from torchkeras.layers.layer import Layer
from torchkeras.layers.regularization.seeding import (SeedStream, concrete_noise_shape,
                                                      validate_rate)


def validate_noise_shape(noise_shape):
    """Keras's checks on ``noise_shape``: an iterable of positive ints or ``None``s."""
    if noise_shape is None:
        return None
    if isinstance(noise_shape, str):
        raise ValueError("Invalid value received for argument `noise_shape`. Expected a tuple "
                         "or list of integers. Received: noise_shape=%s" % noise_shape)
    try:
        noise_shape = tuple(noise_shape)
    except TypeError:
        raise ValueError("Invalid value received for argument `noise_shape`. Expected an "
                         "iterable of integers (e.g., a tuple or list). Received: "
                         "noise_shape=%s" % (noise_shape,)) from None
    for i, dim in enumerate(noise_shape):
        if dim is None:
            continue
        if not isinstance(dim, int) or isinstance(dim, bool):
            raise ValueError("Invalid value received for argument `noise_shape`. Expected all "
                             "elements to be integers or None. Received element at index %d: "
                             "%r (type: %s)" % (i, dim, type(dim).__name__))
        if dim <= 0:
            raise ValueError("Invalid value received for argument `noise_shape`. Expected all "
                             "dimensions to be positive integers or None. Received negative or "
                             "zero value at index %d: %d" % (i, dim))
    return noise_shape


class Dropout(Layer):
    """Randomly sets a fraction ``rate`` of the inputs to 0 while training.

    Kept values are scaled by ``1 / (1 - rate)`` so the expected sum is unchanged.
    Outside training (``training=False`` or unset) the layer returns its input.

    Args:
        rate: Fraction of the inputs to drop, in ``[0, 1]``.
        noise_shape: Shape of the binary keep-mask, broadcast over the input
            (``None`` entries take the input's size), e.g. ``(batch, 1, features)``
            drops the same features at every timestep.
        seed: Integer seed for a private, reproducible random stream.

    Example:
        >>> layer = Dropout(0.2)
        >>> y = layer(torch.ones(4, 10), training=True)
    """

    def __init__(self, rate: float, noise_shape=None, seed: int | None = None, **kwargs):
        super().__init__(**kwargs)
        self.rate = validate_rate("Dropout", rate)
        self.seed = seed
        self.noise_shape = validate_noise_shape(noise_shape)
        self._rng = SeedStream(seed)
        self.supports_masking = True
        self.built = True

    def call(self, inputs, training=None):
        if not training or self.rate == 0:
            return inputs
        if self.rate == 1:
            return torch.zeros_like(inputs)
        if self.noise_shape is None and not self._rng.seeded:
            return F.dropout(inputs, p=self.rate, training=True)
        keep = 1.0 - self.rate
        shape = concrete_noise_shape(self.noise_shape, inputs.shape)
        mask = self._rng.bernoulli_keep(shape, keep, inputs)
        return inputs * mask.to(inputs.dtype) * (1.0 / keep)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self) -> dict:
        return {**super().get_config(), "rate": self.rate, "seed": self.seed,
                "noise_shape": self.noise_shape}
