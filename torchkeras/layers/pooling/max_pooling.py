"""MaxPooling1D/2D/3D."""
from __future__ import annotations

from torchkeras.layers.pooling.base_pooling import BasePooling


class MaxPooling1D(BasePooling):
    """Max pooling over steps of ``(batch, steps, features)`` inputs.

    Args:
        pool_size: Window size.
        strides: Step between windows (None: ``pool_size``).
        padding: ``"valid"`` or ``"same"`` (output ``ceil(steps / strides)``).
        data_format: ``"channels_last"``, ``"channels_first"`` or None (global setting).

    Example:
        >>> MaxPooling1D(2)(torch.randn(4, 10, 3)).shape
        torch.Size([4, 5, 3])
    """

    def __init__(self, pool_size=2, strides=None, padding: str = "valid",
                 data_format: str | None = None, name: str | None = None, **kwargs):
        super().__init__(pool_size, strides, pool_dimensions=1, pool_mode="max",
                         padding=padding, data_format=data_format, name=name, **kwargs)


class MaxPooling2D(BasePooling):
    """Max pooling over height and width of images.

    Args:
        pool_size: Int or 2 ints (window size).
        strides: Int, 2 ints or None (``pool_size``).
        padding: ``"valid"`` or ``"same"`` (output ``ceil(size / strides)``).
        data_format: ``"channels_last"``, ``"channels_first"`` or None (global setting).

    Example:
        >>> MaxPooling2D()(torch.randn(4, 32, 32, 3)).shape
        torch.Size([4, 16, 16, 3])
    """

    def __init__(self, pool_size=(2, 2), strides=None, padding: str = "valid",
                 data_format: str | None = None, name: str | None = None, **kwargs):
        super().__init__(pool_size, strides, pool_dimensions=2, pool_mode="max",
                         padding=padding, data_format=data_format, name=name, **kwargs)


class MaxPooling3D(BasePooling):
    """Max pooling over the three spatial dimensions of volumes.

    Args:
        pool_size: Int or 3 ints (window size).
        strides: Int, 3 ints or None (``pool_size``).
        padding: ``"valid"`` or ``"same"``.
        data_format: ``"channels_last"``, ``"channels_first"`` or None (global setting).

    Example:
        >>> MaxPooling3D()(torch.randn(2, 8, 8, 8, 3)).shape
        torch.Size([2, 4, 4, 4, 3])
    """

    def __init__(self, pool_size=(2, 2, 2), strides=None, padding: str = "valid",
                 data_format: str | None = None, name: str | None = None, **kwargs):
        super().__init__(pool_size, strides, pool_dimensions=3, pool_mode="max",
                         padding=padding, data_format=data_format, name=name, **kwargs)
