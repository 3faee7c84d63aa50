"""Activation: applies an activation function to its input."""
from __future__ import annotations

from torchkeras import activations
from torchkeras.activations.fast import fast_activation, is_elementwise
from torchkeras.layers.convolutional import conv_utils as cu
from torchkeras.layers.layer import Layer


class Activation(Layer):
    """Applies ``activation`` element-wise.

    Args:
        activation: Name (``"relu"``…) or callable on tensors.

    Example:
        >>> Activation("relu")(torch.tensor([-1.0, 2.0]))
    """

    def __init__(self, activation, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True
        self.activation = activations.get(activation)
        self._fn = fast_activation(self.activation)
        self._elementwise = is_elementwise(self.activation)

    def call(self, inputs):
        # After a convolution or pooling layer the input is a channels-last view of an
        # (N, C, ...) tensor: an elementwise activation of that tensor, viewed the same
        # way, keeps the next layer from permuting again.
        nc = cu.nc_source(inputs) if self._elementwise else None
        if nc is not None:
            return cu.from_nc(self._fn(nc), "channels_last")
        return self._fn(inputs)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self) -> dict:
        return {**super().get_config(), "activation": activations.serialize(self.activation)}
