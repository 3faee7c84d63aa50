"""BaseGlobalPooling: reduce every spatial dimension with mean or max."""
from __future__ import annotations

from torchkeras import config as _config
from torchkeras.layers.layer import Layer


class BaseGlobalPooling(Layer):
    """Mean or max over all spatial dimensions.

    Args:
        pool_dimensions: 1, 2 or 3.
        data_format: ``"channels_last"``, ``"channels_first"`` or None (global setting).
        keepdims: Keep the spatial dimensions (with size 1).
    """

    _mode = "average"

    def __init__(self, pool_dimensions: int, data_format: str | None = None,
                 keepdims: bool = False, **kwargs):
        super().__init__(**kwargs)
        self.pool_dimensions = pool_dimensions
        self.data_format = _config.standardize_data_format(data_format)
        self.keepdims = bool(keepdims)
        first = 1 if self.data_format == "channels_last" else 2
        self._dims = tuple(range(first, first + pool_dimensions))
        self.built = True

    def _check(self, inputs):
        if inputs.dim() != self.pool_dimensions + 2:
            raise ValueError("%s expects inputs of rank %d, got shape %s"
                             % (type(self).__name__, self.pool_dimensions + 2,
                                tuple(inputs.shape)))

    def call(self, inputs):
        self._check(inputs)
        if self._mode == "max":
            return inputs.amax(dim=self._dims, keepdim=self.keepdims)
        return inputs.mean(dim=self._dims, keepdim=self.keepdims)

    def compute_output_shape(self, input_shape):
        input_shape = tuple(input_shape)
        if len(input_shape) != self.pool_dimensions + 2:
            raise ValueError("%s expects inputs of rank %d, got shape %s"
                             % (type(self).__name__, self.pool_dimensions + 2, input_shape))
        if self.data_format == "channels_last":
            if self.keepdims:
                return (input_shape[0],) + (1,) * self.pool_dimensions + (input_shape[-1],)
            return (input_shape[0], input_shape[-1])
        if self.keepdims:
            return input_shape[:2] + (1,) * self.pool_dimensions
        return input_shape[:2]

    def get_config(self) -> dict:
        return {**super().get_config(), "data_format": self.data_format,
                "keepdims": self.keepdims}
