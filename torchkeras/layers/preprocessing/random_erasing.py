"""RandomErasing: replaces a random rectangle of each image with a value or noise."""
from __future__ import annotations

import torch

from torchkeras.layers.preprocessing.base_image_layer import BaseImageLayer
from torchkeras.layers.preprocessing.mixing_ops import random_window, rectangle_mask


def parse_unit_range(layer_name: str, arg_name: str, value) -> tuple:
    """Keras's factor-style argument with bounds ``[0, 1]``: ``f`` -> ``(0, f)``, or a pair."""
    msg = ("%s: the `%s` argument should be a number (or a list of two numbers) in the range "
           "[0, 1]. Received: %s=%r" % (layer_name, arg_name, arg_name, value))
    if isinstance(value, (tuple, list)):
        if len(value) != 2 or not all(isinstance(v, (int, float)) and not isinstance(v, bool)
                                      for v in value):
            raise ValueError(msg)
        if value[0] > 1 or value[1] < 0:
            raise ValueError(msg)
        lower, upper = sorted(value)
        return lower, upper
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 1:
        raise ValueError(msg)
    return max(-abs(value), 0), abs(value)


def check_value_range(layer_name: str, value_range) -> None:
    if not isinstance(value_range, (tuple, list)) or len(value_range) != 2 or not all(
            isinstance(v, (int, float)) and not isinstance(v, bool) for v in value_range) \
            or value_range[0] >= value_range[1]:
        raise ValueError("%s: `value_range` must be a pair (low, high) with low < high. "
                         "Received: value_range=%r" % (layer_name, value_range))


class RandomErasing(BaseImageLayer):
    """Erases a random rectangle of each image while training (Random Erasing).

    Each image is erased with a probability drawn from ``U(factor)``; the rectangle's
    width and height are ``sqrt(U(scale))`` times the image's, at a uniform position. The
    rectangle takes ``fill_value`` (a number, or one per channel), or Gaussian noise
    scaled by ``value_range[1]`` when ``fill_value`` is None, clipped to ``value_range``.
    Labels, boxes and masks pass through. Identity at inference.

    Args:
        factor: Probability range of erasing: ``f`` for ``(0, f)`` or ``(min, max)``.
        scale: Range of the rectangle's area fraction, ``f`` or ``(min, max)`` in [0, 1].
        fill_value: Number, list of 3 numbers (per channel), or None for noise.
        value_range: ``(low, high)`` of the images' values.
        seed: Integer seed for a private random stream (else torch's global RNG).
        data_format: ``"channels_last"`` (default from config) or ``"channels_first"``.

    Example:
        >>> erase = RandomErasing(factor=1.0, fill_value=0.0, value_range=(0, 1))
        >>> y = erase(torch.rand(8, 32, 32, 3), training=True)
    """

    _FACTOR_BOUNDS = (0, 1)
    _PRESERVES_GEOMETRY = True

    def __init__(self, factor=1.0, scale=(0.02, 0.33), fill_value=None,
                 value_range=(0, 255), seed: int | None = None,
                 data_format: str | None = None, **kwargs):
        name = "RandomErasing"
        factor_range = parse_unit_range(name, "factor", factor)
        scale_range = parse_unit_range(name, "scale", scale)
        if fill_value is not None and not (
                (isinstance(fill_value, (int, float)) and not isinstance(fill_value, bool)) or
                (isinstance(fill_value, (tuple, list)) and len(fill_value) == 3)):
            raise ValueError("RandomErasing: the `fill_value` argument should be a number (or "
                             "a list of three numbers). Received: fill_value=%r" % (fill_value,))
        check_value_range(name, value_range)
        super().__init__(data_format=data_format, **kwargs)
        self.factor = factor_range
        self.scale = scale_range
        self.fill_value = fill_value
        self.value_range = value_range
        self._set_seed(seed)

    def get_random_transformation(self, images: torch.Tensor, training: bool):
        if not training:
            return None
        b = images.shape[0]
        h, w = self._hw(images)
        ratio = torch.sqrt(self._uniform((b, 2), self.scale[0], self.scale[1], images))
        x0, x1 = random_window(w, ratio[:, 0], self._uniform((b,), 0.0, 1.0, images))
        y0, y1 = random_window(h, ratio[:, 1], self._uniform((b,), 0.0, 1.0, images))
        probability = self._uniform((b,), self.factor[0], self.factor[1], images)
        apply = self._uniform((b,), 0.0, 1.0, images) < probability
        mask = rectangle_mask(x0, x1, y0, y1, h, w) & apply.view(b, 1, 1)
        mask = mask.unsqueeze(-1 if self.data_format == "channels_last" else 1)
        return {"mask": mask, "fill": self._fill(images)}

    def _fill(self, images: torch.Tensor) -> torch.Tensor:
        low, high = self.value_range
        if self.fill_value is None:
            # Drawn in NHWC order whatever the layout, so both layouts erase alike.
            first = self.data_format == "channels_first"
            shape = images.permute(0, 2, 3, 1).shape if first else images.shape
            fill = self._noise(shape, images).mul_(high).clamp_(low, high)
            return fill.permute(0, 3, 1, 2) if first else fill
        elif isinstance(self.fill_value, (tuple, list)):
            shape = (1, 1, 1, 3) if self.data_format == "channels_last" else (1, 3, 1, 1)
            fill = torch.tensor(self.fill_value, dtype=images.dtype,
                                device=images.device).view(shape)
        else:
            fill = torch.tensor(float(self.fill_value), dtype=images.dtype, device=images.device)
        return fill.clamp(low, high)

    def _noise(self, shape, images: torch.Tensor) -> torch.Tensor:
        """I.i.d. standard normal values for every pixel an erased rectangle can cover.

        A rectangle is at most ``sqrt(scale[1])`` of each side, so a tile of that size
        (plus a pixel for the rounding) repeated over the image gives distinct draws
        inside any one rectangle: the same distribution as drawing the whole batch, for
        a third of the draws with the default scale (bench/layers.py: 1.35x -> ~1.1x).
        """
        b, h, w, c = shape
        side = self.scale[1] ** 0.5
        th, tw = min(h, int(side * h) + 2), min(w, int(side * w) + 2)
        if th * tw * 2 > h * w:
            return self._rng.normal(shape, images)
        tile = self._rng.normal((b, th, tw, c), images)
        reps = (1, -(-h // th), -(-w // tw), 1)
        return tile.repeat(reps)[:, :h, :w]

    def transform_images(self, images: torch.Tensor, transformation, training: bool):
        if transformation is None:
            return images
        # A mask of the images' full shape: where() with a broadcast channel axis runs far
        # slower on CPU than on same-shaped operands.
        mask = transformation["mask"].expand(images.shape).contiguous()
        return torch.where(mask, transformation["fill"].to(images.dtype), images)

    def transform_segmentation_masks(self, masks, transformation, training: bool):
        return masks

    def get_config(self) -> dict:
        return {**super().get_config(), "factor": self.factor, "scale": self.scale,
                "fill_value": self.fill_value, "value_range": self.value_range,
                "seed": self.seed}
