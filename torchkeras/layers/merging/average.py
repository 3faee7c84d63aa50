"""Average: element-wise mean of a list of tensors."""
from __future__ import annotations

from torchkeras.layers.merging.base_merge import Merge


class Average(Merge):
    """Averages a list of tensors element-wise.

    Example:
        >>> Average()([torch.zeros(1, 2), torch.ones(1, 2)])
        tensor([[0.5000, 0.5000]])
    """

    _elementwise = True

    def _merge_function(self, inputs, masks):
        out = inputs[0]
        for x in inputs[1:]:
            out = out + x
        return out / len(inputs)


def average(inputs, **kwargs):
    """Functional form of :class:`Average`: ``average([x1, x2])``."""
    return Average(**kwargs)(inputs)
