"""Identity: returns its input unchanged."""
from __future__ import annotations

from torchkeras.layers.layer import Layer


class Identity(Layer):
    """Returns its input (a tensor or a structure of tensors) unchanged; masks pass through.

    Useful as a placeholder, e.g. to switch a block off without changing a model's code.

    Example:
        >>> x = torch.ones(2, 3)
        >>> Identity()(x) is x
        True
    """

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True
        self.built = True

    def call(self, inputs):
        return inputs

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self) -> dict:
        return super().get_config()
