"""RandomShear: shears each image along x and y by random amounts."""
from __future__ import annotations

import torch

from torchkeras.layers.preprocessing.affine import check_fill_and_interpolation, pixel_matrix_to_theta
from torchkeras.layers.preprocessing.base_affine_layer import BaseAffineLayer
from torchkeras.layers.preprocessing.color_utils import unit_factor


class RandomShear(BaseAffineLayer):
    """Shears each image by its own random factors while training (identity at inference).

    Output pixel ``(x, y)`` samples the input at ``(x + sx * y, sy * x + y)`` — a shear
    about the top-left corner, as in Keras — with ``sx ~ U(x_factor)``,
    ``sy ~ U(y_factor)`` and one random sign per image for both. The images are resampled
    in one ``F.grid_sample`` with Keras's fill modes; masks and bounding boxes of dict inputs
    follow the same shear.

    Args:
        x_factor: ``f`` for ``(-f, f)`` or a pair, in ``[0, 1]``. Defaults to 0.
        y_factor: Same for the vertical shear. Defaults to 0.
        interpolation: ``"bilinear"`` or ``"nearest"``.
        fill_mode: ``"reflect"``, ``"wrap"``, ``"constant"`` or ``"nearest"``.
        fill_value: Value outside the image with ``fill_mode="constant"``.
        data_format: ``"channels_last"`` (default from config) or ``"channels_first"``.
        seed: Integer seed for a private random stream (else torch's global RNG).

    Example:
        >>> y = RandomShear(x_factor=0.2, y_factor=0.2)(torch.rand(8, 32, 32, 3))
    """

    def __init__(self, x_factor: float | tuple = 0.0, y_factor: float | tuple = 0.0,
                 interpolation: str = "bilinear", fill_mode: str = "reflect",
                 fill_value: float = 0.0, data_format: str | None = None, seed: int | None = None,
                 **kwargs):
        x_range = unit_factor("RandomShear", "x_factor", x_factor, True)
        y_range = unit_factor("RandomShear", "y_factor", y_factor, True)
        check_fill_and_interpolation("RandomShear", fill_mode, interpolation)
        super().__init__(data_format=data_format, **kwargs)
        self.x_factor = x_range
        self.y_factor = y_range
        self.fill_mode = fill_mode
        self.fill_value = fill_value
        self.interpolation = interpolation
        self._set_seed(seed)

    def get_random_transformation(self, images: torch.Tensor, training: bool):
        if not training:
            return None
        b = images.shape[0]
        h, w = self._hw(images)
        sign = torch.where(self._uniform((b,), 0.0, 1.0, images) > 0.5, -1.0, 1.0)
        sy = self._uniform((b,), self.y_factor[0], self.y_factor[1], images) * sign
        sx = self._uniform((b,), self.x_factor[0], self.x_factor[1], images) * sign
        one, zero = torch.ones_like(sx), torch.zeros_like(sx)
        matrix = torch.stack([one, sx, zero, sy, one, zero], dim=1)
        return pixel_matrix_to_theta(matrix, h, w)

    def get_config(self) -> dict:
        return {**super().get_config(), "x_factor": self.x_factor, "y_factor": self.y_factor,
                "fill_mode": self.fill_mode, "interpolation": self.interpolation,
                "seed": self.seed, "fill_value": self.fill_value,
                "data_format": self.data_format}
