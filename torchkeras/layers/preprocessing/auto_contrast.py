"""AutoContrast: stretches each image's channels to the full value range."""
from __future__ import annotations

import torch

from torchkeras.layers.preprocessing.base_image_layer import BaseImageLayer
from torchkeras.layers.preprocessing.color_utils import check_value_range, rescale


class AutoContrast(BaseImageLayer):
    """Maps each image's per-channel ``[min, max]`` to the whole ``value_range``.

    Deterministic, and applied in training and at inference alike (as in Keras). A flat
    channel (``max == min``) is returned unchanged. Outputs are in the compute dtype.

    Args:
        value_range: ``(min, max)`` of the pixel values. Defaults to ``(0, 255)``.
        data_format: ``"channels_last"`` (default from config) or ``"channels_first"``.

    Example:
        >>> y = AutoContrast(value_range=(0, 1))(torch.rand(2, 8, 8, 3) * 0.5)
    """

    _PRESERVES_GEOMETRY = True  # colour only: boxes and masks pass through

    def __init__(self, value_range: tuple | list = (0, 255), **kwargs):
        check_value_range("AutoContrast", value_range)
        super().__init__(**kwargs)
        self.value_range = sorted(value_range)

    def transform(self, images: torch.Tensor, training: bool) -> torch.Tensor:
        x = rescale(images, self.value_range, (0, 255))
        axes = self._hw_axes
        low = x.amin(dim=axes, keepdim=True)
        high = x.amax(dim=axes, keepdim=True)
        scale = 255.0 / (high - low)
        offset = -low * scale
        out = (x * scale + offset).clamp(0.0, 255.0)
        out = rescale(out, (0, 255), self.value_range)
        # A flat channel gives 0 * inf = nan above: such channels keep their input.
        return torch.where(torch.isnan(out), images, out)

    def get_config(self) -> dict:
        return {**super().get_config(), "value_range": self.value_range}
