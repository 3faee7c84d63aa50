"""ZeroPadding2D: zero rows and columns around images."""
from __future__ import annotations

from torchkeras.layers.reshaping.arguments import standardize_pairs
from torchkeras.layers.reshaping.zero_padding_base import BaseZeroPadding


class ZeroPadding2D(BaseZeroPadding):
    """Adds rows and columns of zeros around images (one ``F.pad`` call).

    Args:
        padding: Int, ``(sym_height, sym_width)`` or ``((top, bottom), (left, right))``.
        data_format: ``"channels_last"`` (default from config) or ``"channels_first"``.

    Example:
        >>> ZeroPadding2D(1)(torch.ones(1, 4, 4, 3)).shape
        torch.Size([1, 6, 6, 3])
    """

    rank = 2

    def __init__(self, padding=(1, 1), data_format: str | None = None, **kwargs):
        self.padding = standardize_pairs(padding, 2, "padding", "ZeroPadding2D")
        super().__init__(self.padding, data_format, **kwargs)
