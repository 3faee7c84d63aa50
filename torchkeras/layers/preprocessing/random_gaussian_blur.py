"""RandomGaussianBlur: blurs a random share of the images with a random sigma."""
from __future__ import annotations

import torch

from torchkeras.layers.preprocessing.base_image_layer import BaseImageLayer
from torchkeras.layers.preprocessing.color_utils import (check_value_range, gaussian_blur_nchw,
                                                         unit_factor)


def _kernel_size(value) -> tuple:
    msg = "RandomGaussianBlur: `kernel_size` must be an odd integer or a pair of odd " \
          "integers. Received: kernel_size=%r" % (value,)
    sizes = list(value) if isinstance(value, (tuple, list)) else [value, value]
    if len(sizes) != 2 or not all(isinstance(k, int) and not isinstance(k, bool) and k > 0
                                  and k % 2 == 1 for k in sizes):
        raise ValueError(msg)
    return sizes[0], sizes[1]


class RandomGaussianBlur(BaseImageLayer):
    """Blurs each image, with a random probability, by a Gaussian kernel while training.

    Per image a probability ``p ~ U(factor)`` and a threshold ``t ~ U(0, 1)`` decide the
    blur (``t < p``); one ``(sigma_x, sigma_y) ~ U(sigma)`` pair (plus 1e-6) is drawn per
    call for the batch, as in Keras. Zero padding keeps the size; outputs are clipped to
    ``value_range``. Identity (after the cast to the compute dtype) at inference.

    Args:
        factor: ``f`` for probabilities in ``[0, f]`` or a pair in ``[0, 1]``. Defaults to 1.
        kernel_size: Odd kernel size, or a pair ``(x size, y size)``. Defaults to 3.
        sigma: ``s`` for sigmas in ``[0, s]`` or a pair, in ``[0, 1]``. Defaults to 1.
        value_range: ``(min, max)`` of the pixel values. Defaults to ``(0, 255)``.
        data_format: ``"channels_last"`` (default from config) or ``"channels_first"``.
        seed: Integer seed for a private random stream (else torch's global RNG).

    Example:
        >>> blur = RandomGaussianBlur(factor=(1, 1), sigma=(0.8, 0.8))
        >>> y = blur(torch.rand(2, 16, 16, 3) * 255, training=True)
    """

    _PRESERVES_GEOMETRY = True  # colour only: boxes and masks pass through
    _FACTOR_BOUNDS = (0, 1)

    def __init__(self, factor: float | tuple = 1.0, kernel_size: int | tuple = 3,
                 sigma: float | tuple = 1.0, value_range: tuple | list = (0, 255),
                 data_format: str | None = None, seed: int | None = None, **kwargs):
        sizes = _kernel_size(kernel_size)
        sigmas = unit_factor("RandomGaussianBlur", "sigma", sigma, False)
        check_value_range("RandomGaussianBlur", value_range)
        super().__init__(data_format=data_format, **kwargs)
        self._set_factor(factor)
        self.kernel_size = sizes
        self.sigma = sigmas
        self.value_range = value_range
        self._set_seed(seed)

    def transform(self, images: torch.Tensor, training: bool) -> torch.Tensor:
        if not training:
            return images
        b = images.shape[0]
        sigma = self._uniform((2,), self.sigma[0], self.sigma[1], images) + 1e-6
        blurred = self._from_nchw(gaussian_blur_nchw(self._to_nchw(images), self.kernel_size,
                                                     sigma))
        if self.factor[0] < 1:
            # Each image is blurred with probability p ~ U(factor); with factor 1 every
            # image is, and the per-image select (a broadcast where, slow on CPU) is skipped.
            p = self._uniform((b,), self.factor[0], self.factor[1], images)
            t = self._uniform((b,), 0.0, 1.0, images)
            blurred = torch.where((t < p).view(b, 1, 1, 1), blurred, images)
        return blurred.clamp(self.value_range[0], self.value_range[1])

    def get_config(self) -> dict:
        return {**super().get_config(), "factor": self.factor, "kernel_size": self.kernel_size,
                "sigma": self.sigma, "value_range": self.value_range, "seed": self.seed}
