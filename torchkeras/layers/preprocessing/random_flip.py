"""RandomFlip: flips each image with probability 1/2 while training."""
from __future__ import annotations

import torch

from torchkeras.layers.preprocessing.base_image_layer import BaseImageLayer

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

    def transform(self, images: torch.Tensor, training: bool) -> torch.Tensor:
        if not training:
            return images
        b, dev = images.shape[0], images.device
        flips = self._uniform((b, 1), 0.0, 1.0, images) <= 0.5
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

    def get_config(self) -> dict:
        return {**super().get_config(), "seed": self.seed, "mode": self.mode,
                "data_format": self.data_format}
