"""ZeroPadding1D: zeros before/after the steps of a sequence."""
from __future__ import annotations

from torchkeras.layers.reshaping.arguments import standardize_tuple
from torchkeras.layers.reshaping.zero_padding_base import BaseZeroPadding


class ZeroPadding1D(BaseZeroPadding):
    """Adds zero steps at the start and end of a ``(batch, steps, features)`` input.

    Args:
        padding: Int (both sides) or pair ``(before, after)``.
        data_format: ``"channels_last"`` (default from config) or ``"channels_first"``
            (then the input is ``(batch, features, steps)``).

    Example:
        >>> ZeroPadding1D((1, 2))(torch.ones(1, 3, 2)).shape
        torch.Size([1, 6, 2])
    """

    rank = 1

    def __init__(self, padding=1, data_format: str | None = None, **kwargs):
        self.padding = standardize_tuple(padding, 2, "padding", allow_zero=True)
        super().__init__((self.padding,), data_format, **kwargs)
