"""RandomZoom: zooms each image in or out by a random factor while training."""
from __future__ import annotations

import torch

from torchkeras.layers.preprocessing.affine import check_fill_and_interpolation
from torchkeras.layers.preprocessing.base_affine_layer import BaseAffineLayer
from torchkeras.layers.preprocessing.base_image_layer import parse_range


class RandomZoom(BaseAffineLayer):
    """Zooms each image about its centre by its own random factor (identity at inference).

    The sampled extent is ``1 + U(lower, upper)`` times the image: positive factors zoom
    out, negative ones zoom in. Without ``width_factor`` the aspect ratio is kept.

    Args:
        height_factor: ``f`` for ``[-f, f]`` or ``(lower, upper)``, in ``(-1, 1]``.
        width_factor: Same for the width, or ``None`` to reuse the height's draw.
        fill_mode: ``"reflect"``, ``"wrap"``, ``"constant"`` or ``"nearest"``.
        interpolation: ``"bilinear"`` or ``"nearest"``.
        seed: Integer seed for a private random stream (else torch's global RNG).
        fill_value: Value outside the image with ``fill_mode="constant"``.
        data_format: ``"channels_last"`` (default from config) or ``"channels_first"``.
        **kwargs: ``bounding_box_format`` for dict inputs: boxes (and segmentation masks)
            follow the same warp.

    Example:
        >>> zoom = RandomZoom(0.2)
        >>> y = zoom(torch.rand(8, 32, 32, 3), training=True)
    """

    def __init__(self, height_factor, width_factor=None, fill_mode: str = "reflect",
                 interpolation: str = "bilinear", seed: int | None = None,
                 fill_value: float = 0.0, data_format: str | None = None, **kwargs):
        super().__init__(data_format=data_format, **kwargs)
        self.height_lower, self.height_upper = parse_range(
            "RandomZoom", "height_factor", height_factor, -1.0, 1.0, low_inclusive=False)
        if width_factor is not None:
            self.width_lower, self.width_upper = parse_range(
                "RandomZoom", "width_factor", width_factor, -1.0, 1.0, low_inclusive=False)
        check_fill_and_interpolation("RandomZoom", fill_mode, interpolation)
        self.height_factor = height_factor
        self.width_factor = width_factor
        self.fill_mode = fill_mode
        self.fill_value = fill_value
        self.interpolation = interpolation
        self._set_seed(seed)

    def get_random_transformation(self, images: torch.Tensor, training: bool):
        still = self.height_lower == self.height_upper == 0 and (
            self.width_factor is None or self.width_lower == self.width_upper == 0)
        if not training or still:
            return None
        b = images.shape[0]
        zy = self._uniform((b,), 1.0 + self.height_lower, 1.0 + self.height_upper, images)
        zx = zy if self.width_factor is None else self._uniform(
            (b,), 1.0 + self.width_lower, 1.0 + self.width_upper, images)
        zero = torch.zeros_like(zy)
        # Zoom about the centre is a pure scale in normalized coordinates.
        return torch.stack([zx, zero, zero, zero, zy, zero], dim=1).view(b, 2, 3)

    def get_config(self) -> dict:
        return {**super().get_config(), "height_factor": self.height_factor,
                "width_factor": self.width_factor, "fill_mode": self.fill_mode,
                "interpolation": self.interpolation, "seed": self.seed,
                "fill_value": self.fill_value, "data_format": self.data_format}
