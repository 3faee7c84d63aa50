"""UpSampling2D: enlarges images by integer factors (nearest, bilinear or bicubic)."""
from __future__ import annotations

import torch.nn.functional as F

from torchkeras import config as _config
from torchkeras.layers.layer import Layer
from torchkeras.layers.reshaping.arguments import spatial_axes, standardize_tuple
from torchkeras.layers.reshaping.spatial_ops import repeat_nearest

_INTERPOLATIONS = ("nearest", "bilinear", "bicubic")


class UpSampling2D(Layer):
    """Upsamples rows and columns by ``size``.

    ``"nearest"`` repeats pixels; ``"bilinear"``/``"bicubic"`` resample with
    ``F.interpolate`` (half-pixel centres, ``align_corners=False``, as Keras's torch
    backend does).

    Args:
        size: Int or pair ``(rows, cols)`` of upsampling factors.
        data_format: ``"channels_last"`` (default from config) or ``"channels_first"``.
        interpolation: ``"nearest"``, ``"bilinear"`` or ``"bicubic"``.

    Example:
        >>> UpSampling2D(2, interpolation="bilinear")(torch.zeros(1, 4, 4, 3)).shape
        torch.Size([1, 8, 8, 3])
    """

    def __init__(self, size=(2, 2), data_format: str | None = None,
                 interpolation: str = "nearest", **kwargs):
        super().__init__(**kwargs)
        self.data_format = _config.standardize_data_format(data_format)
        self.size = standardize_tuple(size, 2, "size")
        self.interpolation = str(interpolation).lower()
        if self.interpolation not in _INTERPOLATIONS:
            raise ValueError("UpSampling2D `interpolation` must be one of %s on torch. "
                             "Received: interpolation=%r" % (_INTERPOLATIONS, interpolation))
        self._axes = spatial_axes(2, self.data_format)

    def build(self, input_shape) -> None:
        if len(input_shape) != 4:
            raise ValueError("UpSampling2D expects inputs of rank 4, got shape %s"
                             % (tuple(input_shape),))
        self.built = True

    def call(self, inputs):
        if self.interpolation == "nearest":
            return repeat_nearest(inputs, self._axes, self.size)
        last = self.data_format == "channels_last"
        x = inputs.permute(0, 3, 1, 2) if last else inputs   # NCHW view, no copy
        size = (x.shape[2] * self.size[0], x.shape[3] * self.size[1])
        out = F.interpolate(x, size=size, mode=self.interpolation, align_corners=False)
        return out.permute(0, 2, 3, 1) if last else out

    def compute_output_shape(self, input_shape):
        out = list(input_shape)
        for axis, f in zip(self._axes, self.size):
            out[axis] = None if out[axis] is None else out[axis] * f
        return tuple(out)

    def get_config(self) -> dict:
        return {**super().get_config(), "size": self.size, "data_format": self.data_format,
                "interpolation": self.interpolation}
