"""BaseSeparableConv: a depthwise convolution followed by a 1x1 (pointwise) one."""
from __future__ import annotations

import numbers

import torch

from torchkeras import activations, constraints, initializers, regularizers
from torchkeras.layers.convolutional import conv_utils as cu
from torchkeras.layers.convolutional.base_depthwise_conv import (
    BaseDepthwiseConv, depthwise_to_keras, depthwise_to_torch)


class BaseSeparableConv(BaseDepthwiseConv):
    """N-D depthwise-separable convolution.

    Stored in torch's conv layouts: ``depthwise_weight`` ``(in * m, 1, *k)`` (a grouped
    ``nn.ConvNd``) and ``pointwise_weight`` ``(filters, in * m, 1, ...)``, plus ``bias``;
    ``get_weights`` returns Keras's ``[depthwise_kernel, pointwise_kernel, bias]``.

    Args:
        rank: Number of spatial dimensions.
        depth_multiplier: Depthwise output channels per input channel.
        filters: Number of output channels.
        kernel_size, strides, padding, data_format, dilation_rate: Of the depthwise step.
        activation: Activation applied to the output.
        use_bias: Whether to add a bias.
        depthwise_initializer, pointwise_initializer, bias_initializer: Initializers.
        depthwise_regularizer, pointwise_regularizer, bias_regularizer,
        activity_regularizer: Penalties.
        depthwise_constraint, pointwise_constraint, bias_constraint: Projections.
    """

    def __init__(self, rank: int, depth_multiplier: int = 1, filters: int | None = None,
                 kernel_size=1, strides=1, padding: str = "valid",
                 data_format: str | None = None, dilation_rate=1, activation=None,
                 use_bias: bool = True, depthwise_initializer="glorot_uniform",
                 pointwise_initializer="glorot_uniform", bias_initializer="zeros",
                 depthwise_regularizer=None, pointwise_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, depthwise_constraint=None, pointwise_constraint=None,
                 bias_constraint=None, **kwargs):
        super().__init__(rank, depth_multiplier=depth_multiplier, kernel_size=kernel_size,
                         strides=strides, padding=padding, data_format=data_format,
                         dilation_rate=dilation_rate, activation=activation, use_bias=use_bias,
                         depthwise_initializer=depthwise_initializer,
                         bias_initializer=bias_initializer,
                         depthwise_regularizer=depthwise_regularizer,
                         bias_regularizer=bias_regularizer,
                         activity_regularizer=activity_regularizer,
                         depthwise_constraint=depthwise_constraint,
                         bias_constraint=bias_constraint, **kwargs)
        if isinstance(filters, bool) or not isinstance(filters, numbers.Integral) or filters <= 0:
            raise ValueError("%s expects `filters` to be a strictly positive integer, got %r"
                             % (type(self).__name__, filters))
        filters = int(filters)  # numpy integers too, as Keras takes them
        self.filters = filters
        self.pointwise_initializer = initializers.get(pointwise_initializer)
        self.pointwise_regularizer = regularizers.get(pointwise_regularizer)
        self.pointwise_constraint = constraints.get(pointwise_constraint)

    def build(self, input_shape) -> None:
        in_ch = self._channels(input_shape)
        self.compute_output_shape(input_shape)
        m = self.depth_multiplier
        self.depthwise_weight = self._add_kernel(
            "depthwise_kernel", self.kernel_size + (in_ch, m), self.depthwise_initializer,
            self.depthwise_regularizer, self.depthwise_constraint, depthwise_to_torch,
            lambda t: depthwise_to_keras(t, m))
        self.pointwise_weight = self._add_kernel(
            "pointwise_kernel", (1,) * self.rank + (in_ch * m, self.filters),
            self.pointwise_initializer, self.pointwise_regularizer, self.pointwise_constraint)
        self.bias = self.add_weight(name="bias", shape=(self.filters,),
                                    initializer=self.bias_initializer,
                                    regularizer=self.bias_regularizer,
                                    constraint=self.bias_constraint) if self.use_bias else None
        self.built = True

    @property
    def depthwise_kernel(self) -> torch.Tensor:
        return depthwise_to_keras(self.depthwise_weight, self.depth_multiplier)

    @property
    def pointwise_kernel(self) -> torch.Tensor:
        return self.pointwise_weight.permute(cu.torch_to_keras_perm(self.pointwise_weight.dim()))

    @property
    def kernel(self):
        raise AttributeError("%s has `depthwise_kernel` and `pointwise_kernel`, no `kernel`"
                             % type(self).__name__)

    def _to_keras_layout(self, key, tensor):
        if key == "depthwise_weight":
            return depthwise_to_keras(tensor, self.depth_multiplier)
        if key == "pointwise_weight":
            return tensor.permute(cu.torch_to_keras_perm(tensor.dim()))
        return tensor

    def _from_keras_layout(self, key, tensor):
        if key == "depthwise_weight":
            return depthwise_to_torch(tensor)
        if key == "pointwise_weight":
            return tensor.permute(cu.keras_to_torch_perm(tensor.dim()))
        return tensor

    def call(self, inputs):
        x = cu.to_nc(inputs, self.data_format)
        x, padding = self._pad_same(x)
        y = cu.conv(x, self.depthwise_weight, None, self.strides, padding,
                    self.dilation_rate, x.shape[1], self._lift)
        ones = (1,) * self.rank
        y = cu.conv(y, self.pointwise_weight, self.bias, ones, 0, ones, 1, self._lift)
        y = cu.from_nc(y, self.data_format)
        return y if self._linear_act else self.activation(y)

    def compute_output_shape(self, input_shape):
        self._channels(input_shape, required=False)
        return cu.conv_output_shape(input_shape, self.filters, self.kernel_size, self.strides,
                                    self.padding, self.data_format, self.dilation_rate,
                                    type(self).__name__)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({
            "filters": self.filters,
            "pointwise_initializer": initializers.serialize(self.pointwise_initializer),
            "pointwise_regularizer": regularizers.serialize(self.pointwise_regularizer),
            "pointwise_constraint": constraints.serialize(self.pointwise_constraint),
        })
        order = ["name", "trainable", "dtype", "depth_multiplier", "filters", "kernel_size",
                 "strides", "padding", "data_format", "dilation_rate", "activation", "use_bias",
                 "depthwise_initializer", "pointwise_initializer", "bias_initializer",
                 "depthwise_regularizer", "pointwise_regularizer", "bias_regularizer",
                 "activity_regularizer", "depthwise_constraint", "pointwise_constraint",
                 "bias_constraint"]
        return {k: config[k] for k in order if k in config} | {
            k: v for k, v in config.items() if k not in order}
