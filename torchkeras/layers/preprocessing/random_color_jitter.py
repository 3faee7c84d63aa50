"""RandomColorJitter: random brightness, contrast, saturation and hue, in that order."""
from __future__ import annotations

import torch

from torchkeras.layers.preprocessing.base_image_layer import BaseImageLayer
from torchkeras.layers.preprocessing.color_utils import check_value_range
from torchkeras.layers.preprocessing.random_brightness import RandomBrightness
from torchkeras.layers.preprocessing.random_contrast import RandomContrast
from torchkeras.layers.preprocessing.random_hue import RandomHue
from torchkeras.layers.preprocessing.random_saturation import RandomSaturation


class RandomColorJitter(BaseImageLayer):
    """Chains RandomBrightness, RandomContrast, RandomSaturation and RandomHue while
    training; each runs only if its factor is given. Identity at inference.

    The inner layers draw from this layer's random stream, so one ``seed`` makes the
    whole chain reproducible.

    Args:
        value_range: ``(min, max)`` of the pixel values. Defaults to ``(0, 255)``.
        brightness_factor: ``factor`` of RandomBrightness, or None to skip it.
        contrast_factor: ``factor`` of RandomContrast, or None to skip it.
        saturation_factor: ``factor`` of RandomSaturation, or None to skip it.
        hue_factor: ``factor`` of RandomHue, or None to skip it.
        seed: Integer seed for a private random stream (else torch's global RNG).
        data_format: ``"channels_last"`` (default from config) or ``"channels_first"``.

    Example:
        >>> jitter = RandomColorJitter(value_range=(0, 1), brightness_factor=0.2,
        ...                            hue_factor=0.1)
        >>> y = jitter(torch.rand(8, 32, 32, 3), training=True)
    """

    _PRESERVES_GEOMETRY = True  # colour only: boxes and masks pass through
    _CAST_INPUTS = False

    def __init__(self, value_range: tuple | list = (0, 255),
                 brightness_factor: float | tuple | None = None,
                 contrast_factor: float | tuple | None = None,
                 saturation_factor: float | tuple | None = None,
                 hue_factor: float | tuple | None = None, seed: int | None = None,
                 data_format: str | None = None, **kwargs):
        check_value_range("RandomColorJitter", value_range)
        super().__init__(data_format=data_format, **kwargs)
        self.value_range = value_range
        self.brightness_factor = brightness_factor
        self.contrast_factor = contrast_factor
        self.saturation_factor = saturation_factor
        self.hue_factor = hue_factor
        self._set_seed(seed)
        common = {"value_range": value_range, "seed": seed, "data_format": self.data_format,
                  "dtype": self.dtype_policy}
        self.random_brightness = (None if brightness_factor is None else
                                  RandomBrightness(brightness_factor, **common))
        self.random_contrast = (None if contrast_factor is None else
                                RandomContrast(contrast_factor, **common))
        self.random_saturation = (None if saturation_factor is None else
                                  RandomSaturation(saturation_factor, **common))
        self.random_hue = None if hue_factor is None else RandomHue(hue_factor, **common)
        self._steps = [layer for layer in (self.random_brightness, self.random_contrast,
                                           self.random_saturation, self.random_hue)
                       if layer is not None]
        for layer in self._steps:
            # One stream for the chain, as Keras draws every step from the jitter's seed.
            layer._rng = self._rng

    def transform(self, images: torch.Tensor, training: bool) -> torch.Tensor:
        if not training:
            return images
        images = self._cast(images)
        for layer in self._steps:
            images = self._cast(layer.transform(images, True))
        return images

    def get_config(self) -> dict:
        return {**super().get_config(), "value_range": self.value_range,
                "brightness_factor": self.brightness_factor,
                "contrast_factor": self.contrast_factor,
                "saturation_factor": self.saturation_factor, "hue_factor": self.hue_factor,
                "seed": self.seed}
