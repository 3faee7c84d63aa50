"""Subtract: difference of exactly two tensors."""
from __future__ import annotations

from torchkeras.layers.merging.base_merge import Merge


class Subtract(Merge):
    """Computes ``inputs[0] - inputs[1]`` element-wise; needs exactly two inputs.

    Example:
        >>> Subtract()([torch.ones(2, 3), torch.ones(2, 3)]).sum()
        tensor(0.)
    """

    def build(self, input_shape) -> None:
        super().build(input_shape)
        if len(input_shape) != 2:
            raise ValueError("A `Subtract` layer should be called on exactly 2 inputs. "
                             "Received: input_shape=%s" % (list(input_shape),))

    _elementwise = True

    def _merge_function(self, inputs, masks):
        if len(inputs) != 2:
            raise ValueError("A `Subtract` layer should be called on exactly 2 inputs. "
                             "Received %d inputs" % len(inputs))
        return inputs[0] - inputs[1]


def subtract(inputs, **kwargs):
    """Functional form of :class:`Subtract`: ``subtract([x1, x2])``."""
    return Subtract(**kwargs)(inputs)
