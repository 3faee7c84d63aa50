"""RandomPosterization: keeps only the top bits of each 8-bit channel value."""
from __future__ import annotations

import torch

from torchkeras.layers.preprocessing.base_image_layer import BaseImageLayer
from torchkeras.layers.preprocessing.color_utils import check_value_range, rescale


class RandomPosterization(BaseImageLayer):
    """Reduces each image to ``bits`` bits per channel while training (AutoAugment's op).

    Pixels are mapped to ``[0, 255]``, truncated to ``uint8``, their low ``8 - bits`` bits
    cleared, and mapped back. As in Keras, ``bits`` is drawn per image from
    ``[lower, upper)`` (the upper bound excluded) unless ``lower == upper``.

    Args:
        factor: ``f`` for ``(1, f)`` or a pair ``(lower, upper)``, bit counts in ``[1, 8]``.
        value_range: ``(min, max)`` of the pixel values. Defaults to ``(0, 255)``.
        data_format: ``"channels_last"`` (default from config) or ``"channels_first"``.
        seed: Integer seed for a private random stream (else torch's global RNG).

    Example:
        >>> y = RandomPosterization(factor=(4, 4))(torch.rand(2, 8, 8, 3) * 255)
    """

    _PRESERVES_GEOMETRY = True  # colour only: boxes and masks pass through
    _FACTOR_BOUNDS = (1, 8)
    _CAST_INPUTS = False

    def __init__(self, factor: float | tuple, value_range: tuple | list = (0, 255),
                 data_format: str | None = None, seed: int | None = None, **kwargs):
        check_value_range("RandomPosterization", value_range)
        super().__init__(data_format=data_format, **kwargs)
        self._set_factor(factor)
        self.value_range = sorted(value_range)
        self._set_seed(seed)

    def transform(self, images: torch.Tensor, training: bool) -> torch.Tensor:
        if not training:
            return images
        b = images.shape[0]
        lower, upper = int(self.factor[0]), int(self.factor[1])
        if lower != upper:
            bits = torch.randint(lower, upper, (b, 1, 1, 1), device=images.device,
                                 generator=self._rng.generator(images.device))
        else:
            bits = torch.full((b, 1, 1, 1), lower, device=images.device)
        shift = (8 - bits).to(torch.uint8)
        x = rescale(self._cast(images), self.value_range, (0, 255)).to(torch.uint8)
        x = torch.bitwise_left_shift(torch.bitwise_right_shift(x, shift), shift)
        return rescale(self._cast(x), (0, 255), self.value_range)

    def get_config(self) -> dict:
        return {**super().get_config(), "factor": self.factor,
                "value_range": self.value_range, "seed": self.seed}
