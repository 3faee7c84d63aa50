"""Convolution and pooling ops of ``keras.ops.nn`` on torch kernels.

Keras conventions at the boundary: ``data_format`` (channels_last by default, from
``torchkeras.config.image_data_format()``), ``"valid"``/``"same"`` padding with the extra
pad on the right when odd (as TensorFlow), and Keras kernel layouts — conv kernels are
``(*spatial, in // groups, out)``, depthwise ``(*spatial, in, multiplier)``, transposed
``(*spatial, out, in)``. Channels-last inputs reach torch as permuted views.

Example:
    >>> from torchkeras.ops import nn
    >>> y = nn.conv(images, kernel, strides=2, padding="same")   # NHWC in, NHWC out
"""
from __future__ import annotations

from typing import Any

import torch
import torch.nn.functional as F

from torchkeras.ops.arg_utils import (data_format as std_format, floating, from_channels_first,
                                  tensor, to_channels_first, tuple_n)
from torchkeras.ops.symbolic import keras_op

__all__ = [
    "adaptive_average_pool", "adaptive_max_pool", "average_pool", "conv", "conv_transpose",
    "depth_to_space", "depthwise_conv", "fold", "max_pool", "separable_conv",
    "space_to_depth", "unfold",
]

_CONV = {1: F.conv1d, 2: F.conv2d, 3: F.conv3d}
_CONV_T = {1: F.conv_transpose1d, 2: F.conv_transpose2d, 3: F.conv_transpose3d}


def _spatial_rank(x: torch.Tensor, name: str) -> int:
    if x.ndim not in (3, 4, 5):
        raise ValueError(f"{name}: inputs must have rank 3, 4 or 5 (batch, spatial..., "
                         f"channels); got shape {tuple(x.shape)}")
    return x.ndim - 2


def _same_pads(sizes, kernel, strides, dilation) -> list[tuple[int, int]]:
    pads = []
    for n, k, s, d in zip(sizes, kernel, strides, dilation):
        eff = (k - 1) * d + 1
        total = eff - 1 if s == 1 else max((-(-n // s) - 1) * s + eff - n, 0)
        pads.append((total // 2, total - total // 2))
    return pads


def _pad_arg(x, pads, mode="constant"):
    """Symmetric pads go to torch's kernel; asymmetric ones are applied explicitly."""
    if all(a == b for a, b in pads):
        return x, tuple(a for a, _ in pads)
    flat = [v for a, b in reversed(pads) for v in (a, b)]
    return F.pad(x, flat, mode=mode), 0


def _padding(padding: str, name: str) -> str:
    p = str(padding).lower()
    if p not in ("valid", "same"):
        raise ValueError(f"{name}: `padding` must be 'valid' or 'same', got {padding!r}")
    return p


def _conv_nc(x, weight, strides, padding, dilation, groups, name):
    n = x.ndim - 2
    if padding == "same":
        pads = _same_pads(x.shape[2:], weight.shape[2:], strides, dilation)
        x, pad = _pad_arg(x, pads)
    else:
        pad = 0
    return _CONV[n](x, weight, None, strides, pad, dilation, groups)


@keras_op
def conv(inputs: Any, kernel: Any, strides: Any = 1, padding: str = "valid",
         data_format: str | None = None, dilation_rate: Any = 1) -> torch.Tensor:
    """N-D convolution with a Keras kernel ``(*spatial, in // groups, out)``.

    Args:
        inputs: ``(batch, *spatial, channels)`` (or channels-first) tensor.
        kernel: Kernel in Keras layout.
        strides: Int or tuple per spatial dim.
        padding: ``"valid"`` or ``"same"``.
        data_format: ``"channels_last"``/``"channels_first"`` (None: the config's).
        dilation_rate: Int or tuple per spatial dim.

    Example:
        >>> conv(torch.ones(1, 8, 8, 3), torch.ones(3, 3, 3, 4), padding="same").shape
        torch.Size([1, 8, 8, 4])
    """
    x, k = tensor(inputs), tensor(kernel)
    if not x.is_floating_point() or not k.is_floating_point():
        x, k = floating(x), floating(k)
    fmt = std_format(data_format)
    n = _spatial_rank(x, "conv")
    if k.ndim != n + 2:
        raise ValueError(f"conv: kernel rank must be {n + 2} for inputs {tuple(x.shape)}; "
                         f"got kernel {tuple(k.shape)}")
    x = to_channels_first(x, fmt)
    in_ch = x.shape[1]
    if in_ch % k.shape[-2]:
        raise ValueError(f"conv: input channels {in_ch} are not a multiple of the kernel's "
                         f"input channels {k.shape[-2]} (inputs {tuple(x.shape)}, kernel "
                         f"{tuple(k.shape)})")
    weight = k.permute(n + 1, n, *range(n))
    if weight.dtype != x.dtype:
        weight = weight.to(x.dtype)
    y = _conv_nc(x, weight, tuple_n(strides, n, "strides"),
                 _padding(padding, "conv"), tuple_n(dilation_rate, n, "dilation_rate"),
                 in_ch // k.shape[-2], "conv")
    return from_channels_first(y, fmt)


@keras_op
def depthwise_conv(inputs: Any, kernel: Any, strides: Any = 1, padding: str = "valid",
                   data_format: str | None = None, dilation_rate: Any = 1) -> torch.Tensor:
    """Per-channel convolution with a kernel ``(*spatial, in, multiplier)``.

    Example:
        >>> depthwise_conv(torch.ones(1, 8, 8, 3), torch.ones(3, 3, 3, 2)).shape
        torch.Size([1, 6, 6, 6])
    """
    x, k = floating(inputs), floating(kernel)
    fmt = std_format(data_format)
    n = _spatial_rank(x, "depthwise_conv")
    x = to_channels_first(x, fmt)
    if k.ndim != n + 2 or k.shape[-2] != x.shape[1]:
        raise ValueError(f"depthwise_conv: kernel {tuple(k.shape)} does not match inputs "
                         f"with {x.shape[1]} channels and {n} spatial dims")
    weight = k.reshape(*k.shape[:n], -1).permute(n, *range(n)).unsqueeze(1)
    y = _conv_nc(x, weight.to(x.dtype), tuple_n(strides, n, "strides"),
                 _padding(padding, "depthwise_conv"),
                 tuple_n(dilation_rate, n, "dilation_rate"), x.shape[1], "depthwise_conv")
    return from_channels_first(y, fmt)


@keras_op
def separable_conv(inputs: Any, depthwise_kernel: Any, pointwise_kernel: Any,
                   strides: Any = 1, padding: str = "valid", data_format: str | None = None,
                   dilation_rate: Any = 1) -> torch.Tensor:
    """Depthwise convolution followed by a 1x1 pointwise convolution.

    Example:
        >>> separable_conv(x, torch.ones(3, 3, 3, 2), torch.ones(1, 1, 6, 8)).shape
    """
    y = depthwise_conv.__wrapped_op__(inputs, depthwise_kernel, strides, padding,
                                      data_format, dilation_rate)
    return conv.__wrapped_op__(y, pointwise_kernel, 1, "valid", data_format, 1)


@keras_op
def conv_transpose(inputs: Any, kernel: Any, strides: Any = 1, padding: str = "valid",
                   output_padding: Any = None, data_format: str | None = None,
                   dilation_rate: Any = 1) -> torch.Tensor:
    """Transposed convolution with a Keras kernel ``(*spatial, out, in)``.

    Output length per dim: ``"same"`` gives ``in * stride``, ``"valid"`` gives
    ``(in - 1) * stride + max(kernel, stride)``; ``output_padding`` adds on the right.

    Example:
        >>> conv_transpose(torch.ones(1, 4, 4, 3), torch.ones(3, 3, 5, 3), 2, "same").shape
        torch.Size([1, 8, 8, 5])
    """
    x, k = floating(inputs), floating(kernel)
    fmt = std_format(data_format)
    n = _spatial_rank(x, "conv_transpose")
    x = to_channels_first(x, fmt)
    if k.ndim != n + 2 or k.shape[-1] != x.shape[1]:
        raise ValueError(f"conv_transpose: kernel {tuple(k.shape)} does not match inputs "
                         f"with {x.shape[1]} channels and {n} spatial dims")
    strides = tuple_n(strides, n, "strides")
    dil = tuple_n(dilation_rate, n, "dilation_rate")
    pad_mode = _padding(padding, "conv_transpose")
    outp = None if output_padding is None else tuple_n(output_padding, n, "output_padding")
    weight = k.permute(n + 1, n, *range(n)).to(x.dtype)
    full = _CONV_T[n](x, weight, None, strides, 0, 0, 1, dil)
    # `full` is the uncropped result; crop/pad each dim to Keras's (TF's) extent.
    pads = []
    for i in range(n):
        eff = (k.shape[i] - 1) * dil[i] + 1
        s = strides[i]
        if pad_mode == "valid":
            op = max(eff, s) - eff if outp is None else outp[i]
            left, right = eff - 1, eff - 1 + op
        else:
            total = s + eff - 2 if outp is None else eff + eff % 2 - 2 + outp[i]
            left = min(total // 2 + total % 2, eff - 1)
            right = total - left
        pads.append((left - (eff - 1), right - (eff - 1)))
    y = F.pad(full, [v for a, b in reversed(pads) for v in (a, b)])
    return from_channels_first(y, fmt)


def _pool(x, pool_size, strides, padding, data_format, name, kind):
    x = tensor(x)
    if kind == "avg" and not x.is_floating_point():
        x = floating(x)
    fmt = std_format(data_format)
    n = _spatial_rank(x, name)
    size = tuple_n(pool_size, n, "pool_size")
    strides = size if strides is None else tuple_n(strides, n, "strides")
    x = to_channels_first(x, fmt)
    pad = 0
    if _padding(padding, name) == "same":
        x, pad = _pad_arg(x, _same_pads(x.shape[2:], size, strides, (1,) * n), "replicate")
    if kind == "max":
        fn = {1: F.max_pool1d, 2: F.max_pool2d, 3: F.max_pool3d}[n]
        y = fn(x, size, strides, pad)
    else:
        fn = {1: F.avg_pool1d, 2: F.avg_pool2d, 3: F.avg_pool3d}[n]
        y = fn(x, size, strides, pad, count_include_pad=False)
    return from_channels_first(y, fmt)


@keras_op
def max_pool(inputs: Any, pool_size: Any, strides: Any = None, padding: str = "valid",
             data_format: str | None = None) -> torch.Tensor:
    """Max pooling over the spatial dims (``strides`` defaults to ``pool_size``).

    Example:
        >>> max_pool(torch.ones(1, 4, 4, 3), 2).shape   # (1, 2, 2, 3)
    """
    return _pool(inputs, pool_size, strides, padding, data_format, "max_pool", "max")


@keras_op
def average_pool(inputs: Any, pool_size: Any, strides: Any = None, padding: str = "valid",
                 data_format: str | None = None) -> torch.Tensor:
    """Average pooling over the spatial dims (padding not counted in the average).

    Example:
        >>> average_pool(torch.ones(1, 4, 4, 3), 2).shape   # (1, 2, 2, 3)
    """
    return _pool(inputs, pool_size, strides, padding, data_format, "average_pool", "avg")


def _adaptive(x, output_size, data_format, name, kind):
    x = floating(x) if kind == "avg" else tensor(x)
    fmt = std_format(data_format)
    n = _spatial_rank(x, name)
    size = tuple_n(output_size, n, "output_size")
    fns = ({1: F.adaptive_avg_pool1d, 2: F.adaptive_avg_pool2d, 3: F.adaptive_avg_pool3d}
           if kind == "avg" else
           {1: F.adaptive_max_pool1d, 2: F.adaptive_max_pool2d, 3: F.adaptive_max_pool3d})
    return from_channels_first(fns[n](to_channels_first(x, fmt), size), fmt)


@keras_op
def adaptive_average_pool(inputs: Any, output_size: Any,
                          data_format: str | None = None) -> torch.Tensor:
    """Average pooling to a fixed spatial ``output_size``.

    Example:
        >>> adaptive_average_pool(torch.ones(1, 7, 7, 3), 2).shape   # (1, 2, 2, 3)
    """
    return _adaptive(inputs, output_size, data_format, "adaptive_average_pool", "avg")


@keras_op
def adaptive_max_pool(inputs: Any, output_size: Any,
                      data_format: str | None = None) -> torch.Tensor:
    """Max pooling to a fixed spatial ``output_size``.

    Example:
        >>> adaptive_max_pool(torch.ones(1, 7, 7, 3), 2).shape   # (1, 2, 2, 3)
    """
    return _adaptive(inputs, output_size, data_format, "adaptive_max_pool", "max")


@keras_op
def unfold(x: Any, kernel_size: Any, dilation: Any = 1, padding: Any = 0,
           stride: Any = 1) -> torch.Tensor:
    """Sliding blocks of an NCHW batch as ``(N, C * kh * kw, L)`` (im2col).

    Example:
        >>> unfold(torch.ones(1, 3, 4, 4), 2).shape   # (1, 12, 9)
    """
    return F.unfold(tensor(x), kernel_size, dilation, padding, stride)


@keras_op
def fold(x: Any, output_size: Any, kernel_size: Any, dilation: Any = 1, padding: Any = 0,
         stride: Any = 1) -> torch.Tensor:
    """Sums ``(N, C * kh * kw, L)`` blocks back into an NCHW image (col2im).

    Example:
        >>> fold(torch.ones(1, 12, 9), (4, 4), 2).shape   # (1, 3, 4, 4)
    """
    return F.fold(tensor(x), output_size, kernel_size, dilation, padding, stride)


@keras_op
def depth_to_space(x: Any, block_size: int,
                   data_format: str = "channels_last") -> torch.Tensor:
    """Moves channel blocks into ``block_size`` x ``block_size`` spatial blocks.

    Example:
        >>> depth_to_space(torch.ones(1, 2, 2, 8), 2).shape   # (1, 4, 4, 2)
    """
    x, b = tensor(x), int(block_size)
    if x.ndim != 4:
        raise ValueError(f"depth_to_space: expected a 4D tensor, got {tuple(x.shape)}")
    if std_format(data_format) == "channels_first":
        return F.pixel_shuffle(x, b)
    n, h, w, c = x.shape
    y = x.reshape(n, h, w, b, b, c // (b * b)).permute(0, 1, 3, 2, 4, 5)
    return y.reshape(n, h * b, w * b, c // (b * b))


@keras_op
def space_to_depth(x: Any, block_size: int,
                   data_format: str = "channels_last") -> torch.Tensor:
    """Moves ``block_size`` x ``block_size`` spatial blocks into channels.

    Example:
        >>> space_to_depth(torch.ones(1, 4, 4, 2), 2).shape   # (1, 2, 2, 8)
    """
    x, b = tensor(x), int(block_size)
    if x.ndim != 4:
        raise ValueError(f"space_to_depth: expected a 4D tensor, got {tuple(x.shape)}")
    if std_format(data_format) == "channels_first":
        return F.pixel_unshuffle(x, b)
    n, h, w, c = x.shape
    y = x.reshape(n, h // b, b, w // b, b, c).permute(0, 1, 3, 2, 4, 5)
    return y.reshape(n, h // b, w // b, c * b * b)
