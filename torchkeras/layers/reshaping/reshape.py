"""Reshape: gives each sample a new shape."""
from __future__ import annotations

import math

from torchkeras.layers.layer import Layer


def validate_target_shape(target_shape, arg_name: str = "target_shape") -> tuple:
    """Non-negative ints, or ``-1`` at most once (Keras's rule)."""
    try:
        target_shape = tuple(target_shape)
    except TypeError:
        raise ValueError("`%s` must be a tuple of integers, got %r"
                         % (arg_name, target_shape)) from None
    unknown = 0
    for dim in target_shape:
        if not isinstance(dim, int) or isinstance(dim, bool):
            raise ValueError("`%s` must be a tuple of integers. Received: %s=%s"
                             % (arg_name, arg_name, target_shape))
        if dim < -1:
            raise ValueError("Each dimension in `%s` must be a non-negative integer, or `-1` "
                             "for a single unknown dimension. Received: %s=%s."
                             % (arg_name, arg_name, target_shape))
        unknown += dim == -1
    if unknown > 1:
        raise ValueError("There must be at most one unknown dimension (-1) in `%s`. "
                         "Received: %s=%s." % (arg_name, arg_name, target_shape))
    return target_shape


def resolve_target_shape(input_shape, target_shape, arg_name: str = "target_shape") -> tuple:
    """``target_shape`` with its ``-1`` resolved (``None`` when the input has unknown dims)."""
    input_shape = tuple(input_shape)
    if None in input_shape:
        return tuple(None if d == -1 else d for d in target_shape)
    size = math.prod(input_shape)
    if -1 not in target_shape:
        if size != math.prod(target_shape):
            raise ValueError("The total size of the tensor must be unchanged. Received: "
                             "input_shape=%s, %s=%s" % (input_shape, arg_name, target_shape))
        return target_shape
    known = math.prod(d for d in target_shape if d != -1)
    if known == 0 or size % known != 0:
        raise ValueError("The total size of the tensor must be unchanged, received "
                         "input_shape=%s, %s=%s" % (input_shape, arg_name, target_shape))
    return tuple(size // known if d == -1 else d for d in target_shape)


class Reshape(Layer):
    """Reshapes each sample to ``target_shape`` (the batch dimension is kept).

    Args:
        target_shape: Shape of one sample; one entry may be ``-1`` (inferred).

    Example:
        >>> Reshape((3, -1))(torch.zeros(2, 12)).shape
        torch.Size([2, 3, 4])
    """

    def __init__(self, target_shape, **kwargs):
        super().__init__(**kwargs)
        self.target_shape = validate_target_shape(target_shape)
        self.built = True

    def call(self, inputs):
        # torch resolves a single -1 itself; validation happens in compute_output_shape
        # and, for a bad size, in torch's own error below.
        try:
            return inputs.reshape((inputs.shape[0],) + self._torch_shape)
        except RuntimeError:
            shape = resolve_target_shape(inputs.shape[1:], self.target_shape)
            return inputs.reshape((inputs.shape[0],) + shape)

    @property
    def _torch_shape(self) -> tuple:
        shape = self.__dict__.get("_torch_shape_cache")
        if shape is None:
            shape = tuple(-1 if d is None else d for d in self.target_shape)
            self.__dict__["_torch_shape_cache"] = shape
        return shape

    def compute_output_shape(self, input_shape):
        return (input_shape[0],) + resolve_target_shape(input_shape[1:], self.target_shape)

    def get_config(self) -> dict:
        return {**super().get_config(), "target_shape": self.target_shape}
