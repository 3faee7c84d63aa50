"""Shared implementation of ZeroPadding1D/2D/3D."""
from __future__ import annotations

from torchkeras import config as _config
from torchkeras.layers.layer import Layer
from torchkeras.layers.reshaping.arguments import add_to_dims, spatial_axes
from torchkeras.layers.reshaping.spatial_ops import pad_axes


class BaseZeroPadding(Layer):
    """Pads ``rank`` spatial axes with zeros; subclasses set ``rank`` and parse ``padding``."""

    rank = 0

    def __init__(self, padding_pairs: tuple, data_format: str | None = None, **kwargs):
        super().__init__(**kwargs)
        self.data_format = _config.standardize_data_format(data_format)
        self._pairs = padding_pairs
        self._axes = spatial_axes(self.rank, self.data_format)

    def build(self, input_shape) -> None:
        if len(input_shape) != self.rank + 2:
            raise ValueError("%s expects inputs of rank %d, got shape %s"
                             % (type(self).__name__, self.rank + 2, tuple(input_shape)))
        self.built = True

    def call(self, inputs):
        return pad_axes(inputs, self._axes, self._pairs)

    def compute_output_shape(self, input_shape):
        return add_to_dims(input_shape, self._axes, [a + b for a, b in self._pairs])

    def get_config(self) -> dict:
        return {**super().get_config(), "padding": self.padding,
                "data_format": self.data_format}
