"""RandomElasticTransform: smooth random displacement fields (elastic distortion)."""
from __future__ import annotations

import torch

from torchkeras.layers.preprocessing.base_image_layer import BaseImageLayer
from torchkeras.layers.preprocessing.random_erasing import check_value_range, parse_unit_range
from torchkeras.layers.preprocessing.warp_ops import gaussian_smooth, pixel_grid, sample_pixels

_INTERPOLATIONS = ("nearest", "bilinear")
_FILL_MODES = ("constant", "nearest", "wrap", "mirror", "reflect")


class RandomElasticTransform(BaseImageLayer):
    """Elastic distortions while training (identity at inference).

    Each image is distorted with a probability drawn from ``U(factor)``. Per batch a
    strength ``s ~ U(scale)`` sets ``alpha = 0.1 s max(H, W)`` and
    ``sigma = 0.05 s min(H, W)``; each pixel then reads the input at its position plus
    ``alpha * sigma * G_sigma(noise)`` (Gaussian-smoothed white noise, one field per image
    and axis). Results are clipped to ``value_range``. Segmentation masks follow the same
    field with nearest interpolation.

    Args:
        factor: Probability range of distorting: ``f`` for ``(0, f)`` or ``(min, max)``.
        scale: Range of the strength ``s``: ``f`` for ``(0, f)`` or ``(min, max)`` in [0, 1].
        interpolation: ``"bilinear"`` or ``"nearest"``.
        fill_mode: ``"reflect"``, ``"mirror"``, ``"wrap"``, ``"nearest"`` or ``"constant"``.
        fill_value: Value outside the image with ``fill_mode="constant"``.
        value_range: ``(low, high)`` of the images' values.
        seed: Integer seed for a private random stream (else torch's global RNG).
        data_format: ``"channels_last"`` (default from config) or ``"channels_first"``.

    Example:
        >>> elastic = RandomElasticTransform(factor=1.0, scale=0.5, value_range=(0, 1))
        >>> y = elastic(torch.rand(8, 64, 64, 3), training=True)
    """

    _FACTOR_BOUNDS = (0, 1)

    def __init__(self, factor=1.0, scale=1.0, interpolation: str = "bilinear",
                 fill_mode: str = "reflect", fill_value: float = 0.0, value_range=(0, 255),
                 seed: int | None = None, data_format: str | None = None, **kwargs):
        name = "RandomElasticTransform"
        factor_range = parse_unit_range(name, "factor", factor)
        scale_range = parse_unit_range(name, "scale", scale)
        if interpolation not in _INTERPOLATIONS:
            raise NotImplementedError("Unknown `interpolation` %r. Expected of one %s."
                                      % (interpolation, _INTERPOLATIONS))
        if fill_mode not in _FILL_MODES:
            raise NotImplementedError("Unknown `fill_mode` %r. Expected of one %s."
                                      % (fill_mode, _FILL_MODES))
        check_value_range(name, value_range)
        super().__init__(data_format=data_format, **kwargs)
        self.factor = factor_range
        self.scale = scale_range
        self.interpolation = interpolation
        self.fill_mode = fill_mode
        self.fill_value = fill_value
        self.value_range = value_range
        self._set_seed(seed)

    def get_random_transformation(self, images: torch.Tensor, training: bool):
        if not training or self.scale[1] == 0 or self.factor[1] == 0:
            return None
        b, dev = images.shape[0], images.device
        h, w = self._hw(images)
        probability = self._uniform((b,), self.factor[0], self.factor[1], images)
        apply = self._uniform((b,), 0.0, 1.0, images) < probability
        # The strength sizes the blur kernel, so it is drawn on the host (no device sync).
        cpu = torch.device("cpu")
        u = torch.rand((), generator=self._rng.generator(cpu), device=cpu).item()
        strength = self.scale[0] + u * (self.scale[1] - self.scale[0])
        alpha = max(h, w) * 0.1 * strength
        sigma = min(h, w) * 0.05 * strength
        noise = torch.randn((b, 2, h, w), device=dev, generator=self._rng.generator(dev))
        field = gaussian_smooth(noise * sigma, sigma) * alpha if sigma > 0 else noise * 0
        return {"apply": apply, "dx": field[:, 0], "dy": field[:, 1]}

    def _distort(self, images: torch.Tensor, transformation, interpolation: str):
        h, w = self._hw(images)
        gx, gy = pixel_grid(h, w, images)
        nchw = self._to_nchw(images)
        out = sample_pixels(nchw, gx + transformation["dx"], gy + transformation["dy"],
                            interpolation, self.fill_mode, self.fill_value)
        out = torch.where(transformation["apply"].view(-1, 1, 1, 1), out, nchw)
        return self._from_nchw(out)

    def transform_images(self, images: torch.Tensor, transformation, training: bool):
        if transformation is None:
            return images
        out = self._distort(images, transformation, self.interpolation)
        return out.clamp(self.value_range[0], self.value_range[1])

    def transform_segmentation_masks(self, masks, transformation, training: bool):
        if transformation is None:
            return masks
        return self._distort(masks, transformation, "nearest")

    def get_config(self) -> dict:
        return {**super().get_config(), "factor": self.factor, "scale": self.scale,
                "interpolation": self.interpolation, "fill_mode": self.fill_mode,
                "fill_value": self.fill_value, "value_range": self.value_range,
                "seed": self.seed}
