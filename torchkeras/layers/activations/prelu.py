"""PReLU layer: leaky ReLU with a learned slope per input entry (or shared)."""
from __future__ import annotations

import torch

from torchkeras import constraints, initializers, regularizers
from torchkeras.layers.layer import Layer


class PReLU(Layer):
    """``x`` for ``x >= 0``, ``alpha * x`` otherwise, with ``alpha`` a learned weight.

    ``alpha`` has the input's per-sample shape, with size 1 along ``shared_axes``
    (e.g. ``shared_axes=[1, 2]`` for images: one slope per channel).

    Args:
        alpha_initializer: Initializer of ``alpha`` (``"Zeros"``).
        alpha_regularizer: Penalty on ``alpha``.
        alpha_constraint: Projection of ``alpha`` after each optimizer step.
        shared_axes: Axis or axes (1-based, batch excluded) sharing one slope.

    Example:
        >>> layer = PReLU(shared_axes=[1, 2])
        >>> y = layer(torch.randn(2, 8, 8, 3)); layer.alpha.shape
        torch.Size([1, 1, 3])
    """

    def __init__(self, alpha_initializer="Zeros", alpha_regularizer=None, alpha_constraint=None,
                 shared_axes=None, **kwargs):
        super().__init__(**kwargs)
        self.alpha_initializer = initializers.get(alpha_initializer)
        self.alpha_regularizer = regularizers.get(alpha_regularizer)
        self.alpha_constraint = constraints.get(alpha_constraint)
        if shared_axes is None:
            self.shared_axes = None
        elif not isinstance(shared_axes, (list, tuple)):
            self.shared_axes = [shared_axes]
        else:
            self.shared_axes = list(shared_axes)
        if self.shared_axes is not None and any(
                not isinstance(a, int) or isinstance(a, bool) or a < 1 for a in self.shared_axes):
            raise ValueError("PReLU `shared_axes` must be positive axis indices (the batch axis "
                             "0 excluded). Received: shared_axes=%s" % (shared_axes,))
        self.supports_masking = True

    def build(self, input_shape) -> None:
        shape = list(input_shape[1:])
        for axis in self.shared_axes or ():
            if axis > len(shape):
                raise ValueError("PReLU shared axis %d is out of range for input shape %s"
                                 % (axis, tuple(input_shape)))
            shape[axis - 1] = 1
        if any(d is None for d in shape):
            raise ValueError("PReLU needs every non-shared axis to be known, got input shape "
                             "%s; share the unknown axes with `shared_axes`."
                             % (tuple(input_shape),))
        self.alpha = self.add_weight(name="alpha", shape=shape,
                                     initializer=self.alpha_initializer,
                                     regularizer=self.alpha_regularizer,
                                     constraint=self.alpha_constraint)
        self.built = True

    def call(self, inputs):
        return torch.where(inputs > 0, inputs, inputs * self.alpha)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self) -> dict:
        return {**super().get_config(),
                "alpha_initializer": initializers.serialize(self.alpha_initializer),
                "alpha_regularizer": regularizers.serialize(self.alpha_regularizer),
                "alpha_constraint": constraints.serialize(self.alpha_constraint),
                "shared_axes": self.shared_axes}
