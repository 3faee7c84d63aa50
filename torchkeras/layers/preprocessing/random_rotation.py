"""RandomRotation: rotates each image by a random angle while training."""
from __future__ import annotations

import math

import torch

from torchkeras.layers.preprocessing.affine import check_fill_and_interpolation
from torchkeras.layers.preprocessing.base_affine_layer import BaseAffineLayer


class RandomRotation(BaseAffineLayer):
    """Rotates each image about its centre by its own random angle (identity at inference).

    Angles are ``U(lower, upper) * 360`` degrees, drawn per image on the device;
    positive angles turn counter-clockwise. The images are resampled in one
    ``F.grid_sample`` with Keras's fill modes.

    Args:
        factor: ``f`` for ``[-f, f]`` or ``(lower, upper)``, fractions of a full turn.
        fill_mode: ``"reflect"``, ``"wrap"``, ``"constant"`` or ``"nearest"``.
        interpolation: ``"bilinear"`` or ``"nearest"``.
        seed: Integer seed for a private random stream (else torch's global RNG).
        fill_value: Value outside the image with ``fill_mode="constant"``.
        data_format: ``"channels_last"`` (default from config) or ``"channels_first"``.
        **kwargs: ``bounding_box_format`` for dict inputs: boxes (and segmentation masks)
            follow the same warp.

    Example:
        >>> rot = RandomRotation(0.1, fill_mode="constant")
        >>> y = rot(torch.rand(8, 32, 32, 3), training=True)
    """

    _USE_BASE_FACTOR = True

    def __init__(self, factor, fill_mode: str = "reflect", interpolation: str = "bilinear",
                 seed: int | None = None, fill_value: float = 0.0,
                 data_format: str | None = None, **kwargs):
        super().__init__(factor=factor, data_format=data_format, **kwargs)
        check_fill_and_interpolation("RandomRotation", fill_mode, interpolation)
        self.fill_mode = fill_mode
        self.interpolation = interpolation
        self.fill_value = fill_value
        self._set_seed(seed)

    def get_random_transformation(self, images: torch.Tensor, training: bool):
        lower, upper = self.factor
        if not training or lower == upper == 0:
            return None
        b = images.shape[0]
        h, w = self._hw(images)
        angle = self._uniform((b,), lower * 2 * math.pi, upper * 2 * math.pi, images)
        cos, sin = torch.cos(angle), torch.sin(angle)
        zero = torch.zeros_like(cos)
        # Rotation about the centre, in normalized coordinates (aspect ratio folded in).
        theta = torch.stack([cos, sin * (-h / w), zero, sin * (w / h), cos, zero], dim=1)
        return theta.view(b, 2, 3)

    def get_config(self) -> dict:
        return {**super().get_config(), "factor": self.factor, "data_format": self.data_format,
                "fill_mode": self.fill_mode, "fill_value": self.fill_value,
                "interpolation": self.interpolation, "seed": self.seed}
