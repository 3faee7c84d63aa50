"""Solarization: inverts the pixels above a threshold (after an optional brightening)."""
from __future__ import annotations

import torch

from torchkeras.layers.preprocessing.base_image_layer import BaseImageLayer
from torchkeras.layers.preprocessing.color_utils import check_value_range, rescale, unit_factor


class Solarization(BaseImageLayer):
    """Applies ``255 - x`` to the pixels at or above a per-image threshold while training.

    Working on the ``[0, 255]`` scale, each image gets ``x + a`` (clipped to ``[0, 255]``)
    with ``a ~ U(addition_factor[0], addition_factor[1] * 255)``; pixels ``>= t`` with
    ``t ~ U(threshold_factor[0], threshold_factor[1] * 255)`` become ``255 - x``. With the
    default factors every pixel is inverted. Identity (after the cast to the compute dtype)
    at inference.

    Args:
        addition_factor: ``f`` for ``(0, f)`` or a pair in ``[0, 1]``. Defaults to 0.
        threshold_factor: ``f`` for ``(0, f)`` or a pair in ``[0, 1]``. Defaults to 0.
        value_range: ``(min, max)`` of the pixel values. Defaults to ``(0, 255)``.
        seed: Integer seed for a private random stream (else torch's global RNG).

    Example:
        >>> y = Solarization(threshold_factor=(0.5, 0.5))(torch.rand(2, 8, 8, 3) * 255)
    """

    _PRESERVES_GEOMETRY = True  # colour only: boxes and masks pass through

    def __init__(self, addition_factor: float | tuple = 0.0,
                 threshold_factor: float | tuple = 0.0, value_range: tuple | list = (0, 255),
                 seed: int | None = None, **kwargs):
        addition = unit_factor("Solarization", "addition_factor", addition_factor, False)
        threshold = unit_factor("Solarization", "threshold_factor", threshold_factor, False)
        check_value_range("Solarization", value_range)
        super().__init__(**kwargs)
        self.addition_factor = addition
        self.threshold_factor = threshold
        self.value_range = sorted(value_range)
        self._set_seed(seed)

    def transform(self, images: torch.Tensor, training: bool) -> torch.Tensor:
        if not training:
            return images
        shape = (images.shape[0], 1, 1, 1)
        add = self._uniform(shape, self.addition_factor[0], self.addition_factor[1] * 255,
                            images).to(images.dtype)
        thr = self._uniform(shape, self.threshold_factor[0], self.threshold_factor[1] * 255,
                            images).to(images.dtype)
        x = rescale(images, self.value_range, (0, 255))
        x = (x + add).clamp_(0, 255)
        x = torch.where(x < thr, x, 255 - x)
        return rescale(x, (0, 255), self.value_range)

    def get_config(self) -> dict:
        return {**super().get_config(), "value_range": self.value_range,
                "addition_factor": self.addition_factor,
                "threshold_factor": self.threshold_factor, "seed": self.seed}
