"""AugMix: mixes several random augmentation chains with the original image."""
from __future__ import annotations

import numpy as np
import torch

from torchkeras.layers.preprocessing.base_image_layer import BaseImageLayer
from torchkeras.layers.preprocessing.color_utils import (check_positive_int, check_value_range,
                                                         host_generator)
from torchkeras.layers.preprocessing.rand_augment import build_augmenters

AUGMENT_LAYERS = ("random_shear", "random_translation", "random_rotation",
                  "random_posterization", "solarization", "auto_contrast", "equalization")
AUGMENT_LAYERS_ALL = AUGMENT_LAYERS + ("random_brightness", "random_color_degeneration",
                                       "random_contrast", "random_sharpness")


class AugMix(BaseImageLayer):
    """AugMix (Hendrycks et al., 2020) while training; identity at inference.

    Each call builds ``num_chains`` chains of up to ``chain_depth`` operations (each step
    picks an operation or nothing, uniformly), runs every chain on the batch, mixes the
    chains with Dirichlet(``alpha``) weights and blends the mix with the input by a
    Beta(``alpha``, ``alpha``) weight; the result is clipped to ``value_range``. As in
    Keras the picks and weights are shared by the batch (drawn on the host), while each
    operation draws its own per-image parameters on the device.

    Args:
        value_range: ``(min, max)`` of the pixel values. Defaults to ``(0, 255)``.
        num_chains: Number of chains. Defaults to 3.
        chain_depth: Maximum operations per chain. Defaults to 3.
        factor: Strength: ``f`` for ``(0, f)`` or a pair in ``[0, 1]``. Defaults to 0.3.
        alpha: Dirichlet and Beta concentration. Defaults to 1.
        all_ops: Also use brightness, colour degeneration, contrast and sharpness.
        interpolation: ``"bilinear"`` or ``"nearest"`` for the geometric operations.
        seed: Integer seed for a private random stream (else torch's global RNG).
        data_format: ``"channels_last"`` (default from config) or ``"channels_first"``.

    Example:
        >>> y = AugMix(value_range=(0, 1))(torch.rand(8, 32, 32, 3), training=True)
    """

    _FACTOR_BOUNDS = (0, 1)

    def __init__(self, value_range: tuple | list = (0, 255), num_chains: int = 3,
                 chain_depth: int = 3, factor: float | tuple = 0.3, alpha: float = 1.0,
                 all_ops: bool = True, interpolation: str = "bilinear", seed: int | None = None,
                 data_format: str | None = None, **kwargs):
        check_value_range("AugMix", value_range)
        check_positive_int("AugMix", "num_chains", num_chains)
        check_positive_int("AugMix", "chain_depth", chain_depth)
        if isinstance(alpha, bool) or not isinstance(alpha, (int, float)) or alpha <= 0:
            raise ValueError("AugMix: `alpha` must be a positive number. Received: alpha=%r"
                             % (alpha,))
        super().__init__(data_format=data_format, **kwargs)
        self._set_factor(factor)
        self.value_range = value_range
        self.num_chains = num_chains
        self.chain_depth = chain_depth
        self.alpha = alpha
        self.all_ops = all_ops
        self.interpolation = interpolation
        self._set_seed(seed)
        self._ops = AUGMENT_LAYERS_ALL if all_ops else AUGMENT_LAYERS
        build_augmenters(self, self._ops, self.factor, value_range, interpolation, seed,
                         self.data_format)

    def _host_draws(self):
        # numpy's Dirichlet/Beta, seeded from this layer's CPU stream (a CPU draw: no
        # device sync), so torch.manual_seed or `seed` governs them.
        state = torch.randint(0, 2 ** 62, (1,), generator=host_generator(self._rng))
        rng = np.random.default_rng(int(state))
        weights = rng.dirichlet([self.alpha] * self.num_chains)
        keep = float(rng.beta(self.alpha, self.alpha))
        n = len(self._ops)
        chains = [[self._ops[j] for j in rng.integers(0, n + 1, self.chain_depth) if j < n]
                  for _ in range(self.num_chains)]
        return weights, keep, chains

    def transform(self, images: torch.Tensor, training: bool) -> torch.Tensor:
        if not training:
            return images
        weights, keep, chains = self._host_draws()
        mixed = torch.zeros_like(images)
        for weight, chain in zip(weights, chains):
            branch = images
            for name in chain:
                branch = self._cast(getattr(self, name).transform(branch, True))
            mixed = mixed + branch * float(weight)
        out = keep * images + (1 - keep) * mixed
        return out.clamp(self.value_range[0], self.value_range[1])

    def get_config(self) -> dict:
        return {**super().get_config(), "value_range": self.value_range,
                "num_chains": self.num_chains, "chain_depth": self.chain_depth,
                "factor": self.factor, "alpha": self.alpha, "all_ops": self.all_ops,
                "interpolation": self.interpolation, "seed": self.seed}
