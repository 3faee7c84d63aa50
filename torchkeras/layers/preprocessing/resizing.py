"""Resizing: resizes images to a fixed height and width."""
from __future__ import annotations

import torch

from torchkeras.layers.preprocessing.base_image_layer import BaseImageLayer
from torchkeras.layers.preprocessing.resize_ops import check_interpolation, resize_nchw


class Resizing(BaseImageLayer):
    """Resizes a batch (or a single image) to ``(height, width)`` with ``F.interpolate``.

    Resampling uses half-pixel centres (``align_corners=False``), as Keras's torch
    backend does; ``"nearest"`` is torch's ``"nearest-exact"``. Integer images keep their
    dtype (rounded and saturated).

    Args:
        height: Output height.
        width: Output width.
        interpolation: ``"bilinear"``, ``"nearest"``, ``"bicubic"`` or ``"area"``.
        crop_to_aspect_ratio: Crop the largest centred window with the target aspect ratio
            first, so the image is not distorted.
        pad_to_aspect_ratio: Pad the short side evenly (with ``fill_value``) first.
        fill_mode: Only ``"constant"``.
        fill_value: Padding value for ``pad_to_aspect_ratio``.
        antialias: Low-pass filter when downsampling (bilinear/bicubic).
        data_format: ``"channels_last"`` (default from config) or ``"channels_first"``.

    Example:
        >>> Resizing(16, 16)(torch.rand(2, 32, 32, 3)).shape
        torch.Size([2, 16, 16, 3])
    """

    _CAST_INPUTS = False

    def __init__(self, height: int, width: int, interpolation: str = "bilinear",
                 crop_to_aspect_ratio: bool = False, pad_to_aspect_ratio: bool = False,
                 fill_mode: str = "constant", fill_value: float = 0.0, antialias: bool = False,
                 data_format: str | None = None, **kwargs):
        super().__init__(data_format=data_format, **kwargs)
        for arg, v in (("height", height), ("width", width)):
            if isinstance(v, bool) or not isinstance(v, int) or v < 1:
                raise ValueError("Resizing expects `%s` to be a positive integer. Received: "
                                 "%s=%r" % (arg, arg, v))
        check_interpolation("Resizing", interpolation)
        if fill_mode != "constant":
            raise ValueError("Resizing: invalid value for argument `fill_mode`. Only "
                             "'constant' is supported. Received: fill_mode=%s" % (fill_mode,))
        if pad_to_aspect_ratio and crop_to_aspect_ratio:
            raise ValueError("Resizing: only one of `pad_to_aspect_ratio` & "
                             "`crop_to_aspect_ratio` can be `True`.")
        self.height = height
        self.width = width
        self.interpolation = interpolation
        self.crop_to_aspect_ratio = crop_to_aspect_ratio
        self.pad_to_aspect_ratio = pad_to_aspect_ratio
        self.fill_mode = fill_mode
        self.fill_value = fill_value
        self.antialias = bool(antialias)

    def transform(self, images: torch.Tensor, training: bool) -> torch.Tensor:
        out = resize_nchw(self._to_nchw(images), (self.height, self.width), self.interpolation,
                          self.antialias, self.crop_to_aspect_ratio, self.pad_to_aspect_ratio,
                          self.fill_value)
        return self._from_nchw(out)

    def compute_output_shape(self, input_shape):
        shape = list(input_shape)
        h, w = self._hw_axes if len(shape) == 4 else (a - 1 for a in self._hw_axes)
        shape[h], shape[w] = self.height, self.width
        return tuple(shape)

    def _output_dtype(self, input_dtype) -> str:
        return input_dtype if "int" in str(input_dtype) else self.compute_dtype

    def get_config(self) -> dict:
        return {**super().get_config(), "height": self.height, "width": self.width,
                "interpolation": self.interpolation,
                "crop_to_aspect_ratio": self.crop_to_aspect_ratio,
                "pad_to_aspect_ratio": self.pad_to_aspect_ratio, "fill_mode": self.fill_mode,
                "fill_value": self.fill_value, "antialias": self.antialias,
                "data_format": self.data_format}
