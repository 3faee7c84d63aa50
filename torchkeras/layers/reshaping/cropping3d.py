"""Cropping3D: removes borders of volumes."""
from __future__ import annotations

from torchkeras.layers.reshaping.arguments import standardize_pairs
from torchkeras.layers.reshaping.cropping_base import BaseCropping


class Cropping3D(BaseCropping):
    """Crops the three spatial axes of volumes (a view, no copy).

    Args:
        cropping: Int, 3 ints (symmetric per axis) or 3 pairs ``(before, after)``.
        data_format: ``"channels_last"`` (default from config) or ``"channels_first"``.

    Example:
        >>> Cropping3D(1)(torch.ones(1, 4, 4, 4, 2)).shape
        torch.Size([1, 2, 2, 2, 2])
    """

    rank = 3

    def __init__(self, cropping=((1, 1), (1, 1), (1, 1)), data_format: str | None = None,
                 **kwargs):
        self.cropping = standardize_pairs(cropping, 3, "cropping", "Cropping3D")
        super().__init__(self.cropping, data_format, **kwargs)
