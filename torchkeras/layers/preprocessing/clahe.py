"""ContrastLimitedAdaptiveHistogramEqualization (CLAHE)."""
from __future__ import annotations

import torch

from torchkeras.layers.preprocessing.base_image_layer import BaseImageLayer
from torchkeras.layers.preprocessing.color_utils import check_value_range, rescale


def _symmetric_index(n: int, padded: int, device) -> torch.Tensor:
    """Row/column indices of numpy's "symmetric" padding at the end of an axis."""
    i = torch.arange(padded, device=device)
    period = 2 * n
    i = torch.remainder(i, period)
    return torch.where(i < n, i, period - 1 - i)


class ContrastLimitedAdaptiveHistogramEqualization(BaseImageLayer):
    """Contrast-limited adaptive histogram equalization of each channel.

    The image (on the ``[0, 255]`` scale) is cut into ``tile_grid_size`` tiles (padded
    symmetrically to a whole number of tiles); each tile's 256-bin histogram is clipped at
    ``clip_limit * tile_pixels / 256`` with the excess spread evenly, and each pixel goes
    through the bilinear blend of the four nearest tiles' normalized cumulative histograms.
    Deterministic and applied in training and at inference (as in Keras); the output keeps
    the input dtype.

    Args:
        value_range: ``(min, max)`` of the pixel values. Defaults to ``(0, 255)``.
        clip_limit: Histogram clip limit; 0 or less disables the clipping. Defaults to 4.
        tile_grid_size: ``(rows, columns)`` of tiles. Defaults to ``(8, 8)``.
        data_format: ``"channels_last"`` (default from config) or ``"channels_first"``.

    Example:
        >>> clahe = ContrastLimitedAdaptiveHistogramEqualization(tile_grid_size=(4, 4))
        >>> y = clahe(torch.rand(2, 32, 32, 3) * 255)
    """

    _PRESERVES_GEOMETRY = True  # colour only: boxes and masks pass through
    _CAST_INPUTS = False

    def __init__(self, value_range: tuple | list = (0, 255), clip_limit: float = 4.0,
                 tile_grid_size: tuple = (8, 8), data_format: str | None = None, **kwargs):
        name = "ContrastLimitedAdaptiveHistogramEqualization"
        check_value_range(name, value_range)
        if isinstance(clip_limit, bool) or not isinstance(clip_limit, (int, float)):
            raise ValueError("%s: `clip_limit` must be a number. Received: clip_limit=%r"
                             % (name, clip_limit))
        if (not isinstance(tile_grid_size, (tuple, list)) or len(tile_grid_size) != 2
                or not all(isinstance(g, int) and not isinstance(g, bool) and g > 0
                           for g in tile_grid_size)):
            raise ValueError("%s: `tile_grid_size` must be a pair of positive integers. "
                             "Received: tile_grid_size=%r" % (name, tile_grid_size))
        super().__init__(data_format=data_format, **kwargs)
        self.value_range = value_range
        self.clip_limit = clip_limit
        self.tile_grid_size = tile_grid_size

    def transform(self, images: torch.Tensor, training: bool) -> torch.Tensor:
        dtype = images.dtype
        x = images if self.data_format == "channels_last" else images.permute(0, 2, 3, 1)
        x = rescale(x.float() if not x.is_floating_point() else x, self.value_range, (0, 255))
        out = self._clahe(x)
        out = rescale(out, (0, 255), self.value_range).to(dtype)
        return out if self.data_format == "channels_last" else out.permute(0, 3, 1, 2)

    def _clahe(self, x: torch.Tensor) -> torch.Tensor:
        b, h, w, c = x.shape
        gh, gw = self.tile_grid_size
        th, tw = -(-h // gh), -(-w // gw)
        hp, wp = th * gh, tw * gw
        dev = x.device
        if hp != h or wp != w:
            x = x[:, _symmetric_index(h, hp, dev)][:, :, _symmetric_index(w, wp, dev)]
        pixels = x.to(torch.int32).clamp_(0, 255).to(torch.int64)     # (B, Hp, Wp, C)
        # Histograms per (image, tile row, tile column, channel).
        tile_of_y = torch.arange(hp, device=dev) // th
        tile_of_x = torch.arange(wp, device=dev) // tw
        cell = ((torch.arange(b, device=dev).view(b, 1, 1, 1) * gh + tile_of_y.view(1, hp, 1, 1))
                * gw + tile_of_x.view(1, 1, wp, 1)) * c + torch.arange(c, device=dev)
        n_cells = b * gh * gw * c
        hist = torch.bincount((cell * 256 + pixels).flatten(), minlength=n_cells * 256)
        hist = hist.view(b, gh, gw, c, 256).to(torch.float32)
        area = th * tw
        if self.clip_limit > 0:
            clipped = hist.clamp(0, self.clip_limit * area / 256.0)
            excess = (hist - clipped).sum(-1, keepdim=True)
            hist = clipped + excess / 256.0
        cdf = hist.cumsum(-1)
        cdf_min = cdf.amin(-1, keepdim=True)
        denom = float(area) - cdf_min
        denom = torch.where(denom == 0, torch.ones_like(denom), denom)
        lut = ((cdf - cdf_min) * 255.0 / denom).clamp(0, 255)
        # Edge tiles repeated once on each side, so border pixels blend with themselves.
        lut = torch.cat([lut[:, :1], lut, lut[:, -1:]], dim=1)
        lut = torch.cat([lut[:, :, :1], lut, lut[:, :, -1:]], dim=2)
        y0, y1, wy = self._taps(hp, th, gh, dev)
        x0, x1, wx = self._taps(wp, tw, gw, dev)
        bi = torch.arange(b, device=dev).view(b, 1, 1, 1)
        ci = torch.arange(c, device=dev).view(1, 1, 1, c)
        y0, y1, wy = y0.view(1, hp, 1, 1), y1.view(1, hp, 1, 1), wy.view(1, hp, 1, 1)
        x0, x1, wx = x0.view(1, 1, wp, 1), x1.view(1, 1, wp, 1), wx.view(1, 1, wp, 1)
        top = lut[bi, y0, x0, ci, pixels] * (1.0 - wx) + lut[bi, y0, x1, ci, pixels] * wx
        bottom = lut[bi, y1, x0, ci, pixels] * (1.0 - wx) + lut[bi, y1, x1, ci, pixels] * wx
        out = top * (1.0 - wy) + bottom * wy
        return out[:, :h, :w, :]

    @staticmethod
    def _taps(size: int, tile: int, grid: int, device) -> tuple:
        pos = (torch.arange(size, dtype=torch.float32, device=device) - tile / 2.0) / tile + 1.0
        lo = torch.floor(pos)
        weight = pos - lo
        first = lo.clamp(0, grid + 1).to(torch.int64)
        second = (lo + 1.0).clamp(0, grid + 1).to(torch.int64)
        return first, second, weight

    def get_config(self) -> dict:
        return {**super().get_config(), "value_range": self.value_range,
                "clip_limit": self.clip_limit, "tile_grid_size": self.tile_grid_size,
                "data_format": self.data_format}
