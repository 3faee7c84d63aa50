"""Equalization: histogram equalization of each channel while training."""
from __future__ import annotations

import torch

from torchkeras.layers.preprocessing.base_image_layer import BaseImageLayer
from torchkeras.layers.preprocessing.color_utils import channel_axis, check_value_range


class Equalization(BaseImageLayer):
    """Equalizes the histogram of each channel (over the whole batch, as Keras does).

    Values are mapped to ``[0, 255]`` and binned into ``bins`` bins; each value is sent
    through the rounded, normalized cumulative histogram of its channel. Channels whose
    values fall in a single bin are left as they are. Applied while training; identity at
    inference.

    Args:
        value_range: ``(min, max)`` of the pixel values. Defaults to ``(0, 255)``.
        bins: Number of histogram bins. Defaults to 256.
        data_format: ``"channels_last"`` (default from config) or ``"channels_first"``.

    Example:
        >>> y = Equalization()(torch.rand(2, 8, 8, 3) * 100, training=True)
    """

    _PRESERVES_GEOMETRY = True  # colour only: boxes and masks pass through
    _CAST_INPUTS = False

    def __init__(self, value_range: tuple | list = (0, 255), bins: int = 256,
                 data_format: str | None = None, **kwargs):
        check_value_range("Equalization", value_range)
        if isinstance(bins, bool) or not isinstance(bins, int) or bins < 2:
            raise ValueError("Equalization: `bins` must be an integer >= 2. Received: bins=%r"
                             % (bins,))
        super().__init__(data_format=data_format, **kwargs)
        self.bins = bins
        self.value_range = sorted(value_range)

    def _scale(self, x: torch.Tensor, source, target) -> torch.Tensor:
        scale = (target[1] - target[0]) / (source[1] - source[0])
        return x * scale + (target[0] - source[0] * scale)

    def transform(self, images: torch.Tensor, training: bool) -> torch.Tensor:
        if not training:
            return images
        images = self._cast(images)
        axis = channel_axis(self.data_format)
        x = images.movedim(axis, 0)                        # (C, B, H, W)
        c = x.shape[0]
        x = self._scale(x.reshape(c, -1), self.value_range, (0, 255))
        nb = self.bins
        # Keras bins with (v * (bins - 1)) / 255 but looks up with (v / 255) * (bins - 1):
        # both kept, as float rounding can put a value in neighbouring bins.
        hist_idx = ((x.float() * (nb - 1)) / 255.0).to(torch.int32).clamp_(0, nb - 1)
        offsets = torch.arange(c, device=x.device).unsqueeze(1) * nb
        hist = torch.bincount((hist_idx + offsets).flatten(), minlength=c * nb).view(c, nb)
        cdf = hist.cumsum(1)
        big = torch.iinfo(cdf.dtype).max
        cdf_min = torch.where(cdf > 0, cdf, big).amin(1, keepdim=True)
        denom = cdf[:, -1:] - cdf_min
        denom = torch.where(denom == 0, torch.ones_like(denom), denom)
        lut = (((cdf - cdf_min) * 255).float() / denom.float()).round().clamp(0, 255)
        idx = ((x / 255.0) * (nb - 1)).clamp(0, nb - 1).to(torch.int64)
        eq = torch.gather(lut.to(x.dtype), 1, idx)
        flat = (hist > 0).sum(1, keepdim=True) <= 1
        out = self._scale(torch.where(flat, x, eq), (0, 255), self.value_range)
        out = out.view(images.movedim(axis, 0).shape).movedim(0, axis)
        return self._cast(out)

    def get_config(self) -> dict:
        return {**super().get_config(), "bins": self.bins, "value_range": self.value_range}
