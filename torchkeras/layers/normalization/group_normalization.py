"""GroupNormalization, stored as ``nn.GroupNorm`` stores it (``weight``, ``bias``)."""
from __future__ import annotations

import torch
import torch.nn.functional as F

from torchkeras import constraints, initializers, regularizers
from torchkeras.layers.layer import Layer


class GroupNormalization(Layer):
    """Splits the channels (``axis``) into ``groups`` contiguous groups and normalizes
    each example over every group's channels and all non-batch axes, then applies a
    per-channel ``gamma`` and ``beta``.

    Computed by ``F.group_norm`` on an (N, C, ...) view of the input (channels_last
    inputs are permuted views, no copies of our own).

    Args:
        groups: Number of groups (``-1``: one per channel, i.e. instance normalization).
        axis: The channel axis.
        epsilon: Added to the variance.
        center: Whether to learn an offset ``beta``.
        scale: Whether to learn a scale ``gamma``.
        beta_initializer, gamma_initializer: Initializers (``"zeros"``, ``"ones"``).
        beta_regularizer, gamma_regularizer: Penalties.
        beta_constraint, gamma_constraint: Projections after optimizer steps.

    Example:
        >>> gn = GroupNormalization(groups=4)
        >>> y = gn(torch.randn(2, 8, 8, 16))
    """

    def __init__(self, groups: int = 32, axis: int = -1, epsilon: float = 1e-3,
                 center: bool = True, scale: bool = True, beta_initializer="zeros",
                 gamma_initializer="ones", beta_regularizer=None, gamma_regularizer=None,
                 beta_constraint=None, gamma_constraint=None, **kwargs):
        if isinstance(groups, bool) or not isinstance(groups, int) or \
                (groups <= 0 and groups != -1):
            raise ValueError("GroupNormalization expects `groups` to be a positive integer "
                             "(or -1 for instance normalization), got groups=%r" % (groups,))
        if isinstance(axis, bool) or not isinstance(axis, int):
            raise ValueError("GroupNormalization expects `axis` to be an integer, got %r"
                             % (axis,))
        super().__init__(**kwargs)
        self.groups = groups
        self.axis = axis
        self.epsilon = float(epsilon)
        self.center = bool(center)
        self.scale = bool(scale)
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
        if not -ndim <= self.axis < ndim:
            raise ValueError("GroupNormalization: axis %d is out of bounds for input shape %s"
                             % (self.axis, tuple(input_shape)))
        dim = input_shape[self.axis]
        if dim is None:
            raise ValueError("GroupNormalization expects axis %d of its input to have a known "
                             "size, got input shape %s" % (self.axis, tuple(input_shape)))
        if self.groups == -1:
            self.groups = dim
        if dim < self.groups:
            raise ValueError("GroupNormalization: number of groups (%d) cannot be more than "
                             "the number of channels (%d)" % (self.groups, dim))
        if dim % self.groups:
            raise ValueError("GroupNormalization: the number of channels (%d) must be a "
                             "multiple of the number of groups (%d)" % (dim, self.groups))
        self._axis = self.axis % ndim
        self.weight = self.add_weight(
            name="gamma", shape=(dim,), initializer=self.gamma_initializer,
            regularizer=self.gamma_regularizer, constraint=self.gamma_constraint,
            autocast=False) if self.scale else None
        self.bias = self.add_weight(
            name="beta", shape=(dim,), initializer=self.beta_initializer,
            regularizer=self.beta_regularizer, constraint=self.beta_constraint,
            autocast=False) if self.center else None
        self.built = True

    @property
    def gamma(self):
        return self.weight

    @property
    def beta(self):
        return self.bias

    def call(self, inputs):
        out_dtype = inputs.dtype
        x = inputs if inputs.dtype in (torch.float32, torch.float64) else inputs.float()
        ax = self._axis
        if ax == 0:
            raise ValueError("GroupNormalization cannot normalize over the batch axis")
        if ax != 1 and x.is_cuda:
            y = self._group_norm_channels_last(x.movedim(ax, -1)).movedim(-1, ax)
        else:
            xv = x if ax == 1 else x.movedim(ax, 1)
            if self.weight is None and self.bias is not None:
                # torch's group-norm backward fails for a bias without a weight ("tensor
                # does not have a device", CPU and CUDA alike): add the bias ourselves.
                y = F.group_norm(xv, self.groups, None, None, self.epsilon)
                y = y + self.bias.reshape((-1,) + (1,) * (xv.dim() - 2))
            else:
                y = F.group_norm(xv, self.groups, self.weight, self.bias, self.epsilon)
            if ax != 1:
                y = y.movedim(1, ax)
        return y if y.dtype == out_dtype else y.to(out_dtype)

    def _group_norm_channels_last(self, x):
        # torch's CUDA group-norm backward reads its gradient as if it were contiguous
        # (N, C, ...), which a permuted channels-last view is not (out-of-bounds reads,
        # crashes); the same statistics from plain ops on the (N, ..., C) layout.
        n, c = x.shape[0], x.shape[-1]
        g = x.reshape(n, -1, self.groups, c // self.groups)
        var, mean = torch.var_mean(g, dim=(1, 3), correction=0, keepdim=True)
        y = ((g - mean) * torch.rsqrt(var + self.epsilon)).reshape(x.shape)
        if self.weight is not None:
            y = y * self.weight
        return y + self.bias if self.bias is not None else y

    def compute_output_shape(self, input_shape):
        ndim = len(input_shape)
        if not -ndim <= self.axis < ndim:
            raise ValueError("Axis %d is out of bounds for input shape %s. Received: axis=%d"
                             % (self.axis, tuple(input_shape), self.axis))
        return tuple(input_shape)

    def get_config(self) -> dict:
        return {
            **super().get_config(),
            "groups": self.groups,
            "axis": self.axis,
            "epsilon": self.epsilon,
            "center": self.center,
            "scale": self.scale,
            "beta_initializer": initializers.serialize(self.beta_initializer),
            "gamma_initializer": initializers.serialize(self.gamma_initializer),
            "beta_regularizer": regularizers.serialize(self.beta_regularizer),
            "gamma_regularizer": regularizers.serialize(self.gamma_regularizer),
            "beta_constraint": constraints.serialize(self.beta_constraint),
            "gamma_constraint": constraints.serialize(self.gamma_constraint),
        }
