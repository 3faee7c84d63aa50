"""Multiply: element-wise product of a list of tensors."""
from __future__ import annotations

import torch

from torchkeras.layers.merging.base_merge import Merge, expand_mask


class Multiply(Merge):
    """Multiplies a list of tensors element-wise.

    Masked-out entries act as 1 in the product; where every input is masked the output
    is 0 (Keras's masking rule).

    Example:
        >>> Multiply()([torch.full((2, 3), 2.0), torch.full((2, 3), 3.0)])[0, 0]
        tensor(6.)
    """

    _elementwise = True

    def _merge_function(self, inputs, masks):
        masks = masks or [None] * len(inputs)
        all_masked = all(m is not None for m in masks)
        out, out_mask = None, None
        for x, m in zip(inputs, masks):
            if m is not None:
                m = expand_mask(m, x)
                x = torch.where(m, x, torch.ones((), dtype=x.dtype, device=x.device))
                if all_masked:
                    out_mask = m if out_mask is None else torch.logical_or(out_mask, m)
            out = x if out is None else out * x
        if all_masked:
            out = torch.where(out_mask, out, torch.zeros((), dtype=out.dtype, device=out.device))
        return out


def multiply(inputs, **kwargs):
    """Functional form of :class:`Multiply`: ``multiply([x1, x2])``."""
    return Multiply(**kwargs)(inputs)
