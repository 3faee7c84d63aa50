"""Shared implementation of Cropping1D/2D/3D."""
from __future__ import annotations

from torchkeras import config as _config
from torchkeras.layers.layer import Layer
from torchkeras.layers.reshaping.arguments import add_to_dims, spatial_axes
from torchkeras.layers.reshaping.spatial_ops import crop_axes


class BaseCropping(Layer):
    """Crops ``rank`` spatial axes; subclasses set ``rank`` and parse ``cropping``."""

    rank = 0

    def __init__(self, cropping_pairs: tuple, data_format: str | None = None, **kwargs):
        super().__init__(**kwargs)
        self.data_format = _config.standardize_data_format(data_format)
        self._pairs = cropping_pairs
        self._axes = spatial_axes(self.rank, self.data_format)

    def _check(self, shape, what: str) -> None:
        for axis, (a, b) in zip(self._axes, self._pairs):
            if shape[axis] is not None and a + b >= shape[axis]:
                raise ValueError("Values in `cropping` argument of %s should be smaller than "
                                 "the corresponding spatial dimension of the input. Received: "
                                 "%s=%s, cropping=%s" % (type(self).__name__, what,
                                                         tuple(shape), self.cropping))

    def build(self, input_shape) -> None:
        if len(input_shape) != self.rank + 2:
            raise ValueError("%s expects inputs of rank %d, got shape %s"
                             % (type(self).__name__, self.rank + 2, tuple(input_shape)))
        self._check(input_shape, "input_shape")
        self.built = True

    def call(self, inputs):
        self._check(inputs.shape, "inputs.shape")
        return crop_axes(inputs, self._axes, self._pairs)

    def compute_output_shape(self, input_shape):
        self._check(input_shape, "input_shape")
        return add_to_dims(input_shape, self._axes, [-(a + b) for a, b in self._pairs])

    def get_config(self) -> dict:
        return {**super().get_config(), "cropping": self.cropping,
                "data_format": self.data_format}
