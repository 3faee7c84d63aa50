"""Merge: base of the layers that combine a list of tensors element-wise."""
from __future__ import annotations

import torch

from torchkeras.layers.convolutional import conv_utils as cu
from torchkeras.layers.layer import Layer


def broadcast_shapes(layer_name: str, shape1, shape2):
    """Keras's element-wise output shape of two sample shapes (``None`` = unknown)."""
    if shape1 is None or shape2 is None:
        return None
    if len(shape1) < len(shape2):
        shape1, shape2 = shape2, shape1
    if not shape2:
        return tuple(shape1)
    out = list(shape1[:len(shape1) - len(shape2)])
    for i, j in zip(shape1[len(shape1) - len(shape2):], shape2):
        if i is None or j is None:
            out.append(None)
        elif i == 1:
            out.append(j)
        elif j == 1 or i == j:
            out.append(i)
        else:
            raise ValueError("Inputs have incompatible shapes. Received shapes %s and %s "
                             "(layer %s)" % (tuple(shape1), tuple(shape2), layer_name))
    return tuple(out)


def is_shape_list(input_shape) -> bool:
    return isinstance(input_shape, (list, tuple)) and len(input_shape) > 0 and all(
        s is None or isinstance(s, (list, tuple)) for s in input_shape)


class Merge(Layer):
    """Base class of element-wise merge layers (``Add``, ``Average``...).

    Subclasses implement ``_merge_function(inputs, masks)``. Inputs of lower rank are
    expanded at axis 1 until all ranks match, then broadcast as in numpy.
    """

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True

    def build(self, input_shape) -> None:
        if not is_shape_list(input_shape):
            raise ValueError("A merge layer should be called on a list of inputs. Received: "
                             "input_shape=%s (not a list of shapes)" % (input_shape,))
        batch_sizes = {s[0] for s in input_shape if s} - {None}
        if len(batch_sizes) > 1:
            raise ValueError("Cannot merge tensors with different batch sizes. Received "
                             "tensors with shapes %s" % (list(input_shape),))
        self._sample_shape(input_shape)
        self.built = True

    def _sample_shape(self, input_shape):
        out = None if input_shape[0] is None else tuple(input_shape[0][1:])
        for shape in input_shape[1:]:
            out = broadcast_shapes(self.name, out, None if shape is None else tuple(shape[1:]))
        return out

    # Whether _merge_function acts on each position alone (any layout of the same values
    # gives the same result); subclasses that know it set True.
    _elementwise = False

    def _merge_function(self, inputs: list, masks: list | None):
        raise NotImplementedError

    def call(self, inputs, mask=None):
        if not isinstance(inputs, (list, tuple)):
            raise ValueError("A merge layer should be called on a list of inputs. Received: "
                             "inputs=%s (not a list of tensors)" % (inputs,))
        inputs = list(inputs)
        ndims = [x.ndim for x in inputs]
        top = max(ndims)
        if min(ndims) != top:
            inputs = [x.reshape(x.shape[:1] + (1,) * (top - x.ndim) + x.shape[1:])
                      for x in inputs]
        masks = list(mask) if isinstance(mask, (list, tuple)) else None
        if self._elementwise and masks is None and top > 2:
            # Residual sums of conv outputs: merge the (N, C, ...) tensors behind the
            # channels-last views, so the next layer need not permute again.
            ncs = [cu.nc_source(x) for x in inputs]
            if all(nc is not None and nc.shape == ncs[0].shape for nc in ncs):
                return cu.from_nc(self._merge_function(ncs, None), "channels_last")
        return self._merge_function(inputs, masks)

    def compute_output_shape(self, input_shape):
        sample = self._sample_shape(input_shape)
        batch_sizes = {s[0] for s in input_shape if s is not None} - {None}
        batch = next(iter(batch_sizes)) if len(batch_sizes) == 1 else None
        return (batch,) + tuple(sample)

    def compute_mask(self, inputs, previous_mask=None):
        if previous_mask is None:
            return None
        if not isinstance(previous_mask, (list, tuple)):
            raise ValueError("`mask` should be a list. Received: mask=%s" % (previous_mask,))
        if not isinstance(inputs, (list, tuple)):
            raise ValueError("`inputs` should be a list. Received: inputs=%s" % (inputs,))
        if len(previous_mask) != len(inputs):
            raise ValueError("The lists `inputs` and `mask` should have the same length. "
                             "Received: %d inputs and %d masks"
                             % (len(inputs), len(previous_mask)))
        if any(m is None for m in previous_mask):
            return None
        out = previous_mask[0]
        for m in previous_mask[1:]:
            out = torch.logical_or(out, m)
        return out

    def get_config(self) -> dict:
        return super().get_config()


def expand_mask(mask: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
    """A per-timestep mask ``(batch, steps)`` broadcast over ``x``'s feature axis."""
    if mask.ndim < x.ndim:
        mask = mask.unsqueeze(-1)
    return mask.expand(x.shape)


def merge_with_or_mask(op, inputs: list, masks: list | None):
    """Folds ``op`` over the inputs where masked-out entries take the other operand.

    Used by Maximum/Minimum, which have no neutral element: an entry masked in one input
    takes the other input's value; the result's mask is the OR of all masks.
    """
    out, out_mask = None, None
    masks = masks or [None] * len(inputs)
    for x, m in zip(inputs, masks):
        if m is not None:
            m = expand_mask(m, x)
        if out is None:
            out, out_mask = x, m
            continue
        if m is not None:
            x = torch.where(m, x, out)
        if out_mask is not None:
            out = torch.where(out_mask, out, x)
        out_mask = torch.logical_or(out_mask, m) if (m is not None and out_mask is not None) \
            else None
        out = op(out, x)
    return out
