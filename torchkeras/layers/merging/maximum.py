"""Maximum: element-wise maximum of a list of tensors."""
from __future__ import annotations

import torch

from torchkeras.layers.merging.base_merge import Merge, merge_with_or_mask


class Maximum(Merge):
    """Element-wise maximum of a list of tensors (masked entries defer to the others).

    Example:
        >>> Maximum()([torch.tensor([[1.0, 5.0]]), torch.tensor([[3.0, 2.0]])])
        tensor([[3., 5.]])
    """

    _elementwise = True

    def _merge_function(self, inputs, masks):
        return merge_with_or_mask(torch.maximum, inputs, masks)


def maximum(inputs, **kwargs):
    """Functional form of :class:`Maximum`: ``maximum([x1, x2])``."""
    return Maximum(**kwargs)(inputs)
