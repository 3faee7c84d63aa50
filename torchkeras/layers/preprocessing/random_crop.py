"""RandomCrop: crops a random ``height x width`` window of each image while training."""
from __future__ import annotations

import random

import torch

from torchkeras.layers.preprocessing.base_image_layer import BaseImageLayer
from torchkeras.layers.preprocessing.bounding_boxes_ops import transform_boxes_through_window
from torchkeras.layers.preprocessing.resize_ops import aspect_crop_box, resize_nchw


class RandomCrop(BaseImageLayer):
    """Crops each image at its own random location while training.

    Offsets are drawn per image on the device and the windows are gathered with one
    indexing op. An input not larger than the target in both dimensions is cropped to
    the target aspect ratio around its centre and resized (bilinear) instead. At
    inference the images pass through unchanged, as in Keras 3.

    Args:
        height: Crop height.
        width: Crop width.
        seed: Integer seed. Without one, a random integer is stored in the config (as Keras
            does) and torch's global RNG is used.
        data_format: ``"channels_last"`` (default from config) or ``"channels_first"``.

    Example:
        >>> crop = RandomCrop(32, 32)
        >>> crop(torch.rand(8, 40, 40, 3), training=True).shape
        torch.Size([8, 32, 32, 3])
    """

    def __init__(self, height: int, width: int, seed: int | None = None,
                 data_format: str | None = None, name: str | None = None, **kwargs):
        super().__init__(data_format=data_format, name=name, **kwargs)
        for arg, v in (("height", height), ("width", width)):
            if isinstance(v, bool) or not isinstance(v, int) or v < 1:
                raise ValueError("RandomCrop expects `%s` to be a positive integer. Received: "
                                 "%s=%r" % (arg, arg, v))
        self.height = height
        self.width = width
        self._set_seed(seed)
        if seed is None:
            self.seed = random.randint(1, int(1e9))

    def get_random_transformation(self, images: torch.Tensor, training: bool):
        if not training:
            return None
        h, w = self._hw(images)
        if not (h > self.height and w > self.width):
            return {"aspect": True}
        b, dev = images.shape[0], images.device
        gen = self._rng.generator(dev)
        top = torch.randint(0, h - self.height + 1, (b, 1), device=dev, generator=gen)
        left = torch.randint(0, w - self.width + 1, (b, 1), device=dev, generator=gen)
        return {"top": top, "left": left}

    def transform_images(self, images: torch.Tensor, transformation, training: bool):
        if transformation is None:
            return images
        if "top" in transformation:
            return self._windows(images, transformation["top"], transformation["left"])
        h, w = self._hw(images)
        top, left, _, _ = aspect_crop_box(h, w, self.height, self.width)
        x = self._to_nchw(images)[:, :, top:top + self.height, left:left + self.width]
        if tuple(x.shape[-2:]) != (self.height, self.width):
            x = resize_nchw(x, (self.height, self.width), "bilinear")
        return self._from_nchw(x)

    def transform_segmentation_masks(self, masks, transformation, training: bool):
        return self.transform_images(masks, transformation, training)

    def transform_bounding_boxes(self, bounding_boxes: dict, transformation, training: bool,
                                 height: int, width: int) -> dict:
        if transformation is None:
            return bounding_boxes
        if "top" in transformation:
            window = (transformation["top"], transformation["left"], self.height, self.width)
        else:
            # The image path slices a target-sized window from the aspect box's corner (as
            # Keras does), cut short by the image's edge, then resizes it.
            top, left, _, _ = aspect_crop_box(height, width, self.height, self.width)
            window = (top, left, min(self.height, height - top), min(self.width, width - left))
        return transform_boxes_through_window(self.bounding_box_format, bounding_boxes, window,
                                              height, width, self.height, self.width)

    def _windows(self, images: torch.Tensor, top: torch.Tensor, left: torch.Tensor):
        b, dev = images.shape[0], images.device
        rows = top + torch.arange(self.height, device=dev)
        cols = left + torch.arange(self.width, device=dev)
        batch = torch.arange(b, device=dev).view(b, 1, 1)
        nhwc = images if self.data_format == "channels_last" else images.permute(0, 2, 3, 1)
        out = nhwc[batch, rows.unsqueeze(2), cols.unsqueeze(1)]
        return out if self.data_format == "channels_last" else out.permute(0, 3, 1, 2)

    def compute_output_shape(self, input_shape):
        shape = list(input_shape)
        h, w = self._hw_axes if len(shape) == 4 else (a - 1 for a in self._hw_axes)
        shape[h], shape[w] = self.height, self.width
        return tuple(shape)

    def get_config(self) -> dict:
        return {**super().get_config(), "height": self.height, "width": self.width,
                "seed": self.seed, "data_format": self.data_format}
