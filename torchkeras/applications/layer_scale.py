"""LayerScale: ConvNeXt's learned per-channel scale of a residual branch."""
from __future__ import annotations

from torchkeras import initializers
from torchkeras.layers.layer import Layer
from torchkeras.saving.serialization import register_keras_serializable


@register_keras_serializable(package="torchkeras.applications")
class LayerScale(Layer):
    """Multiplies its inputs by a trainable vector over the last axis (Keras's ConvNeXt).

    Args:
        init_values: Initial value of every scale.
        projection_dim: Size of the last axis (the number of scales).

    Example:
        >>> scale = LayerScale(1e-6, 96)
        >>> scale(torch.ones(1, 7, 7, 96)).shape
        torch.Size([1, 7, 7, 96])
    """

    def __init__(self, init_values: float, projection_dim: int, **kwargs):
        super().__init__(**kwargs)
        self.init_values = init_values
        self.projection_dim = projection_dim

    def build(self, input_shape) -> None:
        self.gamma = self.add_weight(shape=(self.projection_dim,),
                                     initializer=initializers.Constant(self.init_values),
                                     trainable=True)
        self.built = True

    def call(self, x):
        return x * self.gamma

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self) -> dict:
        return {**super().get_config(), "init_values": self.init_values,
                "projection_dim": self.projection_dim}
