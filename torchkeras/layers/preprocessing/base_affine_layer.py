"""Shared hooks of the affine image layers (RandomTranslation, RandomRotation, RandomZoom):
one ``theta`` per image warps the images, segmentation masks and bounding boxes alike."""
from __future__ import annotations

import torch

from torchkeras.layers.preprocessing.affine import affine_transform
from torchkeras.layers.preprocessing.base_image_layer import BaseImageLayer
from torchkeras.layers.preprocessing.bounding_boxes_ops import clip_xyxy, from_xyxy, to_xyxy


def affine_boxes_xyxy(boxes: torch.Tensor, theta: torch.Tensor, height: int,
                      width: int) -> torch.Tensor:
    """Moves ``(B, N, 4)`` ``xyxy`` pixel boxes as the images warped by ``theta`` move
    (the box around the 4 moved corners).

    ``theta`` maps normalized output coordinates to input ones (``align_corners=False``,
    where the image edge ``x = 0 .. W`` spans ``-1 .. 1``), so boxes go through its inverse.
    """
    a, b, t0 = theta[:, 0, 0], theta[:, 0, 1], theta[:, 0, 2]
    c, d, t1 = theta[:, 1, 0], theta[:, 1, 1], theta[:, 1, 2]
    det = a * d - b * c
    view = (-1, 1, 1)
    x0, y0, x1, y1 = boxes.unbind(-1)
    u = torch.stack([x0, x1, x0, x1], -1) * (2.0 / width) - 1 - t0.view(view)
    v = torch.stack([y0, y1, y1, y0], -1) * (2.0 / height) - 1 - t1.view(view)
    uo = (d.view(view) * u - b.view(view) * v) / det.view(view)
    vo = (a.view(view) * v - c.view(view) * u) / det.view(view)
    xs, ys = (uo + 1) * (width / 2.0), (vo + 1) * (height / 2.0)
    return torch.stack([xs.amin(-1), ys.amin(-1), xs.amax(-1), ys.amax(-1)], -1)


class BaseAffineLayer(BaseImageLayer):
    """Base of the layers whose draw is a per-image affine map ``theta`` (``(B, 2, 3)``,
    normalized output -> input coordinates): subclasses implement
    ``get_random_transformation`` returning ``theta`` (or None) and set ``fill_mode``,
    ``fill_value`` and ``interpolation``. Masks are warped with nearest interpolation;
    boxes become the box around their moved corners, clipped to the image."""

    def transform_images(self, images: torch.Tensor, theta, training: bool):
        return self._warp(images, theta, self.interpolation)

    def transform_segmentation_masks(self, masks: torch.Tensor, theta, training: bool):
        return self._warp(masks, theta, "nearest")

    def transform_bounding_boxes(self, bounding_boxes: dict, theta, training: bool,
                                 height: int, width: int) -> dict:
        if theta is None:
            return bounding_boxes
        fmt = self.bounding_box_format
        boxes = affine_boxes_xyxy(to_xyxy(bounding_boxes["boxes"], fmt, height, width),
                                  theta.to(torch.float32), height, width)
        boxes, labels = clip_xyxy(boxes, bounding_boxes["labels"], height, width)
        return {"boxes": from_xyxy(boxes, fmt, height, width), "labels": labels}

    def _warp(self, images: torch.Tensor, theta, interpolation: str) -> torch.Tensor:
        if theta is None:
            return images
        x = self._to_nchw(images)
        work = x if x.is_floating_point() else x.to(torch.float32)
        out = affine_transform(work, theta, interpolation, self.fill_mode, self.fill_value)
        if not x.is_floating_point():
            out = out.round().to(x.dtype)
        return self._from_nchw(out)
