"""RandomSaturation: scales each image's HSV saturation by a random factor."""
from __future__ import annotations

import torch

from torchkeras.layers.preprocessing.base_image_layer import BaseImageLayer
from torchkeras.layers.preprocessing.color_utils import EPSILON, channel_axis, check_value_range
from torchkeras.ops.image import hsv_to_rgb, rgb_to_hsv


class RandomSaturation(BaseImageLayer):
    """Multiplies the saturation of each image by its own random factor while training.

    Per image ``f ~ U(lower, upper)`` becomes the multiplier ``f / (1 - f + 1e-7)``
    (``f = 0.5`` keeps the saturation, ``f -> 1`` saturates fully, ``f <= 0`` gives
    grayscale); the scaled saturation is clipped to ``value_range``. As in Keras, the
    HSV conversion runs on the raw pixel values. Identity at inference.

    Args:
        factor: ``f`` for ``(-f, f)`` or a pair ``(lower, upper)`` in ``[-1, 1]``.
        value_range: ``(min, max)`` of the pixel values. Defaults to ``(0, 255)``.
        data_format: ``"channels_last"`` (default from config) or ``"channels_first"``.
        seed: Integer seed for a private random stream (else torch's global RNG).

    Example:
        >>> y = RandomSaturation((0.8, 0.8), value_range=(0, 1))(torch.rand(2, 8, 8, 3))
    """

    _PRESERVES_GEOMETRY = True  # colour only: boxes and masks pass through
    _USE_BASE_FACTOR = True
    _CAST_INPUTS = False

    def __init__(self, factor: float | tuple, value_range: tuple | list = (0, 255),
                 data_format: str | None = None, seed: int | None = None, **kwargs):
        check_value_range("RandomSaturation", value_range)
        super().__init__(factor=factor, data_format=data_format, **kwargs)
        self.value_range = sorted(value_range)
        self._set_seed(seed)

    def transform(self, images: torch.Tensor, training: bool) -> torch.Tensor:
        if not training:
            return images
        images = self._cast(images)
        f = self._uniform((images.shape[0], 1, 1), self.factor[0], self.factor[1], images)
        f = (f / (1 - f + EPSILON)).to(images.dtype)
        axis = channel_axis(self.data_format)
        h, s, v = rgb_to_hsv(images, data_format=self.data_format).unbind(axis)
        s = (s * f).clamp(self.value_range[0], self.value_range[1])
        return hsv_to_rgb(torch.stack([h, s, v], dim=axis), data_format=self.data_format)

    def get_config(self) -> dict:
        return {**super().get_config(), "factor": self.factor,
                "value_range": self.value_range, "seed": self.seed}
