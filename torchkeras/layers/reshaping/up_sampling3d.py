"""UpSampling3D: repeats voxels along depth, height and width."""
from __future__ import annotations

from torchkeras import config as _config
from torchkeras.layers.layer import Layer
from torchkeras.layers.reshaping.arguments import spatial_axes, standardize_tuple
from torchkeras.layers.reshaping.spatial_ops import repeat_nearest


class UpSampling3D(Layer):
    """Repeats each voxel ``size[i]`` times along the three spatial axes.

    Args:
        size: Int or triple of upsampling factors.
        data_format: ``"channels_last"`` (default from config) or ``"channels_first"``.

    Example:
        >>> UpSampling3D(2)(torch.zeros(1, 2, 2, 2, 3)).shape
        torch.Size([1, 4, 4, 4, 3])
    """

    def __init__(self, size=(2, 2, 2), data_format: str | None = None, **kwargs):
        super().__init__(**kwargs)
        self.data_format = _config.standardize_data_format(data_format)
        self.size = standardize_tuple(size, 3, "size")
        self._axes = spatial_axes(3, self.data_format)

    def build(self, input_shape) -> None:
        if len(input_shape) != 5:
            raise ValueError("UpSampling3D expects inputs of rank 5, got shape %s"
                             % (tuple(input_shape),))
        self.built = True

    def call(self, inputs):
        return repeat_nearest(inputs, self._axes, self.size)

    def compute_output_shape(self, input_shape):
        out = list(input_shape)
        for axis, f in zip(self._axes, self.size):
            out[axis] = None if out[axis] is None else out[axis] * f
        return tuple(out)

    def get_config(self) -> dict:
        return {**super().get_config(), "size": self.size, "data_format": self.data_format}
