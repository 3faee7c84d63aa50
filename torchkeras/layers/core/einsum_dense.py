"""EinsumDense: a dense layer whose contraction is any einsum equation."""
from __future__ import annotations

import copy
import re

import torch

from torchkeras import activations, constraints, initializers, regularizers
from torchkeras.layers.layer import Layer


def analyze_einsum(equation: str, bias_axes: str | None, input_shape, output_shape) -> tuple:
    """Weight, bias and full output shapes that ``equation`` implies, as Keras derives them.

    Args:
        equation: ``"ab,bc->ac"``, ``"...ab,bc->...ac"`` or ``"ab...,bc->ac..."`` form.
        bias_axes: Output letters that get a bias, or ``None``.
        input_shape: Input shape, batch first.
        output_shape: The output shape without the batch axis (``None`` entries allowed
            where the input fixes them).

    Returns:
        ``(kernel_shape, bias_shape, full_output_shape, input_axes, output_axes)``, the
        last two being the kernel axes that count as fan-in and fan-out.
    """
    eq = equation.replace("...", "0")
    for pattern, left in (("([a-zA-Z]+),([a-zA-Z]+)->([a-zA-Z]+)$", False),
                          ("0([a-zA-Z]+),([a-zA-Z]+)->0([a-zA-Z]+)$", True),
                          ("([a-zA-Z]{2,})0,([a-zA-Z]+)->([a-zA-Z]+)0$", False)):
        match = re.match(pattern, eq)
        if match:
            return _shapes(*match.groups(), bias_axes, list(input_shape), output_shape, left)
    raise ValueError("Invalid einsum equation '%s'. Equations must be in the form [X],[Y]->[Z], "
                     "...[X],[Y]->...[Z], or [X]...,[Y]->[Z]...." % equation)


def _shapes(in_spec, w_spec, out_spec, bias_axes, input_shape, output_shape, left_elided):
    elided = len(input_shape) - len(in_spec)
    out = [output_shape] if isinstance(output_shape, int) else list(output_shape)
    out.insert(0, input_shape[0])
    if elided > 0 and left_elided:
        for i in range(1, elided):
            out.insert(1, input_shape[i])
    elif elided > 0:
        out.extend(input_shape[len(input_shape) - elided:])
    if left_elided:
        in_pos = {d: i + elided - len(input_shape) for i, d in enumerate(in_spec)}
        out_pos = {d: i + elided for i, d in enumerate(out_spec)}
    else:
        in_pos = {d: i for i, d in enumerate(in_spec)}
        out_pos = {d: i for i, d in enumerate(out_spec)}
    for d in in_spec:
        if d in out_pos and out[out_pos[d]] is not None and \
                out[out_pos[d]] != input_shape[in_pos[d]]:
            raise ValueError("Input shape and output shape do not match at shared dimension "
                             "'%s'. Input shape is %s, and output shape is %s."
                             % (d, input_shape[in_pos[d]], out[out_pos[d]]))
    for d in out_spec:
        if d not in in_spec and d not in w_spec:
            raise ValueError("Dimension '%s' was specified in the output '%s' but has no "
                             "corresponding dim in the input spec '%s' or weight spec '%s'"
                             % (d, out_spec, in_spec, w_spec))
    kernel, input_axes, output_axes = [], [], []
    for i, d in enumerate(w_spec):
        if d in out_pos:
            kernel.append(out[out_pos[d]])
            output_axes.append(i)
        elif d in in_pos:
            kernel.append(input_shape[in_pos[d]])
            input_axes.append(i)
        else:
            raise ValueError("Weight dimension '%s' did not have a match in either the input "
                             "spec '%s' or the output spec '%s'. For this layer, the weight "
                             "must be fully specified." % (d, in_spec, out_spec))
    bias = None
    if bias_axes is not None:
        shift = elided if left_elided else 0
        sizes = {c: out[i + shift] for i, c in enumerate(out_spec)}
        for c in bias_axes:
            if c not in out_spec:
                raise ValueError("Bias dimension '%s' was requested, but is not part of the "
                                 "output spec '%s'" % (c, out_spec))
        first = min(out_spec.find(c) for c in bias_axes)
        bias = [sizes[c] if c in bias_axes else 1 for c in out_spec[first:]]
        if not left_elided:
            bias.extend([1] * max(elided, 0))
    return kernel, bias, out, input_axes, output_axes


class EinsumDense(Layer):
    """A dense layer computing ``einsum(equation, inputs, kernel) + bias``.

    The kernel is stored in Keras's layout (the weight letters of ``equation``), so
    ``get_weights``/``set_weights`` and ``state_dict()`` agree with Keras.

    Args:
        equation: Einsum equation of the input, the kernel and the output
            (``"ab,bc->ac"``; ``...`` stands for any leading or trailing axes).
        output_shape: Output shape without the batch axis (an int for rank 2);
            ``None`` entries are taken from the input.
        activation: Activation name or callable.
        bias_axes: Output letters that get a bias (``None``: no bias).
        kernel_initializer: Kernel initializer (``"glorot_uniform"``, with fans from the
            equation's input and output letters).
        bias_initializer: Bias initializer.
        kernel_regularizer, bias_regularizer: Penalties added to ``losses``.
        kernel_constraint, bias_constraint: Projections after each optimizer step.

    Example:
        >>> layer = EinsumDense("abc,cde->abde", output_shape=(None, 4, 8), bias_axes="de")
        >>> layer(torch.randn(2, 5, 16)).shape
        torch.Size([2, 5, 4, 8])
    """

    def __init__(self, equation: str, output_shape, activation=None, bias_axes: str | None = None,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, kernel_constraint=None,
                 bias_constraint=None, lora_rank=None, lora_alpha=None,
                 quantization_config=None, **kwargs):
        super().__init__(**kwargs)
        if lora_rank or quantization_config:
            raise ValueError("EinsumDense: LoRA and quantization are not supported yet.")
        if not isinstance(equation, str):
            raise ValueError("EinsumDense: `equation` must be a string, got %r" % (equation,))
        self.equation = equation
        self.partial_output_shape = (output_shape,) if isinstance(output_shape, int) \
            else tuple(output_shape)
        self.bias_axes = bias_axes
        self.activation = activations.get(activation)
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self.full_output_shape = None

    def build(self, input_shape) -> None:
        kernel_shape, bias_shape, full, in_axes, out_axes = analyze_einsum(
            self.equation, self.bias_axes, tuple(input_shape), self.partial_output_shape)
        if any(d is None for d in kernel_shape):
            raise ValueError("EinsumDense: the kernel shape %s of '%s' is not fully known from "
                             "input shape %s and output_shape %s."
                             % (kernel_shape, self.equation, tuple(input_shape),
                                self.partial_output_shape))
        init = self.kernel_initializer
        if getattr(init, "input_axes", 0) is None or getattr(init, "output_axes", 0) is None:
            # Fans come from the equation's contracted and produced kernel axes.
            init = copy.copy(init)
            init.input_axes, init.output_axes = in_axes, out_axes
        self.full_output_shape = tuple(full)
        self.kernel = self.add_weight(name="kernel", shape=tuple(kernel_shape), initializer=init,
                                      regularizer=self.kernel_regularizer,
                                      constraint=self.kernel_constraint)
        self.bias = None if bias_shape is None else self.add_weight(
            name="bias", shape=tuple(bias_shape), initializer=self.bias_initializer,
            regularizer=self.bias_regularizer, constraint=self.bias_constraint)
        self.built = True

    def call(self, inputs):
        out = torch.einsum(self.equation, inputs, self.kernel)
        if self.bias is not None:
            out = out + self.bias
        return self.activation(out)

    def compute_output_shape(self, input_shape):
        # Axes left as None in output_shape stay None, as in Keras's symbolic calls.
        return tuple(analyze_einsum(self.equation, self.bias_axes, tuple(input_shape),
                                    self.partial_output_shape)[2])

    def get_config(self) -> dict:
        return {**super().get_config(), "output_shape": self.partial_output_shape,
                "equation": self.equation,
                "activation": activations.serialize(self.activation),
                "bias_axes": self.bias_axes,
                "kernel_initializer": initializers.serialize(self.kernel_initializer),
                "bias_initializer": initializers.serialize(self.bias_initializer),
                "kernel_regularizer": regularizers.serialize(self.kernel_regularizer),
                "bias_regularizer": regularizers.serialize(self.bias_regularizer),
                "kernel_constraint": constraints.serialize(self.kernel_constraint),
                "bias_constraint": constraints.serialize(self.bias_constraint),
                "quantization_config": None}

    @classmethod
    def from_config(cls, config: dict):
        config = dict(config)
        config.pop("quantization_config", None)
        return super().from_config(config)
