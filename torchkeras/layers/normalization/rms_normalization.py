"""RMSNormalization, stored as ``nn.RMSNorm`` stores it (``weight``)."""
from __future__ import annotations

import torch
import torch.nn.functional as F

from torchkeras.layers.layer import Layer
from torchkeras.layers.normalization.layer_normalization import check_axis_arg, normalize_axes


class RMSNormalization(Layer):
    """Root-mean-square normalization: ``x * rsqrt(mean(x ** 2) + epsilon) * scale``
    over ``axis`` (no centering), with a learned ``scale``.

    The scale is stored as ``weight`` so ``state_dict()`` loads into ``nn.RMSNorm``;
    trailing axes use the fused ``F.rms_norm`` kernel.

    Args:
        axis: Int or list of ints: the axes to normalize.
        epsilon: Added to the mean square.

    Example:
        >>> y = RMSNormalization()(torch.randn(4, 10, 16))
    """

    def __init__(self, axis=-1, epsilon: float = 1e-6, **kwargs):
        super().__init__(**kwargs)
        self.axis = check_axis_arg(axis, "RMSNormalization")
        self.epsilon = float(epsilon)

    def build(self, input_shape) -> None:
        ndim = len(input_shape)
        axes = normalize_axes(self.axis, ndim, "RMSNormalization")
        shape = tuple(input_shape[a] for a in axes)
        if any(s is None for s in shape):
            raise ValueError("RMSNormalization expects the normalized axes %s to have known "
                             "sizes, got input shape %s" % (self.axis, tuple(input_shape)))
        self.axis = sorted(self.axis) if isinstance(self.axis, list) else [self.axis]
        self._axes = axes
        self._shape = shape
        self._trailing = axes == list(range(ndim - len(axes), ndim))
        self.weight = self.add_weight(name="scale", shape=shape, initializer="ones")
        self.built = True

    @property
    def scale(self):
        return self.weight

    def call(self, x):
        out_dtype = x.dtype
        if x.dtype not in (torch.float32, torch.float64):
            x = x.float()
        if self._trailing:
            out = F.rms_norm(x, self._shape, self.weight, self.epsilon)
        else:
            shape = [1] * x.dim()
            for a, s in zip(self._axes, self._shape):
                shape[a] = s
            rrms = torch.rsqrt(x.square().mean(dim=self._axes, keepdim=True) + self.epsilon)
            out = x * rrms * self.weight.reshape(shape)
        return out if out.dtype == out_dtype else out.to(out_dtype)

    def compute_output_shape(self, input_shape):
        normalize_axes(self.axis, len(input_shape), "RMSNormalization")
        return tuple(input_shape)

    def get_config(self) -> dict:
        return {**super().get_config(), "axis": self.axis, "epsilon": self.epsilon}
