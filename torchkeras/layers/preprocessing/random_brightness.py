"""RandomBrightness: adds a random offset to each image while training."""
from __future__ import annotations

import torch

from torchkeras.layers.preprocessing.base_image_layer import BaseImageLayer
from torchkeras.layers.preprocessing.random_contrast import check_value_range


class RandomBrightness(BaseImageLayer):
    """Shifts each image's brightness by its own random delta (identity at inference).

    ``delta ~ U(lower, upper) * (max - min)`` of ``value_range`` is added to every pixel
    and channel of the image; the result is clipped to ``value_range``.

    Args:
        factor: ``f`` for ``[-f, f]`` or ``(lower, upper)`` in ``[-1, 1]``.
        value_range: ``(min, max)`` of the pixel values.
        seed: Integer seed for a private random stream (else torch's global RNG).

    Example:
        >>> y = RandomBrightness(0.2, value_range=(0, 1))(torch.rand(8, 32, 32, 3))
    """

    _USE_BASE_FACTOR = True
    _CAST_INPUTS = False

    _PRESERVES_GEOMETRY = True   # boxes and masks pass through, as in Keras

    def __init__(self, factor, value_range=(0, 255), seed: int | None = None, **kwargs):
        super().__init__(factor=factor, **kwargs)
        check_value_range("RandomBrightness", value_range)
        self.value_range = sorted(value_range)
        self._set_seed(seed)

    def transform(self, images: torch.Tensor, training: bool) -> torch.Tensor:
        if not training:
            return images
        images = self._cast(images)
        lo, hi = self.value_range
        span = hi - lo
        delta = self._uniform((images.shape[0], 1, 1, 1), self.factor[0] * span,
                              self.factor[1] * span, images)
        return (images + delta.to(images.dtype)).clamp_(lo, hi)

    def get_config(self) -> dict:
        return {**super().get_config(), "factor": self.factor,
                "value_range": self.value_range, "seed": self.seed}
