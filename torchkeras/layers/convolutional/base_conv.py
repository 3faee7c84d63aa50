"""BaseConv: the N-D convolution behind Conv1D/2D/3D, stored as ``nn.ConvNd`` stores it."""
from __future__ import annotations

import numbers

import torch
import torch.nn.functional as F

from torchkeras import activations, constraints, initializers, regularizers
from torchkeras.activations.fast import fast_activation, is_elementwise
from torchkeras import config as _config
from torchkeras.layers.convolutional import conv_utils as cu
from torchkeras.layers.layer import Layer
from torchkeras.variable_view import keras_variable


class ConvKernelMixin:
    """Helpers shared by the convolution layers: channel lookup, "same" padding and a
    kernel created in Keras's layout (so initializer fans match) but stored in torch's."""

    def _channels(self, input_shape, required: bool = True):
        if len(input_shape) != self.rank + 2:
            raise ValueError("%s expects inputs of rank %d, got shape %s"
                             % (type(self).__name__, self.rank + 2, tuple(input_shape)))
        c = input_shape[-1] if self.data_format == "channels_last" else input_shape[1]
        if c is None and required:
            raise ValueError("%s expects the channel dimension of its input to be known, got "
                             "input shape %s" % (type(self).__name__, tuple(input_shape)))
        return c

    def _add_kernel(self, name, shape, initializer, regularizer, constraint,
                    to_torch=None, to_keras=None):
        var = self.add_weight(name=name, shape=shape, initializer=initializer,
                              regularizer=regularizer, constraint=constraint)
        self._parameters = {k: p for k, p in self._parameters.items() if p is not var}
        if to_torch is None:
            fwd, back = cu.keras_to_torch_perm(len(shape)), cu.torch_to_keras_perm(len(shape))
            to_torch, to_keras = (lambda t: t.permute(fwd)), (lambda t: t.permute(back))
        return cu.torch_variable(var, to_torch, to_keras)

    def _pad_same(self, x):
        """(input, torch padding) for this layer's padding mode; F.pad only when TF's
        "same" padding is asymmetric."""
        if self.padding != "same":
            return x, 0
        spatial = x.shape[2:]
        cache = self.__dict__.setdefault("_same_cache", {})
        args = cache.get(spatial)
        if args is None:
            args = cache[spatial] = cu.same_padding_args(spatial, self.kernel_size,
                                                         self.strides, self.dilation_rate)
        padding, flat = args
        return (x if flat is None else F.pad(x, flat)), padding

    @property
    def kernel(self) -> torch.Tensor:
        """The kernel in Keras layout (a view of ``weight``)."""
        return keras_variable(self, "weight", self.weight)

    def _to_keras_layout(self, key, tensor):
        if key == "weight":
            return tensor.permute(cu.torch_to_keras_perm(tensor.dim()))
        return tensor

    def _from_keras_layout(self, key, tensor):
        if key == "weight":
            return tensor.permute(cu.keras_to_torch_perm(tensor.dim()))
        return tensor


class BaseConv(ConvKernelMixin, Layer):
    """N-D convolution (``rank`` spatial dimensions).

    The kernel is stored as ``weight`` with torch's layout ``(filters, in // groups, *k)``
    so ``state_dict()`` loads into ``nn.ConvNd``; ``kernel``, ``get_weights`` and
    ``set_weights`` use Keras's ``(*k, in // groups, filters)``.

    Args:
        rank: Number of spatial dimensions (1, 2 or 3).
        filters: Number of output channels.
        kernel_size: Int or tuple of ``rank`` ints.
        strides: Int or tuple of ``rank`` ints.
        padding: ``"valid"``, ``"same"`` (TF semantics) or, for rank 1, ``"causal"``.
        data_format: ``"channels_last"``, ``"channels_first"`` or None (global default).
        dilation_rate: Int or tuple of ``rank`` ints.
        groups: Number of channel groups.
        activation: Activation applied to the output.
        use_bias: Whether to add a bias.
        kernel_initializer, bias_initializer: Initializers.
        kernel_regularizer, bias_regularizer, activity_regularizer: Penalties.
        kernel_constraint, bias_constraint: Projections after optimizer steps.
    """

    def __init__(self, rank: int, filters: int, kernel_size, strides=1, padding: str = "valid",
                 data_format: str | None = None, dilation_rate=1, groups: int = 1,
                 activation=None, use_bias: bool = True, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", kernel_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, kernel_constraint=None, bias_constraint=None,
                 lora_rank=None, lora_alpha=None, **kwargs):
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        cls = type(self).__name__
        if lora_rank:
            raise ValueError("%s: LoRA (`lora_rank`) is not supported by torchkeras" % cls)
        if isinstance(filters, bool) or not isinstance(filters, numbers.Integral) or filters <= 0:
            raise ValueError("%s expects `filters` to be a strictly positive integer, got %r"
                             % (cls, filters))
        filters = int(filters)  # numpy integers too, as Keras takes them
        if isinstance(groups, bool) or not isinstance(groups, int) or groups <= 0:
            raise ValueError("%s expects `groups` to be a positive integer, got %r"
                             % (cls, groups))
        if filters % groups:
            raise ValueError("%s expects `filters` to be divisible by `groups`, got filters=%d,"
                             " groups=%d" % (cls, filters, groups))
        self.rank = rank
        self.filters = filters
        self.groups = groups
        self.kernel_size = cu.standardize_tuple(kernel_size, rank, "kernel_size", layer=cls)
        self.strides = cu.standardize_tuple(strides, rank, "strides", layer=cls)
        self.dilation_rate = cu.standardize_tuple(dilation_rate, rank, "dilation_rate",
                                                  layer=cls)
        self.padding = cu.standardize_padding(padding, allow_causal=rank == 1, layer=cls)
        self.data_format = _config.standardize_data_format(data_format)
        if max(self.strides) > 1 and max(self.dilation_rate) > 1:
            raise ValueError("%s does not support `strides` > 1 together with `dilation_rate`"
                             " > 1, got strides=%s, dilation_rate=%s"
                             % (cls, self.strides, self.dilation_rate))
        self.activation = activations.get(activation)
        self.use_bias = bool(use_bias)
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self._linear_act = self.activation is activations.linear
        self._act = fast_activation(self.activation)
        # Elementwise activations run on the (N, C, ...) result, before the permuted view.
        self._act_on_nc = is_elementwise(self.activation)
        self._lift = rank == 1 and self.data_format == "channels_last"

    def build(self, input_shape) -> None:
        in_ch = self._channels(input_shape)
        if in_ch % self.groups:
            raise ValueError("%s expects the number of input channels to be divisible by "
                             "`groups`, got groups=%d and input shape %s"
                             % (type(self).__name__, self.groups, tuple(input_shape)))
        self.compute_output_shape(input_shape)
        self.weight = self._add_kernel("kernel", self.kernel_size + (in_ch // self.groups,
                                                                     self.filters),
                                       self.kernel_initializer, self.kernel_regularizer,
                                       self.kernel_constraint)
        self.bias = self.add_weight(name="bias", shape=(self.filters,),
                                    initializer=self.bias_initializer,
                                    regularizer=self.bias_regularizer,
                                    constraint=self.bias_constraint) if self.use_bias else None
        self.built = True

    def convolution_op(self, inputs, kernel):
        """The convolution itself, in Keras layouts; a subclass may override it.

        Args:
            inputs: Input tensor in this layer's ``data_format``.
            kernel: Kernel in Keras layout ``(*kernel_size, in // groups, filters)``.

        Example:
            >>> class Standardized(Conv2D):
            ...     def convolution_op(self, inputs, kernel):
            ...         return super().convolution_op(inputs, kernel - ops.mean(kernel))
        """
        # Function-local: torchkeras.ops imports the layer machinery.
        from torchkeras.ops.nn.conv_ops import conv
        return conv(inputs, kernel, strides=self.strides, padding=self.padding,
                    data_format=self.data_format, dilation_rate=self.dilation_rate)

    def call(self, inputs):
        if type(self).convolution_op is not BaseConv.convolution_op:
            return self._call_with_convolution_op(inputs)
        x = cu.to_nc(inputs, self.data_format)
        if self.padding == "causal":
            x, padding = F.pad(x, [self.dilation_rate[0] * (self.kernel_size[0] - 1), 0]), 0
        else:
            x, padding = self._pad_same(x)
        y = cu.conv(x, self.weight, self.bias, self.strides, padding, self.dilation_rate,
                    self.groups, self._lift)
        if self._linear_act:
            return cu.from_nc(y, self.data_format)
        if self._act_on_nc:
            return cu.from_nc(self._act(y), self.data_format)
        return self._act(cu.from_nc(y, self.data_format))

    def _call_with_convolution_op(self, inputs):
        # As Keras's call: the (overridden) convolution_op on the Keras-shaped kernel, then
        # bias and activation; the fast fused path above is kept for plain layers.
        y = self.convolution_op(inputs, self.kernel)
        if self.bias is not None:
            shape = [1] * y.ndim
            shape[1 if self.data_format == "channels_first" else -1] = self.filters
            y = y + self.bias.reshape(shape)
        return self._act(y)

    def compute_output_shape(self, input_shape):
        padding = "valid" if self.padding == "valid" else "same"
        return cu.conv_output_shape(input_shape, self.filters, self.kernel_size, self.strides,
                                    padding, self.data_format, self.dilation_rate,
                                    type(self).__name__)

    def get_config(self) -> dict:
        return {
            **super().get_config(),
            "filters": self.filters,
            "kernel_size": self.kernel_size,
            "strides": self.strides,
            "padding": self.padding,
            "data_format": self.data_format,
            "dilation_rate": self.dilation_rate,
            "groups": self.groups,
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
