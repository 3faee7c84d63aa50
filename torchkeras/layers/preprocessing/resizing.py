"""Resizing: resizes images to a fixed height and width."""
from __future__ import annotations

import torch

from torchkeras.layers.preprocessing.base_image_layer import BaseImageLayer
from torchkeras.layers.preprocessing.bounding_boxes_ops import transform_boxes_through_window
from torchkeras.layers.preprocessing.resize_ops import (aspect_crop_box, check_interpolation,
                                                       resize_nchw)


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

    def transform_images(self, images: torch.Tensor, transformation, training: bool):
        return self._resize(images, self.interpolation, self.antialias)

    def _resize(self, images: torch.Tensor, interpolation: str, antialias: bool):
        out = resize_nchw(self._to_nchw(images), (self.height, self.width), interpolation,
                          antialias, self.crop_to_aspect_ratio, self.pad_to_aspect_ratio,
                          self.fill_value)
        return self._from_nchw(out)

    def transform_segmentation_masks(self, masks, transformation, training: bool):
        # Class ids must not blend: masks are resized with nearest neighbours (as Keras).
        x = masks if masks.is_floating_point() else masks.to(torch.float32)
        out = self._resize(x, "nearest", False)
        return out if out.dtype == masks.dtype else out.round().to(masks.dtype)

    def transform_bounding_boxes(self, bounding_boxes: dict, transformation, training: bool,
                                 height: int, width: int) -> dict:
        if self.crop_to_aspect_ratio:
            window = aspect_crop_box(height, width, self.height, self.width)
        elif self.pad_to_aspect_ratio:
            # The same offsets as the image padding: even amounts on both sides.
            top = int(float(max(height, int(float(width * self.height) / self.width)) - height) / 2)
            left = int(float(max(width, int(float(height * self.width) / self.height)) - width) / 2)
            window = (-top, -left, height + 2 * top, width + 2 * left)
        else:
            window = (0, 0, height, width)
        return transform_boxes_through_window(self.bounding_box_format, bounding_boxes, window,
                                              height, width, self.height, self.width)

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
