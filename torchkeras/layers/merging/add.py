"""Add: element-wise sum of a list of tensors."""
from __future__ import annotations

from torchkeras.layers.merging.base_merge import Merge


class Add(Merge):
    """Adds a list of tensors element-wise (shapes broadcast as in numpy).

    Example:
        >>> Add()([torch.ones(2, 3), torch.ones(2, 3)])
        tensor([[2., 2., 2.],
                [2., 2., 2.]])
    """

    _elementwise = True

    def _merge_function(self, inputs, masks):
        out = inputs[0]
        for x in inputs[1:]:
            out = out + x
        return out


def add(inputs, **kwargs):
    """Functional form of :class:`Add`: ``add([x1, x2])``.

    Args:
        inputs: List of tensors (or KerasTensors) of broadcastable shapes.
        **kwargs: Standard layer arguments (``name``...).
    """
    return Add(**kwargs)(inputs)
