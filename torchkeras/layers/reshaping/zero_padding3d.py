"""ZeroPadding3D: zeros around volumes."""
from __future__ import annotations

from torchkeras.layers.reshaping.arguments import standardize_pairs
from torchkeras.layers.reshaping.zero_padding_base import BaseZeroPadding


class ZeroPadding3D(BaseZeroPadding):
    """Adds zeros around the three spatial axes of volumes.

    Args:
        padding: Int, 3 ints (symmetric per axis) or 3 pairs ``(before, after)``.
        data_format: ``"channels_last"`` (default from config) or ``"channels_first"``.

    Example:
        >>> ZeroPadding3D(1)(torch.ones(1, 2, 2, 2, 3)).shape
        torch.Size([1, 4, 4, 4, 3])
    """

    rank = 3

    def __init__(self, padding=((1, 1), (1, 1), (1, 1)), data_format: str | None = None,
                 **kwargs):
        self.padding = standardize_pairs(padding, 3, "padding", "ZeroPadding3D")
        super().__init__(self.padding, data_format, **kwargs)
