"""Minimum: element-wise minimum of a list of tensors."""
from __future__ import annotations

import torch

from torchkeras.layers.merging.base_merge import Merge, merge_with_or_mask


class Minimum(Merge):
    """Element-wise minimum of a list of tensors (masked entries defer to the others).

    Example:
        >>> Minimum()([torch.tensor([[1.0, 5.0]]), torch.tensor([[3.0, 2.0]])])
        tensor([[1., 2.]])
    """

    _elementwise = True

    def _merge_function(self, inputs, masks):
        return merge_with_or_mask(torch.minimum, inputs, masks)


def minimum(inputs, **kwargs):
    """Functional form of :class:`Minimum`: ``minimum([x1, x2])``."""
    return Minimum(**kwargs)(inputs)
