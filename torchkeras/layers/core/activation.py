"""Activation: applies an activation function to its input."""
from __future__ import annotations

from torchkeras import activations
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

    def call(self, inputs):
        return self.activation(inputs)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self) -> dict:
        return {**super().get_config(), "activation": activations.serialize(self.activation)}
