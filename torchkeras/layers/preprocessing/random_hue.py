"""RandomHue: rotates each image's hue by a random amount."""
from __future__ import annotations

import torch

from torchkeras.layers.preprocessing.base_image_layer import BaseImageLayer
from torchkeras.layers.preprocessing.color_utils import channel_axis, check_value_range, rescale
from torchkeras.ops.image import hsv_to_rgb, rgb_to_hsv


class RandomHue(BaseImageLayer):
    """Shifts the hue of each image by ``±U(lower, upper) / 2`` of a turn while training.

    Images are mapped to ``[0, 1]``, converted to HSV, their hue shifted (wrapped into
    ``[0, 1]``) and converted back, clipped to ``[0, 1]`` and mapped back to
    ``value_range``. The sign of the shift is a fair coin per image. Identity at inference.

    Args:
        factor: ``f`` for ``(0, f)`` or a pair ``(lower, upper)`` in ``[0, 1]``.
        value_range: ``(min, max)`` of the pixel values. Defaults to ``(0, 255)``.
        data_format: ``"channels_last"`` (default from config) or ``"channels_first"``.
        seed: Integer seed for a private random stream (else torch's global RNG).

    Example:
        >>> y = RandomHue(0.2, value_range=(0, 1))(torch.rand(2, 8, 8, 3), training=True)
    """

    _PRESERVES_GEOMETRY = True  # colour only: boxes and masks pass through
    _USE_BASE_FACTOR = True
    _FACTOR_BOUNDS = (0, 1)
    _CAST_INPUTS = False

    def __init__(self, factor: float | tuple, value_range: tuple | list = (0, 255),
                 data_format: str | None = None, seed: int | None = None, **kwargs):
        check_value_range("RandomHue", value_range)
        super().__init__(factor=factor, data_format=data_format, **kwargs)
        self.value_range = value_range
        self._set_seed(seed)

    def transform(self, images: torch.Tensor, training: bool) -> torch.Tensor:
        if not training:
            return images
        images = rescale(self._cast(images), self.value_range, (0, 1))
        b = images.shape[0]
        sign = torch.where(self._uniform((b,), 0.0, 1.0, images) > 0.5, -1.0, 1.0)
        delta = sign * self._uniform((b,), self.factor[0], self.factor[1], images) * 0.5
        delta = delta.to(images.dtype).view(b, 1, 1)
        axis = channel_axis(self.data_format)
        h, s, v = rgb_to_hsv(images, data_format=self.data_format).unbind(axis)
        h = h + delta
        h = torch.where(h > 1.0, h - 1.0, h)
        h = torch.where(h < 0.0, h + 1.0, h)
        out = hsv_to_rgb(torch.stack([h, s, v], dim=axis), data_format=self.data_format)
        return rescale(out.clamp(0, 1), (0, 1), self.value_range)

    def get_config(self) -> dict:
        return {**super().get_config(), "factor": self.factor,
                "value_range": self.value_range, "seed": self.seed}
