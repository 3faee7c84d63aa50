"""Random draws for the noise layers: torch's global RNG, or a private seeded stream."""
from __future__ import annotations

import torch


class SeedStream:
    """A ``torch.Generator`` per device, seeded once, so a seeded layer repeats its draws.

    With ``seed=None`` the layer uses torch's global RNG (``torch.manual_seed`` governs it),
    which also lets it use torch's fused kernels such as ``F.dropout``.

    Args:
        seed: Python integer, or ``None`` for the global RNG.
    """

    def __init__(self, seed: int | None):
        if seed is not None and (not isinstance(seed, int) or isinstance(seed, bool)):
            raise ValueError("`seed` must be an integer or None, got %r" % (seed,))
        self.seed = seed
        self._generators: dict = {}

    @property
    def seeded(self) -> bool:
        return self.seed is not None

    def generators(self) -> dict:
        """The generators made so far, by device name (what a checkpoint saves/restores).

        Example:
            >>> stream.generators()   # {"cpu": <torch.Generator>} after one CPU draw
        """
        return dict(self._generators)

    def generator(self, device: torch.device) -> torch.Generator | None:
        if self.seed is None or device.type == "meta":
            return None
        key = str(device)
        gen = self._generators.get(key)
        if gen is None:
            gen = torch.Generator(device=device)
            gen.manual_seed(self.seed)
            self._generators[key] = gen
        return gen

    def bernoulli_keep(self, shape, keep_prob: float, like: torch.Tensor) -> torch.Tensor:
        """Boolean tensor of ``shape``: True with probability ``keep_prob``."""
        u = torch.rand(shape, device=like.device, dtype=torch.float32,
                       generator=self.generator(like.device))
        return u < keep_prob

    def normal(self, shape, like: torch.Tensor) -> torch.Tensor:
        """Standard normal draws shaped ``shape`` in ``like``'s dtype and device."""
        return torch.randn(shape, device=like.device, dtype=like.dtype,
                           generator=self.generator(like.device))


def validate_rate(layer_name: str, rate) -> float:
    """Keras's check on dropout-like rates: a number in [0, 1]."""
    if isinstance(rate, bool) or not isinstance(rate, (int, float)) or not 0 <= rate <= 1:
        raise ValueError("Invalid value received for argument `rate` of %s. Expected a float "
                         "value between 0 and 1. Received: rate=%r" % (layer_name, rate))
    return rate


def concrete_noise_shape(noise_shape, input_shape) -> tuple:
    """``None`` entries of ``noise_shape`` take the input's dimension."""
    if noise_shape is None:
        return tuple(input_shape)
    if len(noise_shape) != len(input_shape):
        raise ValueError("`noise_shape` %s must have the same rank as the input, whose shape "
                         "is %s" % (tuple(noise_shape), tuple(input_shape)))
    return tuple(d if n is None else n for n, d in zip(noise_shape, input_shape))
