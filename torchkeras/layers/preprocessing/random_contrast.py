"""RandomContrast: scales each image's deviation from its mean by a random factor."""
from __future__ import annotations

import torch

from torchkeras.layers.preprocessing.base_image_layer import BaseImageLayer


def check_value_range(layer_name: str, value_range) -> None:
    if not isinstance(value_range, (tuple, list)) or len(value_range) != 2:
        raise ValueError("%s: the `value_range` argument should be a list of two numbers. "
                         "Received: value_range=%r" % (layer_name, value_range))


class RandomContrast(BaseImageLayer):
    """Adjusts the contrast of each image by its own random factor (identity at inference).

    Per image and channel, ``out = (x - mean) * c + mean`` with ``mean`` over the pixels
    and ``c ~ U(1 - lower, 1 + upper)``, then clipped to ``value_range``.

    Args:
        factor: ``f`` or ``(lower, upper)`` in ``[0, 1]`` (as in Keras a single ``f`` gives
            the range ``(0, f)``, i.e. contrast factors in ``[1, 1 + f]``).
        value_range: ``(min, max)`` of the pixel values; outputs are clipped to it.
        seed: Integer seed for a private random stream (else torch's global RNG).

    Example:
        >>> y = RandomContrast(0.2)(torch.rand(8, 32, 32, 3) * 255, training=True)
    """

    _USE_BASE_FACTOR = True
    _FACTOR_BOUNDS = (0, 1)
    _CAST_INPUTS = False

    _PRESERVES_GEOMETRY = True   # boxes and masks pass through, as in Keras

    def __init__(self, factor, value_range=(0, 255), seed: int | None = None, **kwargs):
        super().__init__(factor=factor, **kwargs)
        check_value_range("RandomContrast", value_range)
        self.value_range = value_range
        self._set_seed(seed)

    def transform(self, images: torch.Tensor, training: bool) -> torch.Tensor:
        if not training:
            return images
        images = self._cast(images)
        lower, upper = self.factor
        c = self._uniform((images.shape[0], 1, 1, 1), 1.0 - lower, 1.0 + upper, images)
        mean = images.mean(dim=self._hw_axes, keepdim=True)
        out = torch.lerp(mean, images, c.to(images.dtype))
        return out.clamp_(self.value_range[0], self.value_range[1])

    def get_config(self) -> dict:
        return {**super().get_config(), "factor": self.factor,
                "value_range": self.value_range, "seed": self.seed}
