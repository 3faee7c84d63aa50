"""Dense: ``activation(inputs @ kernel + bias)``, stored as ``nn.Linear`` stores it."""
from __future__ import annotations

import numbers

import torch
import torch.nn.functional as F

from torchkeras import activations, constraints, initializers, regularizers
from torchkeras.layers.layer import Layer
from torchkeras.variable_view import keras_variable


class Dense(Layer):
    """Densely connected layer.

    The kernel is stored as ``weight`` of shape ``(units, input_dim)`` — torch's
    ``nn.Linear`` layout, so ``state_dict()`` loads into ``nn.Linear`` — while
    ``kernel``, ``get_weights`` and ``set_weights`` use Keras's ``(input_dim, units)``.

    Args:
        units: Output size.
        activation: Activation name or callable (``None``: linear).
        use_bias: Whether to add a bias.
        kernel_initializer: Kernel initializer (``"glorot_uniform"``).
        bias_initializer: Bias initializer (``"zeros"``).
        kernel_regularizer: Penalty on the kernel, added to ``losses``.
        bias_regularizer: Penalty on the bias.
        activity_regularizer: Penalty on the output.
        kernel_constraint: Projection of the kernel after each optimizer step.
        bias_constraint: Projection of the bias after each optimizer step.

    Example:
        >>> layer = Dense(16, activation="relu")
        >>> y = layer(torch.randn(4, 8))   # builds a (8, 16) kernel
    """

    def __init__(self, units: int, activation=None, use_bias: bool = True,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, lora_rank=None,
                 quantization_config=None, **kwargs):
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        if lora_rank or quantization_config is not None:
            raise ValueError("Dense: LoRA (`lora_rank`) and quantization (`quantization_config`)"
                             " are not supported by torchkeras.")
        if not isinstance(units, numbers.Integral) or isinstance(units, bool) or units <= 0:
            raise ValueError("Dense expects `units` to be a positive integer, got %r" % (units,))
        units = int(units)  # numpy integers too, as Keras takes them
        self.units = units
        self.activation = activations.get(activation)
        self.use_bias = bool(use_bias)
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self.supports_masking = True
        self._linear_act = self.activation is activations.linear
        from torchkeras.activations.fast import fast_activation
        self._act = fast_activation(self.activation)

    def build(self, input_shape) -> None:
        in_dim = input_shape[-1]
        if in_dim is None:
            raise ValueError("Dense expects the last dimension of its input to be known, "
                             "got input shape %s" % (tuple(input_shape),))
        kernel = self.add_weight(name="kernel", shape=(in_dim, self.units),
                                 initializer=self.kernel_initializer,
                                 regularizer=self.kernel_regularizer,
                                 constraint=self.kernel_constraint)
        # Keras draws the kernel in (in, out); torch stores (out, in): transpose once here.
        with torch.no_grad():
            self.weight = _transposed_variable(kernel)
        self._parameters = {k: p for k, p in self._parameters.items() if p is not kernel}
        self.bias = self.add_weight(name="bias", shape=(self.units,),
                                    initializer=self.bias_initializer,
                                    regularizer=self.bias_regularizer,
                                    constraint=self.bias_constraint) if self.use_bias else None
        self.built = True

    @property
    def kernel(self) -> torch.Tensor:
        """The kernel in Keras layout ``(input_dim, units)`` (a view of ``weight``)."""
        return keras_variable(self, "weight", self.weight)

    def _to_keras_layout(self, key, tensor):
        return tensor.t() if key == "weight" else tensor

    def _from_keras_layout(self, key, tensor):
        return tensor.t() if key == "weight" else tensor

    def call(self, inputs):
        try:
            out = F.linear(inputs, self.weight, self.bias)
        except RuntimeError as e:
            # Checked only on failure, so the happy path stays a single kernel call.
            if inputs.shape[-1] != self.weight.shape[1]:
                raise ValueError("Dense layer '%s' expects inputs with last dimension %d, got "
                                 "shape %s" % (self.name, self.weight.shape[1],
                                               tuple(inputs.shape))) from None
            raise e
        return out if self._linear_act else self._act(out)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape[:-1]) + (self.units,)

    def get_config(self) -> dict:
        return {
            **super().get_config(),
            "units": self.units,
            "activation": activations.serialize(self.activation),
            "use_bias": self.use_bias,
            "kernel_initializer": initializers.serialize(self.kernel_initializer),
            "bias_initializer": initializers.serialize(self.bias_initializer),
            "kernel_regularizer": regularizers.serialize(self.kernel_regularizer),
            "bias_regularizer": regularizers.serialize(self.bias_regularizer),
            "kernel_constraint": constraints.serialize(self.kernel_constraint),
            "bias_constraint": constraints.serialize(self.bias_constraint),
            "quantization_config": None,    # Keras writes the key; quantization is not supported
        }

    @classmethod
    def from_config(cls, config: dict):
        config = dict(config)
        config.pop("quantization_config", None)
        return super().from_config(config)


def _transposed_variable(var):
    from torchkeras.variables import Variable
    out = Variable(var.detach().t().contiguous(), trainable=var.trainable, name=var.name)
    out.path = var.path
    out.regularizer = _transpose_fn(getattr(var, "regularizer", None))
    out.constraint = _transpose_fn(getattr(var, "constraint", None), back=True)
    return out


def _transpose_fn(fn, back: bool = False):
    # Regularizers/constraints are written for Keras's (in, out) kernel layout.
    if fn is None:
        return None

    def wrapped(w):
        out = fn(w.t())
        return out.t() if back else out
    wrapped.keras_object = fn
    return wrapped
