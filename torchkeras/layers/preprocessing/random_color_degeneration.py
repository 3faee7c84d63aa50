"""RandomColorDegeneration: blends each image with its grayscale version."""
from __future__ import annotations

import torch

from torchkeras.layers.preprocessing.base_image_layer import BaseImageLayer
from torchkeras.layers.preprocessing.color_utils import (blend, channel_axis,
                                                         check_value_range, grayscale)


class RandomColorDegeneration(BaseImageLayer):
    """Moves each image toward (or away from) its grayscale version while training.

    ``out = x + f * (gray(x) - x)`` with ``f ~ U(lower, upper)`` per image, clipped to
    ``value_range``. As in Keras, a single ``factor`` ``f`` gives the range ``(-f, f)``.
    Identity at inference.

    Args:
        factor: ``f`` for ``(-f, f)`` or a pair ``(lower, upper)`` in ``[-1, 1]``.
        value_range: ``(min, max)`` of the pixel values. Defaults to ``(0, 255)``.
        data_format: ``"channels_last"`` (default from config) or ``"channels_first"``.
        seed: Integer seed for a private random stream (else torch's global RNG).

    Example:
        >>> y = RandomColorDegeneration((0.5, 0.5))(torch.rand(2, 8, 8, 3) * 255)
    """

    _PRESERVES_GEOMETRY = True  # colour only: boxes and masks pass through
    _USE_BASE_FACTOR = True
    _CAST_INPUTS = False

    def __init__(self, factor: float | tuple, value_range: tuple | list = (0, 255),
                 data_format: str | None = None, seed: int | None = None, **kwargs):
        check_value_range("RandomColorDegeneration", value_range)
        super().__init__(factor=factor, data_format=data_format, **kwargs)
        self.value_range = sorted(value_range)
        self._set_seed(seed)

    def transform(self, images: torch.Tensor, training: bool) -> torch.Tensor:
        if not training:
            return images
        images = self._cast(images)
        f = self._uniform((images.shape[0], 1, 1, 1), self.factor[0], self.factor[1], images)
        gray = grayscale(images, channel_axis(self.data_format))
        out = blend(images, gray, f.to(images.dtype))
        return out.clamp(self.value_range[0], self.value_range[1])

    def get_config(self) -> dict:
        return {**super().get_config(), "factor": self.factor,
                "value_range": self.value_range, "seed": self.seed}
