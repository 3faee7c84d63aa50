"""RandAugment: applies ``num_ops`` operations picked at random from a fixed list."""
from __future__ import annotations

import torch

from torchkeras.layers.preprocessing.auto_contrast import AutoContrast
from torchkeras.layers.preprocessing.base_image_layer import BaseImageLayer
from torchkeras.layers.preprocessing.color_utils import (check_positive_int, check_value_range,
                                                         host_generator)
from torchkeras.layers.preprocessing.equalization import Equalization
from torchkeras.layers.preprocessing.random_brightness import RandomBrightness
from torchkeras.layers.preprocessing.random_color_degeneration import RandomColorDegeneration
from torchkeras.layers.preprocessing.random_contrast import RandomContrast
from torchkeras.layers.preprocessing.random_posterization import RandomPosterization
from torchkeras.layers.preprocessing.random_rotation import RandomRotation
from torchkeras.layers.preprocessing.random_sharpness import RandomSharpness
from torchkeras.layers.preprocessing.random_shear import RandomShear
from torchkeras.layers.preprocessing.random_translation import RandomTranslation
from torchkeras.layers.preprocessing.solarization import Solarization

AUGMENT_LAYERS = ("random_shear", "random_translation", "random_rotation", "random_brightness",
                  "random_color_degeneration", "random_contrast", "random_sharpness",
                  "random_posterization", "solarization", "auto_contrast", "equalization")


def build_augmenters(owner: BaseImageLayer, names, factor: tuple, value_range, interpolation: str,
                     seed, data_format: str) -> None:
    """Creates the named augmentation layers as attributes of ``owner`` (the RandAugment /
    AugMix operation set, all with the same ``factor`` range) drawing from its stream."""
    common = {"seed": seed, "data_format": data_format, "dtype": owner.dtype_policy}
    colour = dict(common, value_range=value_range)
    makers = {
        "random_shear": lambda: RandomShear(factor, factor, interpolation=interpolation,
                                            **common),
        "random_translation": lambda: RandomTranslation(factor, factor,
                                                        interpolation=interpolation, **common),
        "random_rotation": lambda: RandomRotation(factor, interpolation=interpolation,
                                                  **common),
        "random_brightness": lambda: RandomBrightness(factor, **colour),
        "random_color_degeneration": lambda: RandomColorDegeneration(factor, **colour),
        "random_contrast": lambda: RandomContrast(factor, **colour),
        "random_sharpness": lambda: RandomSharpness(factor, **colour),
        "random_posterization": lambda: RandomPosterization(max(1, int(8 * factor[1])),
                                                            **colour),
        "solarization": lambda: Solarization(factor, factor, **colour),
        "auto_contrast": lambda: AutoContrast(value_range, data_format=data_format,
                                              dtype=owner.dtype_policy),
        "equalization": lambda: Equalization(value_range, data_format=data_format,
                                             dtype=owner.dtype_policy),
    }
    for name in names:
        layer = makers[name]()
        # One stream for every operation: a seeded owner repeats its whole pipeline.
        layer._rng = owner._rng
        setattr(owner, name, layer)


class RandAugment(BaseImageLayer):
    """RandAugment (Cubuk et al., 2019) while training; identity at inference.

    Each call picks ``num_ops`` operations (with repetition, one pick for the whole batch
    as in Keras) among shear, translation, rotation, brightness, colour degeneration,
    contrast, sharpness, posterization, solarization, auto-contrast and equalization,
    all built with the ``factor`` range; each operation then draws its own per-image
    parameters. Picks happen on the host, the work on the images' device.

    Args:
        value_range: ``(min, max)`` of the pixel values. Defaults to ``(0, 255)``.
        num_ops: Number of operations per call. Defaults to 2.
        factor: Strength: ``f`` for ``(0, f)`` or a pair in ``[0, 1]``. Defaults to 0.5.
        interpolation: ``"bilinear"`` or ``"nearest"`` for the geometric operations.
        seed: Integer seed for a private random stream (else torch's global RNG).
        data_format: ``"channels_last"`` (default from config) or ``"channels_first"``.

    Example:
        >>> aug = RandAugment(value_range=(0, 1), num_ops=2, factor=0.3)
        >>> y = aug(torch.rand(8, 32, 32, 3), training=True)
    """

    _FACTOR_BOUNDS = (0, 1)

    def __init__(self, value_range: tuple | list = (0, 255), num_ops: int = 2,
                 factor: float | tuple = 0.5, interpolation: str = "bilinear",
                 seed: int | None = None, data_format: str | None = None, **kwargs):
        check_value_range("RandAugment", value_range)
        check_positive_int("RandAugment", "num_ops", num_ops, allow_zero=True)
        super().__init__(data_format=data_format, **kwargs)
        self._set_factor(factor)
        self.value_range = value_range
        self.num_ops = num_ops
        self.interpolation = interpolation
        self._set_seed(seed)
        build_augmenters(self, AUGMENT_LAYERS, self.factor, value_range, interpolation, seed,
                         self.data_format)

    def transform(self, images: torch.Tensor, training: bool) -> torch.Tensor:
        if not training or self.num_ops == 0:
            return images
        picks = torch.randint(0, len(AUGMENT_LAYERS), (self.num_ops,),
                              generator=host_generator(self._rng)).tolist()
        for i in picks:
            images = self._cast(getattr(self, AUGMENT_LAYERS[i]).transform(images, True))
        return images

    def get_config(self) -> dict:
        return {**super().get_config(), "value_range": self.value_range,
                "num_ops": self.num_ops, "factor": self.factor,
                "interpolation": self.interpolation, "seed": self.seed}
