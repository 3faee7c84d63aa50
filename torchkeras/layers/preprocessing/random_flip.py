"""RandomFlip: flips each image with probability 1/2 while training."""
from __future__ import annotations

import torch

from torchkeras.layers.preprocessing.base_image_layer import BaseImageLayer
from torchkeras.layers.preprocessing.bounding_boxes_ops import clip_xyxy, from_xyxy, to_xyxy

HORIZONTAL = "horizontal"
VERTICAL = "vertical"
HORIZONTAL_AND_VERTICAL = "horizontal_and_vertical"
_MODES = (HORIZONTAL, VERTICAL, HORIZONTAL_AND_VERTICAL)


class RandomFlip(BaseImageLayer):
    """Randomly flips images left-right and/or up-down (identity at inference).

    One draw per image decides whether it is flipped; with
    ``"horizontal_and_vertical"`` a chosen image is flipped along both axes (as Keras
    does). The draw happens on the images' device and the choice is a ``torch.where``.

    Args:
        mode: ``"horizontal"``, ``"vertical"`` or ``"horizontal_and_vertical"``.
        seed: Integer seed for a private random stream (else torch's global RNG).
        bounding_box_format: Format of the boxes of dict inputs (e.g. ``"xyxy"``); boxes
            and segmentation masks are flipped with their images.
        data_format: ``"channels_last"`` (default from config) or ``"channels_first"``.

    Example:
        >>> flip = RandomFlip("horizontal", seed=0)
        >>> y = flip(torch.rand(8, 32, 32, 3), training=True)
    """

    def __init__(self, mode: str = HORIZONTAL_AND_VERTICAL, seed: int | None = None,
                 data_format: str | None = None, **kwargs):
        super().__init__(data_format=data_format, **kwargs)
        if mode not in _MODES:
            raise ValueError("RandomFlip layer %s received an unknown mode argument %r. "
                             "Expected one of %s." % (self.name, mode, _MODES))
        self.mode = mode
        self._set_seed(seed)
        h, w = self._hw_axes
        self._dims = {HORIZONTAL: (w,), VERTICAL: (h,), HORIZONTAL_AND_VERTICAL: (h, w)}[mode]

    def get_random_transformation(self, images: torch.Tensor, training: bool):
        if not training:
            return None
        return self._uniform((images.shape[0], 1), 0.0, 1.0, images) <= 0.5

    def transform_images(self, images: torch.Tensor, flips, training: bool) -> torch.Tensor:
        if flips is None:
            return images
        b, dev = images.shape[0], images.device
        out = images
        # One gather per flipped axis, reading reversed or straight indices per image:
        # a single pass over the data instead of flip + where.
        for d in self._dims:
            n = images.shape[d]
            ar = torch.arange(n, device=dev)
            idx = torch.where(flips, (n - 1) - ar, ar)
            shape = [b, 1, 1, 1]
            shape[d] = n
            out = torch.gather(out, d, idx.view(shape).expand(images.shape))
        return out

    def transform_segmentation_masks(self, masks, flips, training: bool):
        return self.transform_images(masks, flips, training)

    def transform_bounding_boxes(self, bounding_boxes: dict, flips, training: bool,
                                 height: int, width: int) -> dict:
        if flips is None:
            return bounding_boxes
        fmt = self.bounding_box_format
        x0, y0, x1, y1 = to_xyxy(bounding_boxes["boxes"], fmt, height, width).unbind(-1)
        f = flips.view(-1, 1)
        if self.mode != VERTICAL:
            x0, x1 = torch.where(f, width - x1, x0), torch.where(f, width - x0, x1)
        if self.mode != HORIZONTAL:
            y0, y1 = torch.where(f, height - y1, y0), torch.where(f, height - y0, y1)
        boxes, labels = clip_xyxy(torch.stack([x0, y0, x1, y1], -1), bounding_boxes["labels"],
                                  height, width)
        return {"boxes": from_xyxy(boxes, fmt, height, width), "labels": labels}

    def get_config(self) -> dict:
        return {**super().get_config(), "seed": self.seed, "mode": self.mode,
                "data_format": self.data_format}
