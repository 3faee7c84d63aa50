"""HeadDense: the per-head projections inside the attention layers.

Keras builds them as ``EinsumDense`` layers with kernels such as ``(dim, heads,
head_dim)`` (query/key/value) and ``(heads, head_dim, dim)`` (output). Here the kernel
is stored as ``nn.Linear`` stores it — ``weight`` ``(prod(out_dims), prod(in_dims))`` —
and the projection is one ``F.linear`` on the flattened trailing dimensions.
"""
from __future__ import annotations

import math

import torch
import torch.nn.functional as F

from torchkeras import activations, constraints, initializers, regularizers
from torchkeras.layers.convolutional.conv_utils import torch_variable
from torchkeras.layers.layer import Layer


class HeadDense(Layer):
    """Maps the last ``len(in_dims)`` axes of its input to ``out_dims`` with one matmul.

    Args:
        in_dims: Trailing input dimensions contracted by the kernel.
        out_dims: Trailing output dimensions (the kernel's last axes and the bias shape).
        use_bias: Whether to add a bias of shape ``out_dims``.
        activation: Optional activation (the gate projection uses ``"sigmoid"``).
        kernel_initializer, bias_initializer, kernel_regularizer, bias_regularizer,
        kernel_constraint, bias_constraint: As for ``Dense`` (seen in Keras's layout).

    Example:
        >>> proj = HeadDense((16,), (4, 8), name="query")
        >>> proj(torch.randn(2, 5, 16)).shape
        torch.Size([2, 5, 4, 8])
    """

    def __init__(self, in_dims, out_dims, use_bias: bool = True, activation=None,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, kernel_constraint=None,
                 bias_constraint=None, **kwargs):
        super().__init__(**kwargs)
        self.in_dims = tuple(int(d) for d in in_dims)
        self.out_dims = tuple(int(d) for d in out_dims)
        self.use_bias = bool(use_bias)
        self.activation = activations.get(activation)
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self._n_in = math.prod(self.in_dims)
        self._n_out = math.prod(self.out_dims)

    def build(self, input_shape=None) -> None:
        shape = self.in_dims + self.out_dims
        n_in, n_out = self._n_in, self._n_out
        kernel = self.add_weight(name="kernel", shape=shape,
                                 initializer=self.kernel_initializer,
                                 regularizer=self.kernel_regularizer,
                                 constraint=self.kernel_constraint)
        self._parameters = {k: p for k, p in self._parameters.items() if p is not kernel}
        self.weight = torch_variable(kernel, lambda k: k.reshape(n_in, n_out).t(),
                                     lambda w: w.t().reshape(shape))
        if self.use_bias:
            bias = self.add_weight(name="bias", shape=self.out_dims,
                                   initializer=self.bias_initializer,
                                   regularizer=self.bias_regularizer,
                                   constraint=self.bias_constraint)
            self._parameters = {k: p for k, p in self._parameters.items() if p is not bias}
            self.bias = torch_variable(bias, lambda b: b.reshape(n_out),
                                       lambda b: b.reshape(self.out_dims))
        else:
            self.bias = None
        self.built = True

    @property
    def kernel(self) -> torch.Tensor:
        """The kernel in Keras's layout ``in_dims + out_dims`` (a view)."""
        return self.weight.t().reshape(self.in_dims + self.out_dims)

    def _to_keras_layout(self, key, tensor):
        if key == "weight":
            return tensor.t().reshape(self.in_dims + self.out_dims)
        return tensor.reshape(self.out_dims) if key == "bias" else tensor

    def _from_keras_layout(self, key, tensor):
        if key == "weight":
            return tensor.reshape(self._n_in, self._n_out).t()
        return tensor.reshape(self._n_out) if key == "bias" else tensor

    def call(self, inputs):
        k = len(self.in_dims)
        lead = tuple(inputs.shape[:inputs.dim() - k])
        x = inputs.reshape(lead + (self._n_in,)) if k > 1 else inputs
        out = F.linear(x, self.weight, self.bias)
        if self.activation is not activations.linear:
            out = self.activation(out)
        return out.reshape(lead + self.out_dims)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape[:len(input_shape) - len(self.in_dims)]) + self.out_dims

    def get_config(self) -> dict:
        return {
            **super().get_config(),
            "in_dims": list(self.in_dims),
            "out_dims": list(self.out_dims),
            "use_bias": self.use_bias,
            "activation": activations.serialize(self.activation),
            "kernel_initializer": initializers.serialize(self.kernel_initializer),
            "bias_initializer": initializers.serialize(self.bias_initializer),
            "kernel_regularizer": regularizers.serialize(self.kernel_regularizer),
            "bias_regularizer": regularizers.serialize(self.bias_regularizer),
            "kernel_constraint": constraints.serialize(self.kernel_constraint),
            "bias_constraint": constraints.serialize(self.bias_constraint),
        }
