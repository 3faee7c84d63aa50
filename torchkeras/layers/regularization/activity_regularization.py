"""ActivityRegularization: adds an L1/L2 penalty on its input to the model's losses."""
from __future__ import annotations

from torchkeras import regularizers
from torchkeras.layers.layer import Layer


class ActivityRegularization(Layer):
    """Returns its input unchanged and adds ``l1 * sum(|x|) + l2 * sum(x^2)`` to ``losses``.

    Args:
        l1: L1 factor (non-negative).
        l2: L2 factor (non-negative).

    Example:
        >>> layer = ActivityRegularization(l2=0.01)
        >>> y = layer(torch.ones(2, 3)); len(layer.losses)
        1
    """

    def __init__(self, l1: float = 0.0, l2: float = 0.0, **kwargs):
        super().__init__(activity_regularizer=regularizers.L1L2(l1=l1, l2=l2), **kwargs)
        self.l1 = l1
        self.l2 = l2
        self.supports_masking = True
        self.built = True

    def call(self, inputs):
        return inputs

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self) -> dict:
        config = super().get_config()
        config.pop("activity_regularizer", None)
        return {**config, "l1": self.l1, "l2": self.l2}
