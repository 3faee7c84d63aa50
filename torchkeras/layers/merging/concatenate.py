"""Concatenate: joins a list of tensors along one axis."""
from __future__ import annotations

import torch

from torchkeras.layers.merging.base_merge import Merge, is_shape_list


class Concatenate(Merge):
    """Concatenates a list of tensors along ``axis``; all other dimensions must match.

    Args:
        axis: Concatenation axis (``-1``: the last one).

    Example:
        >>> Concatenate()([torch.zeros(2, 3), torch.ones(2, 4)]).shape
        torch.Size([2, 7])
    """

    def __init__(self, axis: int = -1, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(axis, int) or isinstance(axis, bool):
            raise ValueError("Concatenate expects an integer `axis`, got %r" % (axis,))
        self.axis = axis

    def _error(self, input_shape):
        return ValueError("A `Concatenate` layer requires inputs with matching shapes except "
                          "for the concatenation axis. Received: input_shape=%s"
                          % (list(input_shape),))

    def build(self, input_shape) -> None:
        if not is_shape_list(input_shape):
            raise ValueError("A `Concatenate` layer should be called on a list of at least 1 "
                             "input. Received: input_shape=%s" % (input_shape,))
        shapes = [tuple(s) for s in input_shape if s is not None]
        if shapes:
            if len({len(s) for s in shapes}) != 1:
                raise self._error(input_shape)
            rank = len(shapes[0])
            if not -rank <= self.axis < rank:
                raise ValueError("Concatenate axis %d is out of range for inputs of rank %d"
                                 % (self.axis, rank))
            axis = self.axis % rank
            for i in range(rank):
                if i == axis:
                    continue
                dims = {s[i] for s in shapes} - {None}
                if len(dims) > 1:
                    raise self._error(input_shape)
        self.built = True

    def call(self, inputs, mask=None):
        if not isinstance(inputs, (list, tuple)):
            raise ValueError("A `Concatenate` layer should be called on a list of inputs. "
                             "Received: inputs=%s" % (inputs,))
        return torch.cat(list(inputs), dim=self.axis)

    def compute_output_shape(self, input_shape):
        if not is_shape_list(input_shape):
            raise ValueError("A `Concatenate` layer should be called on a list of inputs. "
                             "Received: input_shape=%s" % (input_shape,))
        out = list(input_shape[0])
        for shape in input_shape[1:]:
            if out[self.axis] is None or shape[self.axis] is None:
                out[self.axis] = None
                break
            out[self.axis] += shape[self.axis]
        return tuple(out)

    def compute_mask(self, inputs, previous_mask=None):
        if previous_mask is None:
            return None
        if not isinstance(previous_mask, (list, tuple)):
            raise ValueError("`mask` should be a list. Received mask=%s" % (previous_mask,))
        if not isinstance(inputs, (list, tuple)):
            raise ValueError("`inputs` should be a list. Received: inputs=%s" % (inputs,))
        if len(previous_mask) != len(inputs):
            raise ValueError("The lists `inputs` and `mask` should have the same length. "
                             "Received: %d inputs and %d masks"
                             % (len(inputs), len(previous_mask)))
        if all(m is None for m in previous_mask):
            return None
        full = []
        for x, m in zip(inputs, previous_mask):
            if m is None:
                full.append(torch.ones(x.shape, dtype=torch.bool, device=x.device))
            elif m.ndim < x.ndim:
                full.append(m.unsqueeze(-1).expand(x.shape))
            else:
                full.append(m.bool())
        return torch.cat(full, dim=self.axis).any(dim=-1)

    def get_config(self) -> dict:
        return {**super().get_config(), "axis": self.axis}


def concatenate(inputs, axis: int = -1, **kwargs):
    """Functional form of :class:`Concatenate`: ``concatenate([x1, x2], axis=-1)``.

    Args:
        inputs: List of tensors (or KerasTensors).
        axis: Concatenation axis.
        **kwargs: Standard layer arguments (``name``...).
    """
    return Concatenate(axis=axis, **kwargs)(inputs)
