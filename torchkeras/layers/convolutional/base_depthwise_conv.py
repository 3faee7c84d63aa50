"""BaseDepthwiseConv: per-channel convolution, stored as ``nn.ConvNd(groups=in)`` stores it."""
from __future__ import annotations

import torch
import torch.nn.functional as F

from torchkeras import activations, constraints, initializers, regularizers
from torchkeras import config as _config
from torchkeras.layers.convolutional import conv_utils as cu
from torchkeras.layers.convolutional.base_conv import ConvKernelMixin
from torchkeras.layers.layer import Layer


def depthwise_to_torch(k: torch.Tensor) -> torch.Tensor:
    """Keras (*k, in, m) -> torch (in * m, 1, *k); output channel c * m + j as in Keras."""
    n = k.dim()
    t = k.permute(n - 2, n - 1, *range(n - 2))
    return t.reshape((t.shape[0] * t.shape[1], 1) + tuple(t.shape[2:]))


def depthwise_to_keras(w: torch.Tensor, multiplier: int) -> torch.Tensor:
    n = w.dim()
    t = w.reshape((w.shape[0] // multiplier, multiplier) + tuple(w.shape[2:]))
    return t.permute(*range(2, n), 0, 1)


class BaseDepthwiseConv(ConvKernelMixin, Layer):
    """N-D depthwise convolution: each input channel convolved with its own
    ``depth_multiplier`` filters.

    Args:
        rank: Number of spatial dimensions.
        kernel_size: Int or tuple of ``rank`` ints.
        strides: Int or tuple of ``rank`` ints.
        padding: ``"valid"`` or ``"same"``.
        depth_multiplier: Output channels per input channel.
        data_format: ``"channels_last"``, ``"channels_first"`` or None.
        dilation_rate: Int or tuple of ``rank`` ints.
        activation: Activation applied to the output.
        use_bias: Whether to add a bias.
        depthwise_initializer, bias_initializer: Initializers.
        depthwise_regularizer, bias_regularizer, activity_regularizer: Penalties.
        depthwise_constraint, bias_constraint: Projections after optimizer steps.
    """

    def __init__(self, rank: int, depth_multiplier: int = 1, kernel_size=1, strides=1,
                 padding: str = "valid", data_format: str | None = None, dilation_rate=1,
                 activation=None, use_bias: bool = True, depthwise_initializer="glorot_uniform",
                 bias_initializer="zeros", depthwise_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, depthwise_constraint=None, bias_constraint=None,
                 **kwargs):
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        cls = type(self).__name__
        if isinstance(depth_multiplier, bool) or not isinstance(depth_multiplier, int) \
                or depth_multiplier <= 0:
            raise ValueError("%s expects `depth_multiplier` to be a strictly positive integer,"
                             " got %r" % (cls, depth_multiplier))
        self.rank = rank
        self.depth_multiplier = depth_multiplier
        self.kernel_size = cu.standardize_tuple(kernel_size, rank, "kernel_size", layer=cls)
        self.strides = cu.standardize_tuple(strides, rank, "strides", layer=cls)
        self.dilation_rate = cu.standardize_tuple(dilation_rate, rank, "dilation_rate",
                                                  layer=cls)
        self.padding = cu.standardize_padding(padding, layer=cls)
        if max(self.strides) > 1 and max(self.dilation_rate) > 1:
            raise ValueError("%s does not support `strides` > 1 together with `dilation_rate`"
                             " > 1, got strides=%s, dilation_rate=%s"
                             % (cls, self.strides, self.dilation_rate))
        self.data_format = _config.standardize_data_format(data_format)
        self.activation = activations.get(activation)
        self.use_bias = bool(use_bias)
        self.depthwise_initializer = initializers.get(depthwise_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.depthwise_regularizer = regularizers.get(depthwise_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.depthwise_constraint = constraints.get(depthwise_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self._linear_act = self.activation is activations.linear
        self._lift = rank == 1 and self.data_format == "channels_last"

    def build(self, input_shape) -> None:
        in_ch = self._channels(input_shape)
        self.compute_output_shape(input_shape)
        m = self.depth_multiplier
        self.weight = self._add_kernel("kernel", self.kernel_size + (in_ch, m),
                                       self.depthwise_initializer, self.depthwise_regularizer,
                                       self.depthwise_constraint, depthwise_to_torch,
                                       lambda t: depthwise_to_keras(t, m))
        self.bias = self.add_weight(name="bias", shape=(in_ch * m,),
                                    initializer=self.bias_initializer,
                                    regularizer=self.bias_regularizer,
                                    constraint=self.bias_constraint) if self.use_bias else None
        self.built = True

    @property
    def kernel(self) -> torch.Tensor:
        return depthwise_to_keras(self.weight, self.depth_multiplier)

    def _to_keras_layout(self, key, tensor):
        return depthwise_to_keras(tensor, self.depth_multiplier) if key == "weight" else tensor

    def _from_keras_layout(self, key, tensor):
        return depthwise_to_torch(tensor) if key == "weight" else tensor

    def call(self, inputs):
        x = cu.to_nc(inputs, self.data_format)
        x, padding = self._pad_same(x)
        y = cu.conv(x, self.weight, self.bias, self.strides, padding, self.dilation_rate,
                    x.shape[1], self._lift)
        y = cu.from_nc(y, self.data_format)
        return y if self._linear_act else self.activation(y)

    def compute_output_shape(self, input_shape):
        in_ch = self._channels(input_shape, required=False)
        return cu.conv_output_shape(input_shape,
                                    None if in_ch is None else in_ch * self.depth_multiplier,
                                    self.kernel_size, self.strides, self.padding,
                                    self.data_format, self.dilation_rate, type(self).__name__)

    def get_config(self) -> dict:
        return {
            **super().get_config(),
            "depth_multiplier": self.depth_multiplier,
            "kernel_size": self.kernel_size,
            "strides": self.strides,
            "padding": self.padding,
            "data_format": self.data_format,
            "dilation_rate": self.dilation_rate,
            "activation": activations.serialize(self.activation),
            "use_bias": self.use_bias,
            "depthwise_initializer": initializers.serialize(self.depthwise_initializer),
            "bias_initializer": initializers.serialize(self.bias_initializer),
            "depthwise_regularizer": regularizers.serialize(self.depthwise_regularizer),
            "bias_regularizer": regularizers.serialize(self.bias_regularizer),
            "activity_regularizer": regularizers.serialize(self.activity_regularizer),
            "depthwise_constraint": constraints.serialize(self.depthwise_constraint),
            "bias_constraint": constraints.serialize(self.bias_constraint),
        }
