"""RandomGrayscale: turns a random share of the images to grayscale while training."""
from __future__ import annotations

import torch

from torchkeras.layers.preprocessing.base_image_layer import BaseImageLayer
from torchkeras.layers.preprocessing.color_utils import channel_axis, grayscale


class RandomGrayscale(BaseImageLayer):
    """Replaces each image, with probability ``factor``, by its luma in every channel.

    The luma is ``0.2989 R + 0.587 G + 0.114 B`` (as ``keras.ops.image.rgb_to_grayscale``);
    the channel count is kept. Identity at inference; the input dtype is kept.

    Args:
        factor: Probability in ``[0, 1]`` that an image is converted. Defaults to 0.5.
        data_format: ``"channels_last"`` (default from config) or ``"channels_first"``.
        seed: Integer seed for a private random stream (else torch's global RNG).

    Example:
        >>> y = RandomGrayscale(factor=1.0)(torch.rand(8, 32, 32, 3), training=True)
    """

    _PRESERVES_GEOMETRY = True  # colour only: boxes and masks pass through
    _CAST_INPUTS = False

    def __init__(self, factor: float = 0.5, data_format: str | None = None,
                 seed: int | None = None, **kwargs):
        if isinstance(factor, bool) or not isinstance(factor, (int, float)) or \
                not 0 <= factor <= 1:
            raise ValueError("RandomGrayscale: `factor` should be a number between 0 and 1. "
                             "Received: factor=%r" % (factor,))
        super().__init__(data_format=data_format, **kwargs)
        self.factor = factor
        self._set_seed(seed)

    def transform(self, images: torch.Tensor, training: bool) -> torch.Tensor:
        if not training:
            return images
        axis = channel_axis(self.data_format)
        gray = grayscale(images, axis)
        if self.factor >= 1:
            # Every image turns gray: the channels are one broadcast view of the luma
            # (no per-image draw or select; what torch code for the same result does).
            return gray.expand(images.shape)
        apply = self._uniform((images.shape[0], 1, 1, 1), 0.0, 1.0, images) < self.factor
        return torch.where(apply, gray, images)

    def _output_dtype(self, input_dtype) -> str:
        return input_dtype

    def get_config(self) -> dict:
        # As Keras: the seed is not part of the config.
        return {**super().get_config(), "factor": self.factor}
