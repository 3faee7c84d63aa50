"""AveragePooling1D/2D/3D."""
from __future__ import annotations

from torchkeras.layers.pooling.base_pooling import BasePooling


class AveragePooling1D(BasePooling):
    """Average pooling over steps of ``(batch, steps, features)`` inputs.

    With ``padding="same"`` the padded positions are left out of each average.

    Args:
        pool_size: Window size.
        strides: Step between windows (None: ``pool_size``).
        padding: ``"valid"`` or ``"same"``.
        data_format: ``"channels_last"``, ``"channels_first"`` or None (global setting).

    Example:
        >>> AveragePooling1D(2)(torch.randn(4, 10, 3)).shape
        torch.Size([4, 5, 3])
    """

    def __init__(self, pool_size, strides=None, padding: str = "valid",
                 data_format: str | None = None, name: str | None = None, **kwargs):
        super().__init__(pool_size, strides, pool_dimensions=1, pool_mode="average",
                         padding=padding, data_format=data_format, name=name, **kwargs)


class AveragePooling2D(BasePooling):
    """Average pooling over height and width of images (padding never averaged in).

    Args:
        pool_size: Int or 2 ints (window size).
        strides: Int, 2 ints or None (``pool_size``).
        padding: ``"valid"`` or ``"same"``.
        data_format: ``"channels_last"``, ``"channels_first"`` or None (global setting).

    Example:
        >>> AveragePooling2D(2)(torch.randn(4, 32, 32, 3)).shape
        torch.Size([4, 16, 16, 3])
    """

    def __init__(self, pool_size, strides=None, padding: str = "valid",
                 data_format: str | None = None, name: str | None = None, **kwargs):
        super().__init__(pool_size, strides, pool_dimensions=2, pool_mode="average",
                         padding=padding, data_format=data_format, name=name, **kwargs)


class AveragePooling3D(BasePooling):
    """Average pooling over the three spatial dimensions of volumes.

    Args:
        pool_size: Int or 3 ints (window size).
        strides: Int, 3 ints or None (``pool_size``).
        padding: ``"valid"`` or ``"same"``.
        data_format: ``"channels_last"``, ``"channels_first"`` or None (global setting).

    Example:
        >>> AveragePooling3D(2)(torch.randn(2, 8, 8, 8, 3)).shape
        torch.Size([2, 4, 4, 4, 3])
    """

    def __init__(self, pool_size, strides=None, padding: str = "valid",
                 data_format: str | None = None, name: str | None = None, **kwargs):
        super().__init__(pool_size, strides, pool_dimensions=3, pool_mode="average",
                         padding=padding, data_format=data_format, name=name, **kwargs)
