"""UnitNormalization: scale each example to unit L2 norm over ``axis``."""
from __future__ import annotations

import torch.nn.functional as F

from torchkeras.layers.layer import Layer
from torchkeras.layers.normalization.layer_normalization import check_axis_arg, normalize_axes


class UnitNormalization(Layer):
    """Divides inputs by their L2 norm over ``axis`` (norms below 1e-12 count as 1e-12).

    Args:
        axis: Int or list of ints: the axes the norm is taken over.

    Example:
        >>> y = UnitNormalization()(torch.randn(4, 8))   # every row has norm 1
    """

    def __init__(self, axis=-1, **kwargs):
        super().__init__(**kwargs)
        self.axis = check_axis_arg(axis, "UnitNormalization")
        self.supports_masking = True
        self._dim = tuple(self.axis) if isinstance(self.axis, list) else self.axis
        self.built = True

    def call(self, inputs):
        return F.normalize(inputs, p=2.0, dim=self._dim, eps=1e-12)

    def compute_output_shape(self, input_shape):
        normalize_axes(self.axis, len(input_shape), "UnitNormalization")
        return tuple(input_shape)

    def get_config(self) -> dict:
        return {**super().get_config(), "axis": self.axis}
