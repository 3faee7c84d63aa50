"""RandomInvert: inverts a random share of the images while training."""
from __future__ import annotations

import torch

from torchkeras.layers.preprocessing.base_image_layer import BaseImageLayer
from torchkeras.layers.preprocessing.color_utils import check_value_range


class RandomInvert(BaseImageLayer):
    """Inverts each image (``value_range[1] - x``) with its own random probability.

    Per image a probability ``p ~ U(lower, upper)`` and a threshold ``t ~ U(0, 1)`` are
    drawn; the image is inverted when ``t < p``. Identity at inference.

    Args:
        factor: ``f`` for probabilities in ``[0, f]`` or ``(lower, upper)`` in ``[0, 1]``.
            Defaults to 1.0.
        value_range: ``(min, max)`` of the pixel values. Defaults to ``(0, 255)``.
        seed: Integer seed for a private random stream (else torch's global RNG).
        data_format: ``"channels_last"`` (default from config) or ``"channels_first"``.

    Example:
        >>> y = RandomInvert(value_range=(0, 1))(torch.rand(8, 32, 32, 3), training=True)
    """

    _PRESERVES_GEOMETRY = True  # colour only: boxes and masks pass through
    _FACTOR_BOUNDS = (0, 1)
    _CAST_INPUTS = False

    def __init__(self, factor: float | tuple = 1.0, value_range: tuple | list = (0, 255),
                 seed: int | None = None, data_format: str | None = None, **kwargs):
        check_value_range("RandomInvert", value_range)
        super().__init__(data_format=data_format, **kwargs)
        self._set_factor(factor)
        self.value_range = value_range
        self._set_seed(seed)

    def transform(self, images: torch.Tensor, training: bool) -> torch.Tensor:
        if not training:
            return images
        images = self._cast(images)
        b = images.shape[0]
        p = self._uniform((b,), self.factor[0], self.factor[1], images)
        t = self._uniform((b,), 0.0, 1.0, images)
        apply = (t < p).view(b, 1, 1, 1)
        return torch.where(apply, self.value_range[1] - images, images)

    def get_config(self) -> dict:
        return {**super().get_config(), "factor": self.factor,
                "value_range": self.value_range, "seed": self.seed}
