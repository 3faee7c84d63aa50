"""Dot: per-sample dot product of two tensors along chosen axes."""
from __future__ import annotations

import math

import torch

from torchkeras import config as _config
from torchkeras.layers.merging.base_merge import Merge


def _l2_normalize(x: torch.Tensor, axis: int) -> torch.Tensor:
    # Keras: x * min(rsqrt(sum(x^2)), 1/epsilon)
    inv = torch.rsqrt(x.square().sum(dim=axis, keepdim=True))
    return x * inv.clamp(max=1.0 / _config.epsilon())


def batch_dot(x: torch.Tensor, y: torch.Tensor, axes) -> torch.Tensor:
    """Contracts ``x`` axis ``axes[0]`` with ``y`` axis ``axes[1]`` per sample (one bmm).

    The output holds ``x``'s remaining dims then ``y``'s; two rank-2 inputs give ``(batch, 1)``.
    """
    a0, a1 = axes
    both_2d = x.ndim == 2 and y.ndim == 2
    x = x.movedim(a0, -1)
    y = y.movedim(a1, 1)
    x_rest, y_rest = tuple(x.shape[1:-1]), tuple(y.shape[2:])
    batch, depth = x.shape[0], x.shape[-1]
    out = torch.bmm(x.reshape(batch, math.prod(x_rest), depth),
                    y.reshape(batch, depth, math.prod(y_rest)))
    if both_2d:
        return out.reshape(batch, 1)
    return out.reshape((batch,) + x_rest + y_rest)


class Dot(Merge):
    """Dot product of two tensors per sample, along ``axes``.

    For inputs ``(batch, n)`` and ``(batch, n)`` with ``axes=1`` the output is
    ``(batch, 1)``; in general the output keeps the first input's remaining axes
    followed by the second's.

    Args:
        axes: An int (same axis in both inputs) or a pair of ints; never the batch axis.
        normalize: L2-normalize both inputs along ``axes`` first, giving cosine similarity.

    Example:
        >>> Dot(axes=1)([torch.ones(2, 3), torch.ones(2, 3)])
        tensor([[3.],
                [3.]])
    """

    def __init__(self, axes, normalize: bool = False, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(axes, int):
            if not isinstance(axes, (list, tuple)):
                raise TypeError("Invalid type for argument `axes`: it should be a list or an "
                                "int. Received: axes=%s" % (axes,))
            if len(axes) != 2:
                raise ValueError("Invalid format for argument `axes`: it should contain two "
                                 "elements. Received: axes=%s" % (axes,))
            if not isinstance(axes[0], int) or not isinstance(axes[1], int):
                raise ValueError("Invalid format for argument `axes`: list elements should be "
                                 "integers. Received: axes=%s" % (axes,))
        self.axes = axes
        self.normalize = normalize

    def _resolve_axes(self, rank1: int, rank2: int) -> list:
        pair = [self.axes, self.axes] if isinstance(self.axes, int) else list(self.axes)
        return [pair[0] % rank1 if pair[0] < 0 else pair[0],
                pair[1] % rank2 if pair[1] < 0 else pair[1]]

    def build(self, input_shape) -> None:
        if not isinstance(input_shape, (list, tuple)) or len(input_shape) != 2 or \
                not isinstance(input_shape[0], (list, tuple)):
            raise ValueError("A `Dot` layer should be called on a list of 2 inputs. "
                             "Received: input_shape=%s" % (input_shape,))
        shape1, shape2 = input_shape
        if shape1 is not None and shape2 is not None:
            self._check_shapes(tuple(shape1), tuple(shape2))
        self.built = True

    def _check_shapes(self, shape1, shape2) -> list:
        if len(shape1) < 2 or len(shape2) < 2:
            raise ValueError("Cannot do batch_dot on inputs with rank < 2. Received inputs "
                             "with shapes %s and %s." % (shape1, shape2))
        axes = self._resolve_axes(len(shape1), len(shape2))
        if 0 in axes:
            raise ValueError("Cannot perform batch_dot over axis 0. If your inputs are not "
                             "batched, add a dummy batch dimension to your inputs.")
        if max(axes[0] - len(shape1), axes[1] - len(shape2)) >= 0:
            raise ValueError("Dot axes %s are out of range for input shapes %s and %s"
                             % (self.axes, shape1, shape2))
        d1, d2 = shape1[axes[0]], shape2[axes[1]]
        if d1 is not None and d2 is not None and d1 != d2:
            raise ValueError("Incompatible input shapes: axis values %s (at axis %d) != %s "
                             "(at axis %d). Full input shapes: %s, %s"
                             % (d1, axes[0], d2, axes[1], shape1, shape2))
        return axes

    def call(self, inputs, mask=None):
        if not isinstance(inputs, (list, tuple)) or len(inputs) != 2:
            raise ValueError("A `Dot` layer should be called on exactly 2 inputs. Received: "
                             "inputs=%s" % (inputs,))
        x1, x2 = inputs
        axes = self._check_shapes(tuple(x1.shape), tuple(x2.shape))
        if self.normalize:
            x1 = _l2_normalize(x1, axes[0])
            x2 = _l2_normalize(x2, axes[1])
        return batch_dot(x1, x2, axes)

    def compute_output_shape(self, input_shape):
        if not isinstance(input_shape, (list, tuple)) or len(input_shape) != 2:
            raise ValueError("A `Dot` layer should be called on a list of 2 inputs. "
                             "Received: input_shape=%s" % (input_shape,))
        shape1, shape2 = list(input_shape[0]), list(input_shape[1])
        axes = self._resolve_axes(len(shape1), len(shape2))
        shape1.pop(axes[0])
        shape2.pop(axes[1])
        shape2.pop(0)
        out = shape1 + shape2
        if len(out) == 1:
            out.append(1)
        return tuple(out)

    def compute_mask(self, inputs, previous_mask=None):
        return None

    def get_config(self) -> dict:
        return {**super().get_config(), "axes": self.axes, "normalize": self.normalize}


def dot(inputs, axes=-1, normalize: bool = False, **kwargs):
    """Functional form of :class:`Dot`: ``dot([x1, x2], axes=1)``.

    Args:
        inputs: Two tensors (or KerasTensors).
        axes: Axis or pair of axes to contract.
        normalize: Cosine similarity instead of a raw dot product.
    """
    return Dot(axes=axes, normalize=normalize, **kwargs)(inputs)
