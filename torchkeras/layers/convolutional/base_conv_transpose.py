"""BaseConvTranspose: transposed convolution stored as ``nn.ConvTransposeNd`` stores it."""
from __future__ import annotations

import numbers

import torch
import torch.nn.functional as F

from torchkeras import activations, constraints, initializers, regularizers
from torchkeras import config as _config
from torchkeras.layers.convolutional import conv_utils as cu
from torchkeras.layers.convolutional.base_conv import ConvKernelMixin
from torchkeras.layers.layer import Layer


class BaseConvTranspose(ConvKernelMixin, Layer):
    """N-D transposed convolution with Keras's (TF's) output sizes.

    The kernel is stored as ``weight`` ``(in, filters, *k)`` (``nn.ConvTransposeNd``);
    Keras's layout ``(*k, filters, in)`` is used by ``kernel`` and ``get_weights``.

    Args:
        rank: Number of spatial dimensions.
        filters: Number of output channels.
        kernel_size: Int or tuple of ``rank`` ints.
        strides: Int or tuple of ``rank`` ints.
        padding: ``"valid"`` or ``"same"``.
        output_padding: None or int/tuple: extra size added on the right of each
            spatial dimension (must be smaller than the stride).
        data_format: ``"channels_last"``, ``"channels_first"`` or None.
        dilation_rate: Int or tuple of ``rank`` ints.
        activation, use_bias, kernel_initializer, bias_initializer, kernel_regularizer,
        bias_regularizer, activity_regularizer, kernel_constraint, bias_constraint:
            As for ``Conv2D``.
    """

    def __init__(self, rank: int, filters: int, kernel_size, strides=1, padding: str = "valid",
                 output_padding=None, data_format: str | None = None, dilation_rate=1,
                 activation=None, use_bias: bool = True, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", kernel_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, kernel_constraint=None, bias_constraint=None,
                 **kwargs):
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        cls = type(self).__name__
        if isinstance(filters, bool) or not isinstance(filters, numbers.Integral) or filters <= 0:
            raise ValueError("%s expects `filters` to be a strictly positive integer, got %r"
                             % (cls, filters))
        filters = int(filters)  # numpy integers too, as Keras takes them
        self.rank = rank
        self.filters = filters
        self.kernel_size = cu.standardize_tuple(kernel_size, rank, "kernel_size", layer=cls)
        self.strides = cu.standardize_tuple(strides, rank, "strides", layer=cls)
        self.dilation_rate = cu.standardize_tuple(dilation_rate, rank, "dilation_rate",
                                                  layer=cls)
        self.padding = cu.standardize_padding(padding, layer=cls)
        self.output_padding = None if output_padding is None else cu.standardize_tuple(
            output_padding, rank, "output_padding", allow_zero=True, layer=cls)
        if self.output_padding is not None:
            for i, (op, s) in enumerate(zip(self.output_padding, self.strides)):
                if op >= s:
                    raise ValueError("%s expects `output_padding` to be strictly less than "
                                     "`strides` in every dimension; at dimension %d "
                                     "output_padding=%d, strides=%d" % (cls, i, op, s))
        if max(self.strides) > 1 and max(self.dilation_rate) > 1:
            raise ValueError("%s does not support `strides` > 1 together with `dilation_rate`"
                             " > 1, got strides=%s, dilation_rate=%s"
                             % (cls, self.strides, self.dilation_rate))
        self.data_format = _config.standardize_data_format(data_format)
        self.activation = activations.get(activation)
        self.use_bias = bool(use_bias)
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self._linear_act = self.activation is activations.linear
        self._lift = rank == 1 and self.data_format == "channels_last"
        self.groups = 1

    def build(self, input_shape) -> None:
        in_ch = self._channels(input_shape)
        self.weight = self._add_kernel("kernel", self.kernel_size + (self.filters, in_ch),
                                       self.kernel_initializer, self.kernel_regularizer,
                                       self.kernel_constraint)
        self.bias = self.add_weight(name="bias", shape=(self.filters,),
                                    initializer=self.bias_initializer,
                                    regularizer=self.bias_regularizer,
                                    constraint=self.bias_constraint) if self.use_bias else None
        self.built = True

    def call(self, inputs):
        x = cu.to_nc(inputs, self.data_format)
        spatial = x.shape[2:]
        cache = self.__dict__.setdefault("_crop_cache", {})
        plan = cache.get(spatial)
        if plan is None:
            plan = cache[spatial] = self._plan(spatial)
        crops, fits = plan
        if fits:
            y = cu.conv_transpose(x, self.weight, self.bias, self.strides,
                                  tuple(l for l, _ in crops), tuple(l - r for l, r in crops),
                                  self.dilation_rate, self._lift)
        else:
            y = cu.conv_transpose(x, self.weight, None, self.strides, 0, 0, self.dilation_rate,
                                  self._lift)
            flat = []
            for l, r in reversed(crops):
                flat += [-l, -r]
            y = F.pad(y, flat)
            if self.bias is not None:
                y = y + self.bias.reshape((-1,) + (1,) * self.rank)
        y = cu.from_nc(y, self.data_format)
        return y if self._linear_act else self.activation(y)

    def _plan(self, spatial):
        crops = cu.transpose_crops(spatial, self.kernel_size, self.strides, self.padding,
                                   self.output_padding, self.dilation_rate)
        # torch crops `p` on both sides and may extend the right by `op` < max(s, d):
        # use that directly when Keras's crops fit, else crop/zero-pad the full output.
        fits = all(l >= 0 and 0 <= l - r < max(s, d)
                   for (l, r), s, d in zip(crops, self.strides, self.dilation_rate))
        return crops, fits

    def compute_output_shape(self, input_shape):
        input_shape = tuple(input_shape)
        self._channels(input_shape, required=False)
        spatial = input_shape[1:-1] if self.data_format == "channels_last" else input_shape[2:]
        ops = self.output_padding or (None,) * self.rank
        out = tuple(cu.transpose_output_length(s, k, st, self.padding, op, d) for s, k, st, op, d
                    in zip(spatial, self.kernel_size, self.strides, ops, self.dilation_rate))
        if self.data_format == "channels_last":
            return (input_shape[0],) + out + (self.filters,)
        return (input_shape[0], self.filters) + out

    def get_config(self) -> dict:
        return {
            **super().get_config(),
            "filters": self.filters,
            "kernel_size": self.kernel_size,
            "strides": self.strides,
            "padding": self.padding,
            "output_padding": self.output_padding,
            "data_format": self.data_format,
            "dilation_rate": self.dilation_rate,
            "activation": activations.serialize(self.activation),
            "use_bias": self.use_bias,
            "kernel_initializer": initializers.serialize(self.kernel_initializer),
            "bias_initializer": initializers.serialize(self.bias_initializer),
            "kernel_regularizer": regularizers.serialize(self.kernel_regularizer),
            "bias_regularizer": regularizers.serialize(self.bias_regularizer),
            "activity_regularizer": regularizers.serialize(self.activity_regularizer),
            "kernel_constraint": constraints.serialize(self.kernel_constraint),
            "bias_constraint": constraints.serialize(self.bias_constraint),
        }
