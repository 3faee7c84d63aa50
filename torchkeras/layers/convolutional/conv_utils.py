"""Shared helpers of the convolution and pooling layers: argument checks, Keras/TF
padding arithmetic, channels_last <-> NC* views and Keras-layout weights."""
from __future__ import annotations

import torch
import torch.nn.functional as F

from torchkeras.fast_paths import from_nc, nc_source, to_nc  # noqa: F401  (re-exported)
from torchkeras.variables import Variable

CONV_FNS = {1: F.conv1d, 2: F.conv2d, 3: F.conv3d}
CONV_T_FNS = {1: F.conv_transpose1d, 2: F.conv_transpose2d, 3: F.conv_transpose3d}


def conv(x, weight, bias, strides, padding, dilation, groups: int = 1, lift: bool = False):
    """F.convNd on an (N, C, *spatial) tensor. ``lift``: run a 1D convolution of a
    channels_last view as a 2D one over (N, C, 1, L) — that view is in torch's
    channels_last 2D memory format, whose CPU kernels are much faster than conv1d's."""
    if lift:
        pad = (0, padding) if isinstance(padding, int) else (0,) + tuple(padding)
        return F.conv2d(x.unsqueeze(2), weight.unsqueeze(2), bias, (1,) + tuple(strides), pad,
                        (1,) + tuple(dilation), groups).squeeze(2)
    return CONV_FNS[x.dim() - 2](x, weight, bias, strides, padding, dilation, groups)


def conv_transpose(x, weight, bias, strides, padding, output_padding, dilation,
                   lift: bool = False):
    """F.conv_transposeNd on an (N, C, *spatial) tensor (``lift`` as in :func:`conv`)."""
    if lift:
        def two(v):
            return (0,) + tuple(v) if isinstance(v, (tuple, list)) else (0, v)
        return F.conv_transpose2d(x.unsqueeze(2), weight.unsqueeze(2), bias,
                                  (1,) + tuple(strides), two(padding), two(output_padding), 1,
                                  (1,) + tuple(dilation)).squeeze(2)
    return CONV_T_FNS[x.dim() - 2](x, weight, bias, strides, padding, output_padding, 1,
                                   dilation)


def standardize_tuple(value, n: int, name: str, allow_zero: bool = False,
                      layer: str = "Layer") -> tuple:
    """An int or n ints -> a tuple of n non-negative (or positive) ints."""
    msg = "%s expects `%s` to be an int or a tuple of %d integers, got %r" % (
        layer, name, n, value)
    if isinstance(value, bool):
        raise ValueError(msg)
    if isinstance(value, int):
        out = (value,) * n
    else:
        try:
            out = tuple(value)
        except TypeError:
            raise ValueError(msg) from None
        if len(out) != n or not all(isinstance(v, int) and not isinstance(v, bool)
                                    for v in out):
            raise ValueError(msg)
    if any(v < 0 or (v == 0 and not allow_zero) for v in out):
        raise ValueError("%s expects `%s` values %s, got %r"
                         % (layer, name, ">= 0" if allow_zero else "> 0", value))
    return out


def standardize_padding(value, allow_causal: bool = False, layer: str = "Layer") -> str:
    allowed = ("valid", "same", "causal") if allow_causal else ("valid", "same")
    padding = value.lower() if isinstance(value, str) else value
    if padding not in allowed:
        raise ValueError("%s expects `padding` to be one of %s, got %r"
                         % (layer, ", ".join(allowed), value))
    return padding


def same_pads(size: int, kernel: int, stride: int, dilation: int = 1) -> tuple[int, int]:
    """TF/Keras "same" padding (left, right): any odd pixel goes to the right."""
    eff = (kernel - 1) * dilation + 1
    out = -(-size // stride)
    total = max((out - 1) * stride + eff - size, 0)
    return total // 2, total - total // 2


def conv_output_length(size, kernel: int, stride: int, padding: str, dilation: int = 1):
    if size is None:
        return None
    if padding == "valid":
        return (size - (kernel - 1) * dilation - 1) // stride + 1
    return (size - 1) // stride + 1


def conv_output_shape(input_shape, filters, kernel_size, strides, padding, data_format,
                      dilation_rate, layer: str = "Conv"):
    input_shape = tuple(input_shape)
    rank = len(kernel_size)
    if len(input_shape) != rank + 2:
        raise ValueError("%s expects inputs of rank %d, got shape %s"
                         % (layer, rank + 2, input_shape))
    spatial = input_shape[1:-1] if data_format == "channels_last" else input_shape[2:]
    out = tuple(conv_output_length(s, k, st, padding, d)
                for s, k, st, d in zip(spatial, kernel_size, strides, dilation_rate))
    for o in out:
        if o is not None and o <= 0:
            raise ValueError("%s: computed output size would be zero or negative for input "
                             "shape %s, kernel_size=%s, strides=%s, padding=%s, "
                             "dilation_rate=%s" % (layer, input_shape, kernel_size, strides,
                                                   padding, dilation_rate))
    if data_format == "channels_last":
        return (input_shape[0],) + out + (filters,)
    return (input_shape[0], filters) + out


def same_padding_args(spatial, kernel_size, strides, dilation_rate):
    """Torch ``padding`` for a symmetric "same" pad, else the F.pad list (last dim first)."""
    pads = [same_pads(s, k, st, d) for s, k, st, d in
            zip(spatial, kernel_size, strides, dilation_rate)]
    if all(l == r for l, r in pads):
        return tuple(l for l, _ in pads), None
    flat = []
    for l, r in reversed(pads):
        flat += [l, r]
    return 0, flat


def transpose_crops(spatial, kernel_size, strides, padding, output_padding, dilation_rate):
    """(left, right) crops of torch's full transposed-conv output giving Keras's result
    (negative: extend with zeros)."""
    crops = []
    for i, size in enumerate(spatial):
        k, s, d = kernel_size[i], strides[i], dilation_rate[i]
        op = None if output_padding is None else output_padding[i]
        eff = (k - 1) * d + 1
        if padding == "valid":
            op = max(eff, s) - eff if op is None else op
            left, right = eff - 1, eff - 1 + op
        else:
            total = s + eff - 2 if op is None else eff + eff % 2 - 2 + op
            left = min(total // 2 + total % 2, eff - 1)
            right = total - left
        crops.append((eff - 1 - left, eff - 1 - right))
    return crops


def transpose_output_length(size, kernel: int, stride: int, padding: str, output_padding,
                            dilation: int = 1):
    if size is None:
        return None
    eff = (kernel - 1) * dilation + 1
    if padding == "valid":
        op = max(eff, stride) - eff if output_padding is None else output_padding
        return (size - 1) * stride + eff + op
    if output_padding is None:
        return size * stride
    return (size - 1) * stride + eff % 2 + output_padding


# ---------------------------------------------------------------- Keras <-> torch layouts
def keras_to_torch_perm(ndim: int) -> tuple:
    """Permutation taking a Keras kernel (*k, a, b) to torch's (b, a, *k)."""
    return (ndim - 1, ndim - 2) + tuple(range(ndim - 2))


def torch_to_keras_perm(ndim: int) -> tuple:
    return tuple(range(2, ndim)) + (1, 0)


def torch_variable(keras_var: Variable, to_torch, to_keras) -> Variable:
    """A Variable holding ``to_torch(keras_var)``; its regularizer and constraint still
    see the Keras layout (they are written for it)."""
    with torch.no_grad():
        data = to_torch(keras_var.detach()).contiguous()
    out = Variable(data, trainable=keras_var.trainable, name=keras_var.name)
    out.path = keras_var.path
    reg = getattr(keras_var, "regularizer", None)
    con = getattr(keras_var, "constraint", None)
    out.regularizer = _wrap(reg, to_keras) if reg is not None else None
    out.constraint = _wrap(con, to_keras, to_torch) if con is not None else None
    return out


def _wrap(fn, to_keras, back=None):
    def wrapped(w):
        out = fn(to_keras(w))
        return back(out) if back is not None else out
    wrapped.keras_object = fn
    return wrapped
