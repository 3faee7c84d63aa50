"""GlobalMaxPooling1D/2D/3D."""
from __future__ import annotations

from torchkeras.layers.pooling.base_global_pooling import BaseGlobalPooling


class GlobalMaxPooling1D(BaseGlobalPooling):
    """Max over the steps of ``(batch, steps, features)`` inputs.

    Args:
        data_format: ``"channels_last"``, ``"channels_first"`` or None (global setting).
        keepdims: Keep the steps dimension (with size 1).

    Example:
        >>> GlobalMaxPooling1D()(torch.randn(4, 10, 3)).shape
        torch.Size([4, 3])
    """

    _mode = "max"

    def __init__(self, data_format: str | None = None, keepdims: bool = False, **kwargs):
        super().__init__(pool_dimensions=1, data_format=data_format, keepdims=keepdims,
                         **kwargs)


class GlobalMaxPooling2D(BaseGlobalPooling):
    """Max over height and width.

    Args:
        data_format: ``"channels_last"``, ``"channels_first"`` or None (global setting).
        keepdims: Keep the spatial dimensions (with size 1).

    Example:
        >>> GlobalMaxPooling2D()(torch.randn(4, 8, 8, 3)).shape
        torch.Size([4, 3])
    """

    _mode = "max"

    def __init__(self, data_format: str | None = None, keepdims: bool = False, **kwargs):
        super().__init__(pool_dimensions=2, data_format=data_format, keepdims=keepdims,
                         **kwargs)


class GlobalMaxPooling3D(BaseGlobalPooling):
    """Max over the three spatial dimensions.

    Args:
        data_format: ``"channels_last"``, ``"channels_first"`` or None (global setting).
        keepdims: Keep the spatial dimensions (with size 1).

    Example:
        >>> GlobalMaxPooling3D()(torch.randn(2, 4, 4, 4, 3)).shape
        torch.Size([2, 3])
    """

    _mode = "max"

    def __init__(self, data_format: str | None = None, keepdims: bool = False, **kwargs):
        super().__init__(pool_dimensions=3, data_format=data_format, keepdims=keepdims,
                         **kwargs)
