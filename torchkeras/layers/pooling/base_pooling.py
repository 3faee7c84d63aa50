"""BasePooling: max/average pooling windows with Keras's (TF's) "same" semantics."""
from __future__ import annotations

import torch.nn.functional as F

from torchkeras import config as _config
from torchkeras.layers.convolutional import conv_utils as cu
from torchkeras.layers.layer import Layer

_POOL_FNS = {
    ("max", 1): F.max_pool1d, ("max", 2): F.max_pool2d, ("max", 3): F.max_pool3d,
    ("average", 1): F.avg_pool1d, ("average", 2): F.avg_pool2d, ("average", 3): F.avg_pool3d,
}


class BasePooling(Layer):
    """Pooling over ``pool_dimensions`` spatial dimensions.

    "same" padding never copies the input: TF pads ``total // 2`` on the left and the
    rest on the right, which is torch's symmetric ``padding=left`` with ``ceil_mode``
    (the right-most window is clipped), or for stride 1 a symmetric ``padding=right``
    minus the first output. Padding never counts in a max or an average.

    Args:
        pool_size: Int or tuple of ``pool_dimensions`` ints.
        strides: Int, tuple or None (``pool_size``).
        pool_dimensions: 1, 2 or 3.
        pool_mode: ``"max"`` or ``"average"``.
        padding: ``"valid"`` or ``"same"``.
        data_format: ``"channels_last"``, ``"channels_first"`` or None (global setting).
    """

    def __init__(self, pool_size, strides, pool_dimensions: int, pool_mode: str = "max",
                 padding: str = "valid", data_format: str | None = None, name=None, **kwargs):
        super().__init__(name=name, **kwargs)
        cls = type(self).__name__
        if pool_mode not in ("max", "average"):
            raise ValueError("%s expects `pool_mode` 'max' or 'average', got %r"
                             % (cls, pool_mode))
        self.pool_dimensions = pool_dimensions
        self.pool_size = cu.standardize_tuple(pool_size, pool_dimensions, "pool_size",
                                              layer=cls)
        self.strides = cu.standardize_tuple(pool_size if strides is None else strides,
                                            pool_dimensions, "strides", layer=cls)
        self.pool_mode = pool_mode
        self.padding = cu.standardize_padding(padding, layer=cls)
        self.data_format = _config.standardize_data_format(data_format)
        self._pool = _POOL_FNS[(pool_mode, pool_dimensions)]
        self.built = True

    def call(self, inputs):
        if inputs.dim() != self.pool_dimensions + 2:
            raise ValueError("%s expects inputs of rank %d, got shape %s"
                             % (type(self).__name__, self.pool_dimensions + 2,
                                tuple(inputs.shape)))
        x = cu.to_nc(inputs, self.data_format)
        if x.is_cuda and self.pool_mode == "average" and self.padding == "same":
            return cu.from_nc(self._average_same_padded(x), self.data_format)
        pads, ceil, trim = 0, False, None
        if self.padding == "same":
            pads, trim = [], []
            for size, k, st in zip(x.shape[2:], self.pool_size, self.strides):
                left, right = cu.same_pads(size, k, st)
                # stride 1 with one extra pixel on the right: pad `right` on both sides
                # and drop the first output instead (ceil_mode cannot add it).
                shift = st == 1 and right > left
                pads.append(right if shift else left)
                trim.append(shift)
            pads, ceil = tuple(pads), True
        if self.pool_mode == "max":
            y = self._pool(x, self.pool_size, self.strides, pads, ceil_mode=ceil)
        else:
            y = self._pool(x, self.pool_size, self.strides, pads, ceil_mode=ceil,
                           count_include_pad=False)
        if trim and any(trim):
            y = y[(slice(None), slice(None)) + tuple(slice(1 if t else 0, None) for t in trim)]
        return cu.from_nc(y, self.data_format)

    def _average_same_padded(self, x):
        # On CUDA, torch's average-pool backward gets the divisor of clipped ceil_mode
        # windows wrong (gradients off by up to 500x, seen on an H200 with torch 2.11), so
        # pad explicitly and divide by the count of real elements in each window.
        pads = []
        for size, k, st in zip(reversed(x.shape[2:]), reversed(self.pool_size),
                               reversed(self.strides)):
            pads.extend(cu.same_pads(size, k, st))
        mean = self._pool(F.pad(x, pads), self.pool_size, self.strides, 0)
        ones = x.new_ones((1, 1) + tuple(x.shape[2:]))
        share = self._pool(F.pad(ones, pads), self.pool_size, self.strides, 0)
        return mean / share

    def compute_output_shape(self, input_shape):
        input_shape = tuple(input_shape)
        if len(input_shape) != self.pool_dimensions + 2:
            raise ValueError("%s expects inputs of rank %d, got shape %s"
                             % (type(self).__name__, self.pool_dimensions + 2, input_shape))
        last = self.data_format == "channels_last"
        spatial = input_shape[1:-1] if last else input_shape[2:]
        out = tuple(cu.conv_output_length(s, k, st, self.padding)
                    for s, k, st in zip(spatial, self.pool_size, self.strides))
        for o in out:
            if o is not None and o <= 0:
                raise ValueError("%s: computed output size would be zero or negative for input "
                                 "shape %s, pool_size=%s, strides=%s, padding=%s"
                                 % (type(self).__name__, input_shape, self.pool_size,
                                    self.strides, self.padding))
        if last:
            return (input_shape[0],) + out + (input_shape[-1],)
        return input_shape[:2] + out

    def get_config(self) -> dict:
        return {**super().get_config(), "pool_size": self.pool_size, "padding": self.padding,
                "strides": self.strides, "data_format": self.data_format}
