"""ReLU layer: rectified linear unit with optional cap, leak and threshold."""
from __future__ import annotations

from torchkeras import activations
from torchkeras.layers.layer import Layer


class ReLU(Layer):
    """``max_value``-capped, leaky, thresholded ReLU (Keras's ``ReLU`` layer).

    Returns ``x`` for ``threshold < x < max_value``, ``max_value`` for ``x >= max_value``
    and ``negative_slope * (x - threshold)`` otherwise.

    Args:
        max_value: Upper bound (``None``: unbounded); must be non-negative.
        negative_slope: Slope below the threshold; non-negative.
        threshold: Threshold below which values are zeroed or leaked; non-negative.

    Example:
        >>> ReLU(max_value=6.0)(torch.tensor([-1.0, 3.0, 9.0]))
        tensor([0., 3., 6.])
    """

    def __init__(self, max_value: float | None = None, negative_slope: float = 0.0,
                 threshold: float = 0.0, **kwargs):
        super().__init__(**kwargs)
        if max_value is not None and max_value < 0.0:
            raise ValueError("max_value of a ReLU layer cannot be a negative value. "
                             "Received: max_value=%s" % (max_value,))
        if negative_slope is None or negative_slope < 0.0:
            raise ValueError("negative_slope of a ReLU layer cannot be None or a negative "
                             "value. Received: negative_slope=%s" % (negative_slope,))
        if threshold is None or threshold < 0.0:
            raise ValueError("threshold of a ReLU layer cannot be None or a negative value. "
                             "Received: threshold=%s" % (threshold,))
        self.max_value = max_value
        self.negative_slope = negative_slope
        self.threshold = threshold
        self.supports_masking = True
        self.built = True

    def call(self, inputs):
        return activations.relu(inputs, negative_slope=self.negative_slope,
                                max_value=self.max_value, threshold=self.threshold)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self) -> dict:
        return {**super().get_config(), "max_value": self.max_value,
                "negative_slope": self.negative_slope, "threshold": self.threshold}
