"""CenterCrop: crops the central ``height x width`` window of images."""
from __future__ import annotations

import torch

from torchkeras.layers.preprocessing.base_image_layer import BaseImageLayer
from torchkeras.layers.preprocessing.bounding_boxes_ops import transform_boxes_through_window
from torchkeras.layers.preprocessing.resize_ops import aspect_crop_box, resize_nchw


class CenterCrop(BaseImageLayer):
    """Crops the centre of each image to ``(height, width)``.

    An image smaller than the target in either dimension is instead cropped to the
    target aspect ratio and resized (bilinear), as Keras's ``smart_resize`` does. The
    crop itself is a view of the input (no copy).

    Args:
        height: Output height.
        width: Output width.
        data_format: ``"channels_last"`` (default from config) or ``"channels_first"``.

    Example:
        >>> CenterCrop(24, 24)(torch.rand(8, 32, 32, 3)).shape
        torch.Size([8, 24, 24, 3])
    """

    def __init__(self, height: int, width: int, data_format: str | None = None, **kwargs):
        super().__init__(data_format=data_format, **kwargs)
        for arg, v in (("height", height), ("width", width)):
            if isinstance(v, bool) or not isinstance(v, int) or v < 1:
                raise ValueError("CenterCrop expects `%s` to be a positive integer. Received: "
                                 "%s=%r" % (arg, arg, v))
        self.height = height
        self.width = width

    def transform_images(self, images: torch.Tensor, transformation, training: bool):
        h, w = self._hw(images)
        if h >= self.height and w >= self.width:
            top, left = (h - self.height) // 2, (w - self.width) // 2
            x = self._to_nchw(images)[:, :, top:top + self.height, left:left + self.width]
            return self._from_nchw(x)
        out = resize_nchw(self._to_nchw(images), (self.height, self.width), "bilinear",
                          crop_to_aspect_ratio=True)
        return self._from_nchw(out)

    def transform_segmentation_masks(self, masks, transformation, training: bool):
        return self.transform_images(masks, transformation, training)

    def transform_bounding_boxes(self, bounding_boxes: dict, transformation, training: bool,
                                 height: int, width: int) -> dict:
        if height >= self.height and width >= self.width:
            window = ((height - self.height) // 2, (width - self.width) // 2, self.height,
                      self.width)
        else:
            window = aspect_crop_box(height, width, self.height, self.width)
        return transform_boxes_through_window(self.bounding_box_format, bounding_boxes, window,
                                              height, width, self.height, self.width)

    def compute_output_shape(self, input_shape):
        shape = list(input_shape)
        if len(shape) not in (3, 4):
            raise ValueError("CenterCrop: `input_shape` must have rank 3 (unbatched) or 4 "
                             "(batched). Received: %s" % (tuple(input_shape),))
        h, w = self._hw_axes if len(shape) == 4 else (a - 1 for a in self._hw_axes)
        shape[h], shape[w] = self.height, self.width
        return tuple(shape)

    def get_config(self) -> dict:
        return {**super().get_config(), "height": self.height, "width": self.width,
                "data_format": self.data_format}
