"""GlobalAveragePooling1D/2D/3D."""
from __future__ import annotations

import torch

from torchkeras.layers.pooling.base_global_pooling import BaseGlobalPooling


class GlobalAveragePooling1D(BaseGlobalPooling):
    """Mean over the steps of ``(batch, steps, features)`` inputs; masked steps
    (``mask`` of shape ``(batch, steps)``) are left out of the mean.

    Args:
        data_format: ``"channels_last"``, ``"channels_first"`` or None (global setting).
        keepdims: Keep the steps dimension (with size 1).

    Example:
        >>> GlobalAveragePooling1D()(torch.randn(4, 10, 3)).shape
        torch.Size([4, 3])
    """

    def __init__(self, data_format: str | None = None, keepdims: bool = False, **kwargs):
        super().__init__(pool_dimensions=1, data_format=data_format, keepdims=keepdims,
                         **kwargs)
        self.supports_masking = True

    def call(self, inputs, mask=None):
        self._check(inputs)
        if mask is None:
            return inputs.mean(dim=self._dims, keepdim=self.keepdims)
        axis = self._dims[0]
        m = mask.unsqueeze(2 if self.data_format == "channels_last" else 1).to(torch.bool)
        total = torch.where(m, inputs, 0).sum(dim=axis, keepdim=self.keepdims)
        return total / m.to(inputs.dtype).sum(dim=axis, keepdim=self.keepdims)

    def compute_mask(self, inputs, previous_mask=None):
        return None


class GlobalAveragePooling2D(BaseGlobalPooling):
    """Mean over height and width.

    Args:
        data_format: ``"channels_last"``, ``"channels_first"`` or None (global setting).
        keepdims: Keep the spatial dimensions (with size 1).

    Example:
        >>> GlobalAveragePooling2D()(torch.randn(4, 8, 8, 3)).shape
        torch.Size([4, 3])
    """

    def __init__(self, data_format: str | None = None, keepdims: bool = False, **kwargs):
        super().__init__(pool_dimensions=2, data_format=data_format, keepdims=keepdims,
                         **kwargs)


class GlobalAveragePooling3D(BaseGlobalPooling):
    """Mean over the three spatial dimensions.

    Args:
        data_format: ``"channels_last"``, ``"channels_first"`` or None (global setting).
        keepdims: Keep the spatial dimensions (with size 1).

    Example:
        >>> GlobalAveragePooling3D()(torch.randn(2, 4, 4, 4, 3)).shape
        torch.Size([2, 3])
    """

    def __init__(self, data_format: str | None = None, keepdims: bool = False, **kwargs):
        super().__init__(pool_dimensions=3, data_format=data_format, keepdims=keepdims,
                         **kwargs)
