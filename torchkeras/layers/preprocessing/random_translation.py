"""RandomTranslation: shifts each image by a random fraction of its size while training."""
from __future__ import annotations

import torch

from torchkeras.layers.preprocessing.affine import check_fill_and_interpolation
from torchkeras.layers.preprocessing.base_affine_layer import BaseAffineLayer
from torchkeras.layers.preprocessing.base_image_layer import parse_range


class RandomTranslation(BaseAffineLayer):
    """Translates each image by its own random offset (identity at inference).

    Offsets are ``U(lower, upper) * height`` rows and ``U(lower, upper) * width`` columns,
    drawn per image on the device; the images are resampled in one ``F.grid_sample``
    with Keras's fill modes.

    Args:
        height_factor: ``f`` for ``[-f, f]`` or ``(lower, upper)``, fractions of the height
            in ``[-1, 1]``; positive values shift down.
        width_factor: Same for the width; positive values shift right.
        fill_mode: ``"reflect"``, ``"wrap"``, ``"constant"`` or ``"nearest"``.
        interpolation: ``"bilinear"`` or ``"nearest"``.
        seed: Integer seed for a private random stream (else torch's global RNG).
        fill_value: Value outside the image with ``fill_mode="constant"``.
        data_format: ``"channels_last"`` (default from config) or ``"channels_first"``.
        **kwargs: ``bounding_box_format`` for dict inputs: boxes (and segmentation masks)
            follow the same warp.

    Example:
        >>> shift = RandomTranslation(0.1, 0.1, fill_mode="constant")
        >>> y = shift(torch.rand(8, 32, 32, 3), training=True)
    """

    def __init__(self, height_factor, width_factor, fill_mode: str = "reflect",
                 interpolation: str = "bilinear", seed: int | None = None,
                 fill_value: float = 0.0, data_format: str | None = None, **kwargs):
        super().__init__(data_format=data_format, **kwargs)
        self.height_lower, self.height_upper = parse_range(
            "RandomTranslation", "height_factor", height_factor, -1.0, 1.0)
        self.width_lower, self.width_upper = parse_range(
            "RandomTranslation", "width_factor", width_factor, -1.0, 1.0)
        check_fill_and_interpolation("RandomTranslation", fill_mode, interpolation)
        self.height_factor = height_factor
        self.width_factor = width_factor
        self.fill_mode = fill_mode
        self.fill_value = fill_value
        self.interpolation = interpolation
        self._set_seed(seed)

    def get_random_transformation(self, images: torch.Tensor, training: bool):
        if not training or (self.height_lower == self.height_upper == 0
                            and self.width_lower == self.width_upper == 0):
            return None
        b = images.shape[0]
        dx = self._uniform((b, 1), self.width_lower, self.width_upper, images)
        dy = self._uniform((b, 1), self.height_lower, self.height_upper, images)
        # A shift of f * size pixels is -2 f in affine_grid's normalized coordinates.
        theta = torch.eye(2, 3, device=images.device).repeat(b, 1, 1)
        theta[:, :, 2] = torch.cat([dx, dy], dim=1).mul_(-2.0)
        return theta

    def get_config(self) -> dict:
        return {**super().get_config(), "height_factor": self.height_factor,
                "width_factor": self.width_factor, "fill_mode": self.fill_mode,
                "interpolation": self.interpolation, "seed": self.seed,
                "fill_value": self.fill_value, "data_format": self.data_format}
