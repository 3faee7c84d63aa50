"""Cropping2D: removes rows and columns at the borders of images."""
from __future__ import annotations

from torchkeras.layers.reshaping.arguments import standardize_pairs
from torchkeras.layers.reshaping.cropping_base import BaseCropping


class Cropping2D(BaseCropping):
    """Crops images along height and width (a view, no copy).

    Args:
        cropping: Int, ``(sym_height, sym_width)`` or ``((top, bottom), (left, right))``.
        data_format: ``"channels_last"`` (default from config) or ``"channels_first"``.

    Example:
        >>> Cropping2D(((1, 1), (2, 2)))(torch.ones(1, 28, 28, 3)).shape
        torch.Size([1, 26, 24, 3])
    """

    rank = 2

    def __init__(self, cropping=((0, 0), (0, 0)), data_format: str | None = None, **kwargs):
        self.cropping = standardize_pairs(cropping, 2, "cropping", "Cropping2D")
        super().__init__(self.cropping, data_format, **kwargs)
