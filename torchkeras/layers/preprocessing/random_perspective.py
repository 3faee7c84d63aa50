"""RandomPerspective: moves the image corners by random amounts (a projective warp)."""
from __future__ import annotations

import torch

from torchkeras.layers.preprocessing.base_image_layer import BaseImageLayer
from torchkeras.layers.preprocessing.bounding_boxes_ops import clip_xyxy, from_xyxy, to_xyxy
from torchkeras.layers.preprocessing.random_erasing import parse_unit_range
from torchkeras.layers.preprocessing.warp_ops import (apply_homography, homography,
                                                      homography_matrix, pixel_grid,
                                                      sample_pixels)

_INTERPOLATIONS = ("nearest", "bilinear")


class RandomPerspective(BaseImageLayer):
    """Random perspective warps while training (identity at inference).

    Each image is warped with a probability drawn from ``U(factor)``. The corner points
    ``(0, 0)``, ``(W-1, 0)``, ``(0, H-1)``, ``(W-1, H-1)`` move to ``p + p * d`` with
    ``d ~ U(-scale/2, scale/2)`` per coordinate (so, as in Keras, the top-left corner stays
    put), and the image follows the homography between them; pixels from outside the
    image take ``fill_value``. Boxes are mapped through the same warp (the box around
    their moved corners, clipped), masks with nearest interpolation.

    Args:
        factor: Probability range of warping: ``f`` for ``(0, f)`` or ``(min, max)``.
        scale: Strength of the corner displacement, in [0, 1].
        interpolation: ``"bilinear"`` or ``"nearest"``.
        fill_value: Value of pixels sampled from outside the image.
        seed: Integer seed for a private random stream (else torch's global RNG).
        data_format: ``"channels_last"`` (default from config) or ``"channels_first"``.

    Example:
        >>> warp = RandomPerspective(factor=1.0, scale=0.3, seed=1)
        >>> y = warp(torch.rand(8, 32, 32, 3), training=True)
    """

    _FACTOR_BOUNDS = (0, 1)

    def __init__(self, factor=1.0, scale: float = 1.0, interpolation: str = "bilinear",
                 fill_value: float = 0.0, seed: int | None = None,
                 data_format: str | None = None, **kwargs):
        factor_range = parse_unit_range("RandomPerspective", "factor", factor)
        if isinstance(scale, bool) or not isinstance(scale, (int, float)) \
                or not 0.0 <= scale <= 1.0:
            raise ValueError("RandomPerspective: the `scale` argument should be a number in "
                             "the range [0,1]. Received: scale=%r" % (scale,))
        if interpolation not in _INTERPOLATIONS:
            raise NotImplementedError("Unknown `interpolation` %r. Expected of one %s."
                                      % (interpolation, _INTERPOLATIONS))
        super().__init__(data_format=data_format, **kwargs)
        self.factor = factor_range
        self.scale = scale
        self.interpolation = interpolation
        self.fill_value = fill_value
        self._set_seed(seed)

    def get_random_transformation(self, images: torch.Tensor, training: bool):
        h, w = self._hw(images)
        if not training or h < 2 or w < 2:
            # (a single row or column has no perspective: its corners coincide)
            return None
        b = images.shape[0]
        probability = self._uniform((b,), self.factor[0], self.factor[1], images)
        apply = self._uniform((b,), 0.0, 1.0, images) < probability
        shift = self._uniform((b, 4, 2), -0.5 * self.scale, 0.5 * self.scale, images)
        start = torch.tensor([[0.0, 0.0], [w - 1, 0.0], [0.0, h - 1], [w - 1, h - 1]],
                             device=images.device).expand(b, 4, 2)
        end = start + start * shift
        return {"apply": apply, "coeffs": homography(start, end), "start": start, "end": end}

    def _warp(self, images: torch.Tensor, transformation, interpolation: str):
        if transformation is None:
            return images
        h, w = self._hw(images)
        gx, gy = pixel_grid(h, w, images)
        xs, ys = apply_homography(transformation["coeffs"], gx, gy)
        nchw = self._to_nchw(images)
        out = sample_pixels(nchw, xs, ys, interpolation, "constant", self.fill_value)
        out = torch.where(transformation["apply"].view(-1, 1, 1, 1), out, nchw)
        return self._from_nchw(out)

    def transform_images(self, images: torch.Tensor, transformation, training: bool):
        return self._warp(images, transformation, self.interpolation)

    def transform_segmentation_masks(self, masks, transformation, training: bool):
        return self._warp(masks, transformation, "nearest")

    def transform_bounding_boxes(self, bounding_boxes: dict, transformation, training: bool,
                                 height: int, width: int) -> dict:
        if transformation is None:
            return bounding_boxes
        fmt = self.bounding_box_format
        boxes = to_xyxy(bounding_boxes["boxes"], fmt, height, width)
        # The image map sends output pixels to input pixels: boxes need its inverse.
        inverse = torch.linalg.inv_ex(homography_matrix(transformation["coeffs"]))[0]
        inverse = (inverse / inverse[:, 2:, 2:]).flatten(1)[:, :8]
        x0, y0, x1, y1 = boxes.unbind(-1)
        xs, ys = apply_homography(inverse, torch.stack([x0, x1, x0, x1], -1),
                                  torch.stack([y0, y1, y1, y0], -1))
        warped = torch.stack([xs.amin(-1), ys.amin(-1), xs.amax(-1), ys.amax(-1)], -1)
        boxes = torch.where(transformation["apply"].view(-1, 1, 1), warped.to(boxes.dtype),
                            boxes)
        boxes, labels = clip_xyxy(boxes, bounding_boxes["labels"], height, width)
        return {"boxes": from_xyxy(boxes, fmt, height, width), "labels": labels}

    def get_config(self) -> dict:
        return {**super().get_config(), "factor": self.factor, "scale": self.scale,
                "interpolation": self.interpolation, "fill_value": self.fill_value,
                "seed": self.seed}
