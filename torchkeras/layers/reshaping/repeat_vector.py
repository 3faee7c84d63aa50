"""RepeatVector: repeats a vector ``n`` times along a new axis."""
from __future__ import annotations

from torchkeras.layers.layer import Layer


class RepeatVector(Layer):
    """Turns ``(batch, features)`` into ``(batch, n, features)``.

    Args:
        n: Number of repetitions.

    Example:
        >>> RepeatVector(3)(torch.zeros(2, 32)).shape
        torch.Size([2, 3, 32])
    """

    def __init__(self, n: int, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(n, int) or isinstance(n, bool):
            raise TypeError("Expected an integer value for `n`, got %s." % type(n))
        if n <= 0:
            raise ValueError("Argument `n` should be a positive integer. Received: n=%s" % n)
        self.n = n

    def build(self, input_shape) -> None:
        if len(input_shape) != 2:
            raise ValueError("RepeatVector expects inputs of rank 2 (batch, features), got "
                             "shape %s" % (tuple(input_shape),))
        self.built = True

    def call(self, inputs):
        # expand is a view; the copy happens only if a later op needs contiguity
        return inputs.unsqueeze(1).expand(-1, self.n, -1)

    def compute_output_shape(self, input_shape):
        return (input_shape[0], self.n, input_shape[1])

    def get_config(self) -> dict:
        return {**super().get_config(), "n": self.n}
