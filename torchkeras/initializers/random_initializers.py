"""Random initializers with fixed parameters: normal, truncated normal and uniform.

A seeded initializer draws from its own ``torch.Generator`` seeded on every call, so
it returns the same values each time (as Keras's integer-seeded initializers do); an
unseeded one draws from torch's global generator, so ``torch.manual_seed`` (or
``torchkeras.config.set_random_seed``) makes whole models reproducible.
"""
from __future__ import annotations

from typing import Any

import numpy as np
import torch

from torchkeras.initializers.initializer import (Initializer, sampling_dtype, to_dtype,
                                                 to_shape)


def check_seed(seed: Any) -> int | None:
    """Validates a ``seed`` argument: ``None`` or a non-negative Python int."""
    if seed is None:
        return None
    if isinstance(seed, np.integer):
        return int(seed)
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise ValueError("`seed` argument should be an integer or None. Received: seed=%r"
                         % (seed,))
    return seed


def make_generator(seed: int | None) -> torch.Generator | None:
    """A CPU generator seeded with ``seed``, or ``None`` for torch's global one."""
    if seed is None:
        return None
    gen = torch.Generator()
    gen.manual_seed(seed)
    return gen


def sample_normal(shape, mean: float, stddev: float, dtype, seed: int | None) -> torch.Tensor:
    shape, dtype = to_shape(shape), to_dtype(dtype)
    out = torch.empty(shape, dtype=sampling_dtype(dtype))
    out.normal_(float(mean), float(stddev), generator=make_generator(seed))
    return out.to(dtype)


def sample_uniform(shape, minval: float, maxval: float, dtype, seed: int | None) -> torch.Tensor:
    shape, dtype = to_shape(shape), to_dtype(dtype)
    out = torch.empty(shape, dtype=sampling_dtype(dtype))
    out.uniform_(float(minval), float(maxval), generator=make_generator(seed))
    return out.to(dtype)


def sample_truncated_normal(shape, mean: float, stddev: float, dtype,
                            seed: int | None) -> torch.Tensor:
    """Normal samples restricted to ``mean ± 2 * stddev`` (Keras's truncation)."""
    shape, dtype = to_shape(shape), to_dtype(dtype)
    out = torch.empty(shape, dtype=sampling_dtype(dtype))
    mean, stddev = float(mean), float(stddev)
    # Inverse-CDF sampling: one pass, no rejection loop.
    torch.nn.init.trunc_normal_(out, mean, stddev, mean - 2.0 * stddev, mean + 2.0 * stddev,
                                generator=make_generator(seed))
    return out.to(dtype)


class RandomInitializer(Initializer):
    """Base of the seeded initializers; stores and serializes ``seed``."""

    def __init__(self, seed: int | None = None):
        self.seed = check_seed(seed)

    def get_config(self) -> dict[str, Any]:
        return {"seed": self.seed}


class RandomNormal(RandomInitializer):
    """Samples from a normal distribution.

    Args:
        mean: Mean of the values.
        stddev: Standard deviation of the values.
        seed: Integer making the values deterministic (``None``: torch's global RNG).

    Example:
        >>> RandomNormal(mean=0.0, stddev=1.0, seed=1)((2, 2)).shape
        torch.Size([2, 2])
    """

    def __init__(self, mean: float = 0.0, stddev: float = 0.05, seed: int | None = None):
        self.mean = mean
        self.stddev = stddev
        super().__init__(seed=seed)

    def __call__(self, shape, dtype=None) -> torch.Tensor:
        return sample_normal(shape, self.mean, self.stddev, dtype, self.seed)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "mean": self.mean, "stddev": self.stddev}


class TruncatedNormal(RandomInitializer):
    """Samples from a normal distribution cut at two standard deviations from the mean.

    Args:
        mean: Mean of the (untruncated) distribution.
        stddev: Standard deviation of the (untruncated) distribution.
        seed: Integer making the values deterministic (``None``: torch's global RNG).

    Example:
        >>> TruncatedNormal(stddev=1.0, seed=1)((100,)).abs().max() <= 2.0
        tensor(True)
    """

    def __init__(self, mean: float = 0.0, stddev: float = 0.05, seed: int | None = None):
        self.mean = mean
        self.stddev = stddev
        super().__init__(seed=seed)

    def __call__(self, shape, dtype=None) -> torch.Tensor:
        return sample_truncated_normal(shape, self.mean, self.stddev, dtype, self.seed)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "mean": self.mean, "stddev": self.stddev}


class RandomUniform(RandomInitializer):
    """Samples uniformly from ``[minval, maxval)``.

    Args:
        minval: Lower bound (inclusive).
        maxval: Upper bound (exclusive).
        seed: Integer making the values deterministic (``None``: torch's global RNG).

    Example:
        >>> RandomUniform(-1.0, 1.0, seed=3)((4,)).shape
        torch.Size([4])
    """

    def __init__(self, minval: float = -0.05, maxval: float = 0.05, seed: int | None = None):
        self.minval = minval
        self.maxval = maxval
        super().__init__(seed=seed)

    def __call__(self, shape, dtype=None) -> torch.Tensor:
        return sample_uniform(shape, self.minval, self.maxval, dtype, self.seed)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "minval": self.minval, "maxval": self.maxval}
