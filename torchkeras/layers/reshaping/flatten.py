"""Flatten: collapses every non-batch dimension into one."""
from __future__ import annotations

import math

from torchkeras import config as _config
from torchkeras.layers.layer import Layer


class Flatten(Layer):
    """Flattens the input to ``(batch, features)``; the batch size is unchanged.

    With ``data_format="channels_first"`` the channel axis is moved last before
    flattening, so the feature order matches a channels-last model (as in Keras).

    Args:
        data_format: ``"channels_last"`` or ``"channels_first"`` (default:
            ``torchkeras.config.image_data_format()``).

    Example:
        >>> Flatten()(torch.zeros(2, 3, 4)).shape
        torch.Size([2, 12])
    """

    def __init__(self, data_format: str | None = None, **kwargs):
        super().__init__(**kwargs)
        self.data_format = _config.standardize_data_format(data_format)
        self._channels_first = self.data_format == "channels_first"

    def build(self, input_shape) -> None:
        if len(input_shape) < 1:
            raise ValueError("Flatten expects an input of rank >= 1, got shape %s"
                             % (tuple(input_shape),))
        self.built = True

    def call(self, inputs):
        if inputs.ndim < 2:
            return inputs.unsqueeze(1)
        if self._channels_first and inputs.ndim > 2:
            inputs = inputs.movedim(1, -1)
        return inputs.flatten(1)

    def compute_output_shape(self, input_shape):
        rest = tuple(input_shape[1:])
        if not rest:
            return (input_shape[0], 1)
        if any(d is None for d in rest):
            return (input_shape[0], None)
        return (input_shape[0], math.prod(rest))

    def get_config(self) -> dict:
        return {**super().get_config(), "data_format": self.data_format}
