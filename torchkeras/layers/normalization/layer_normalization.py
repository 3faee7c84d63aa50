"""LayerNormalization, stored as ``nn.LayerNorm`` stores it (``weight``, ``bias``)."""
from __future__ import annotations

import warnings

import torch
import torch.nn.functional as F

from torchkeras import constraints, initializers, regularizers
from torchkeras.layers.layer import Layer
from torchkeras.layers.normalization._affine import fused_affine


def normalize_axes(axis, ndim: int, layer: str) -> list:
    """Sorted non-negative axes, with a clear error for out-of-range ones."""
    axes = axis if isinstance(axis, (list, tuple)) else [axis]
    for a in axes:
        if not -ndim <= a < ndim:
            raise ValueError("%s: axis %d is out of bounds for an input of rank %d"
                             % (layer, a, ndim))
    return sorted(a % ndim for a in axes)


def check_axis_arg(axis, layer: str):
    if isinstance(axis, (list, tuple)):
        if not all(isinstance(a, int) and not isinstance(a, bool) for a in axis):
            raise TypeError("%s expects `axis` to be an int or a list/tuple of ints, got %r"
                            % (layer, axis))
        return list(axis)
    if isinstance(axis, int) and not isinstance(axis, bool):
        return axis
    raise TypeError("%s expects `axis` to be an int or a list/tuple of ints, got %r"
                    % (layer, axis))


class LayerNormalization(Layer):
    """Normalizes each example over ``axis`` to zero mean and unit variance, then applies
    a learned scale ``gamma`` and offset ``beta`` (shaped like the normalized axes).

    When the axes are the trailing ones this is one ``F.layer_norm`` call; ``gamma`` and
    ``beta`` are stored as ``weight`` and ``bias`` so ``state_dict()`` loads into
    ``nn.LayerNorm``.

    Args:
        axis: Int or list of ints: the axes to normalize (usually ``-1``).
        epsilon: Added to the variance.
        center: Whether to learn an offset ``beta``.
        scale: Whether to learn a scale ``gamma``.
        beta_initializer, gamma_initializer: Initializers (``"zeros"``, ``"ones"``).
        beta_regularizer, gamma_regularizer: Penalties.
        beta_constraint, gamma_constraint: Projections after optimizer steps.
        rms_scaling: Deprecated Keras option: scale by ``rsqrt(variance + epsilon)`` without
            centering (use ``RMSNormalization`` instead).

    Example:
        >>> ln = LayerNormalization()
        >>> y = ln(torch.randn(4, 10, 16))
    """

    def __init__(self, axis=-1, epsilon: float = 1e-3, center: bool = True, scale: bool = True,
                 beta_initializer="zeros", gamma_initializer="ones", beta_regularizer=None,
                 gamma_regularizer=None, beta_constraint=None, gamma_constraint=None,
                 **kwargs):
        rms_scaling = kwargs.pop("rms_scaling", False)
        if rms_scaling:
            warnings.warn("LayerNormalization(rms_scaling=True) is deprecated: it scales by "
                          "the variance, not the root mean square. Use RMSNormalization.")
        super().__init__(**kwargs)
        self.axis = check_axis_arg(axis, "LayerNormalization")
        self.epsilon = float(epsilon)
        self.center = bool(center)
        self.scale = bool(scale)
        self.rms_scaling = bool(rms_scaling)
        self.beta_initializer = initializers.get(beta_initializer)
        self.gamma_initializer = initializers.get(gamma_initializer)
        self.beta_regularizer = regularizers.get(beta_regularizer)
        self.gamma_regularizer = regularizers.get(gamma_regularizer)
        self.beta_constraint = constraints.get(beta_constraint)
        self.gamma_constraint = constraints.get(gamma_constraint)
        self.supports_masking = True
        self.autocast = False

    def build(self, input_shape) -> None:
        ndim = len(input_shape)
        axes = normalize_axes(self.axis, ndim, "LayerNormalization")
        shape = tuple(input_shape[a] for a in axes)
        if any(s is None for s in shape):
            raise ValueError("LayerNormalization expects the normalized axes %s to have known "
                             "sizes, got input shape %s" % (self.axis, tuple(input_shape)))
        # Keras keeps the sorted (possibly negative) axes as a list after building.
        self.axis = sorted(self.axis) if isinstance(self.axis, list) else [self.axis]
        self._axes = axes
        self._trailing = axes == list(range(ndim - len(axes), ndim))
        self._shape = shape
        self.weight = self.add_weight(
            name="gamma", shape=shape, initializer=self.gamma_initializer,
            regularizer=self.gamma_regularizer, constraint=self.gamma_constraint,
            autocast=False) if (self.scale or self.rms_scaling) else None
        self.bias = self.add_weight(
            name="beta", shape=shape, initializer=self.beta_initializer,
            regularizer=self.beta_regularizer, constraint=self.beta_constraint,
            autocast=False) if (self.center and not self.rms_scaling) else None
        self.built = True

    @property
    def gamma(self):
        return self.weight

    @property
    def beta(self):
        return self.bias

    def _broadcast(self, v, ndim):
        shape = [1] * ndim
        for a, s in zip(self._axes, self._shape):
            shape[a] = s
        return v.reshape(shape)

    def call(self, inputs):
        out_dtype = inputs.dtype
        x = inputs if inputs.dtype in (torch.float32, torch.float64) else inputs.float()
        if self.rms_scaling:
            var = x.var(dim=self._axes, correction=0, keepdim=True)
            out = x * torch.rsqrt(var + self.epsilon)
            if self.weight is not None:
                out = out * self._broadcast(self.weight, x.dim())
        elif self._trailing:
            out = F.layer_norm(x, self._shape, *fused_affine(self.weight, self.bias, self),
                               self.epsilon)
        else:
            var, mean = torch.var_mean(x, dim=self._axes, correction=0, keepdim=True)
            inv = torch.rsqrt(var + self.epsilon)
            if self.weight is not None:
                inv = inv * self._broadcast(self.weight, x.dim())
            shift = -mean * inv
            if self.bias is not None:
                shift = shift + self._broadcast(self.bias, x.dim())
            out = torch.addcmul(shift, x, inv)
        return out if out.dtype == out_dtype else out.to(out_dtype)

    def compute_output_shape(self, input_shape):
        normalize_axes(self.axis, len(input_shape), "LayerNormalization")
        return tuple(input_shape)

    def get_config(self) -> dict:
        return {
            **super().get_config(),
            "axis": self.axis,
            "epsilon": self.epsilon,
            "center": self.center,
            "scale": self.scale,
            "rms_scaling": self.rms_scaling,
            "beta_initializer": initializers.serialize(self.beta_initializer),
            "gamma_initializer": initializers.serialize(self.gamma_initializer),
            "beta_regularizer": regularizers.serialize(self.beta_regularizer),
            "gamma_regularizer": regularizers.serialize(self.gamma_regularizer),
            "beta_constraint": constraints.serialize(self.beta_constraint),
            "gamma_constraint": constraints.serialize(self.gamma_constraint),
        }
