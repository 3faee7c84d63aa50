"""Cropping1D: removes steps at the start and end of sequences."""
from __future__ import annotations

from torchkeras.layers.reshaping.arguments import standardize_tuple
from torchkeras.layers.reshaping.cropping_base import BaseCropping


class Cropping1D(BaseCropping):
    """Crops a ``(batch, steps, features)`` input along the steps axis (a view).

    Args:
        cropping: Int (both ends) or pair ``(start, end)`` of steps to remove.

    Example:
        >>> Cropping1D((1, 1))(torch.ones(2, 5, 3)).shape
        torch.Size([2, 3, 3])
    """

    rank = 1

    def __init__(self, cropping=(1, 1), **kwargs):
        self.cropping = standardize_tuple(cropping, 2, "cropping", allow_zero=True)
        super().__init__((self.cropping,), "channels_last", **kwargs)

    def get_config(self) -> dict:
        config = super().get_config()
        config.pop("data_format")   # Cropping1D is always (batch, steps, features)
        return config
