"""Masking: marks timesteps whose features all equal ``mask_value`` as padding."""
from __future__ import annotations

import torch

from torchkeras.layers.layer import Layer


class Masking(Layer):
    """Masks timesteps where every feature equals ``mask_value``.

    Masked timesteps are zeroed and the mask ``(batch, steps)`` rides on the output for
    mask-aware layers (RNNs, attention, merge layers, losses).

    Args:
        mask_value: Value that marks padding.

    Example:
        >>> x = torch.tensor([[[1.0, 2.0], [0.0, 0.0]]])
        >>> Masking()(x)._keras_mask
        tensor([[ True, False]])
    """

    def __init__(self, mask_value: float = 0.0, **kwargs):
        super().__init__(**kwargs)
        if isinstance(mask_value, dict) and mask_value.get("config") is not None:
            from torchkeras.saving.serialization import deserialize_keras_object
            mask_value = deserialize_keras_object(mask_value)
        self.mask_value = mask_value
        self.supports_masking = True
        self.built = True

    def _keep(self, inputs):
        return (inputs != self.mask_value).any(dim=-1)

    def call(self, inputs):
        return torch.where(self._keep(inputs).unsqueeze(-1), inputs, 0)

    def compute_mask(self, inputs, previous_mask=None):
        return self._keep(inputs)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self) -> dict:
        return {**super().get_config(), "mask_value": self.mask_value}
