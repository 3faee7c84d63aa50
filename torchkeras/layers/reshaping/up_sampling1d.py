"""UpSampling1D: repeats each timestep."""
from __future__ import annotations

from torchkeras.layers.layer import Layer
from torchkeras.layers.reshaping.spatial_ops import repeat_nearest


class UpSampling1D(Layer):
    """Repeats each step of a ``(batch, steps, features)`` input ``size`` times.

    Args:
        size: Upsampling factor.

    Example:
        >>> UpSampling1D(2)(torch.zeros(1, 3, 4)).shape
        torch.Size([1, 6, 4])
    """

    def __init__(self, size: int = 2, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(size, int) or isinstance(size, bool):
            raise TypeError("Expected an integer value for `size`, got %s." % type(size))
        if size <= 0:
            raise ValueError("Argument `size` should be a positive integer. Received: size=%s"
                             % size)
        self.size = size

    def build(self, input_shape) -> None:
        if len(input_shape) != 3:
            raise ValueError("UpSampling1D expects inputs of rank 3, got shape %s"
                             % (tuple(input_shape),))
        self.built = True

    def call(self, inputs):
        return repeat_nearest(inputs, (1,), (self.size,))

    def compute_output_shape(self, input_shape):
        steps = None if input_shape[1] is None else input_shape[1] * self.size
        return (input_shape[0], steps, input_shape[2])

    def get_config(self) -> dict:
        return {**super().get_config(), "size": self.size}
