"""RandomSharpness: blends each image with a smoothed copy by a random factor."""
from __future__ import annotations

import torch
import torch.nn.functional as F

from torchkeras.layers.preprocessing.base_image_layer import BaseImageLayer
from torchkeras.layers.preprocessing.color_utils import blend, check_value_range


class RandomSharpness(BaseImageLayer):
    """Sharpens or blurs each image by its own random factor while training.

    The image is smoothed by the 3x3 kernel ``[[1, 1, 1], [1, 5, 1], [1, 1, 1]] / 13``
    (zero padding); ``out = x + (1 - s) * (smooth - x)`` with ``s = 2 * U(lower, upper)``
    (``s < 1`` blurs, ``s > 1`` sharpens), clipped to ``value_range``. Identity (after the
    cast to the compute dtype) at inference.

    Args:
        factor: ``f`` for ``(0, f)`` or a pair ``(lower, upper)`` in ``[0, 1]``.
        value_range: ``(min, max)`` of the pixel values. Defaults to ``(0, 255)``.
        data_format: ``"channels_last"`` (default from config) or ``"channels_first"``.
        seed: Integer seed for a private random stream (else torch's global RNG).

    Example:
        >>> y = RandomSharpness((0.8, 0.8))(torch.rand(2, 8, 8, 3) * 255)
    """

    _PRESERVES_GEOMETRY = True  # colour only: boxes and masks pass through
    _FACTOR_BOUNDS = (0, 1)

    def __init__(self, factor: float | tuple, value_range: tuple | list = (0, 255),
                 data_format: str | None = None, seed: int | None = None, **kwargs):
        check_value_range("RandomSharpness", value_range)
        super().__init__(data_format=data_format, **kwargs)
        self._set_factor(factor)
        self.value_range = sorted(value_range)
        self._set_seed(seed)

    def transform(self, images: torch.Tensor, training: bool) -> torch.Tensor:
        if not training:
            return images
        s = self._uniform((images.shape[0], 1, 1, 1), self.factor[0], self.factor[1],
                          images) * 2
        x = self._to_nchw(images)
        c = x.shape[1]
        # Built on the device (no host-to-device copy per call).
        kernel = torch.full((3, 3), 1.0 / 13.0, dtype=x.dtype, device=x.device)
        kernel[1, 1] = 5.0 / 13.0
        kernel = kernel.expand(c, 1, 3, 3)
        smooth = self._from_nchw(F.conv2d(x, kernel, padding=1, groups=c))
        out = blend(images, smooth, (1.0 - s).to(images.dtype))
        return out.clamp(self.value_range[0], self.value_range[1])

    def get_config(self) -> dict:
        return {**super().get_config(), "factor": self.factor,
                "value_range": self.value_range, "seed": self.seed}
