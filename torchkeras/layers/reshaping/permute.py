"""Permute: reorders the non-batch axes."""
from __future__ import annotations

from torchkeras.layers.layer import Layer


class Permute(Layer):
    """Permutes the non-batch axes of the input (a view, no copy).

    Args:
        dims: Permutation of ``1..rank-1`` (the batch axis 0 is never moved), e.g.
            ``(2, 1)`` swaps the two axes of a ``(batch, steps, features)`` input.

    Example:
        >>> Permute((2, 1))(torch.zeros(4, 10, 64)).shape
        torch.Size([4, 64, 10])
    """

    def __init__(self, dims, **kwargs):
        super().__init__(**kwargs)
        self.dims = tuple(dims)
        if sorted(self.dims) != list(range(1, len(self.dims) + 1)):
            raise ValueError("Invalid permutation argument `dims` for Permute Layer. The set "
                             "of indices in `dims` must be consecutive and start from 1. "
                             "Received dims=%s" % (dims,))

    def build(self, input_shape) -> None:
        if len(input_shape) != len(self.dims) + 1:
            raise ValueError("Permute layer '%s' with dims=%s expects inputs of rank %d, got "
                             "shape %s" % (self.name, self.dims, len(self.dims) + 1,
                                           tuple(input_shape)))
        self.built = True

    def call(self, inputs):
        return inputs.permute((0,) + self.dims)

    def compute_output_shape(self, input_shape):
        return (input_shape[0],) + tuple(input_shape[d] for d in self.dims)

    def get_config(self) -> dict:
        return {**super().get_config(), "dims": self.dims}
