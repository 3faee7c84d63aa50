"""Softmax layer, with Keras's handling of masks."""
from __future__ import annotations

import torch

from torchkeras import activations
from torchkeras.layers.layer import Layer


def large_negative(dtype: torch.dtype) -> float:
    """The stand-in for -inf that Keras gives masked logits (finite: no NaN rows)."""
    return -3e4 if dtype == torch.float16 else -1e9


class Softmax(Layer):
    """Softmax along ``axis``; masked-out positions get probability 0.

    A mask (from the input's ``_keras_mask`` or passed as ``mask=``) must broadcast to
    the input; entries that are ``False`` (or ``<= 0.5`` for numeric masks) are set to a
    large negative logit before the softmax and to 0 after it, so a fully masked row
    gives zeros rather than a uniform distribution.

    Args:
        axis: Axis, or tuple of axes, to normalize over.

    Example:
        >>> Softmax()(torch.zeros(1, 2), mask=torch.tensor([[True, False]]))
        tensor([[1., 0.]])
    """

    def __init__(self, axis=-1, **kwargs):
        super().__init__(**kwargs)
        self.axis = axis
        self.supports_masking = True
        self.built = True

    def call(self, inputs, mask=None):
        if mask is not None:
            if mask.ndim > inputs.ndim:
                raise ValueError("The `mask` must be broadcastable to `inputs` and must not have "
                                 "more dimensions. Received: inputs.shape=%s, mask.shape=%s"
                                 % (tuple(inputs.shape), tuple(mask.shape)))
            for m, i in zip(reversed(mask.shape), reversed(inputs.shape)):
                if m != 1 and m != i:
                    raise ValueError("The `mask` must be broadcastable to `inputs`. Each mask "
                                     "dimension must be 1 or match the corresponding input "
                                     "dimension. Received: inputs.shape=%s, mask.shape=%s"
                                     % (tuple(inputs.shape), tuple(mask.shape)))
            if mask.dtype != torch.bool:
                mask = mask > 0.5
            inputs = torch.where(mask, inputs, large_negative(inputs.dtype))
        axis = self.axis
        if isinstance(axis, (list, tuple)) and len(axis) == 1:
            axis = axis[0]
        out = activations.softmax(inputs, axis=axis)
        if mask is not None:
            out = torch.where(mask, out, 0.0)
        return out

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self) -> dict:
        return {**super().get_config(), "axis": self.axis}
