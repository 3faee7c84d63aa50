"""CutMix: pastes a random rectangle of another image of the batch into each image."""
from __future__ import annotations

import torch

from torchkeras.layers.preprocessing.base_image_layer import BaseImageLayer
from torchkeras.layers.preprocessing.mixing_ops import (random_window, rectangle_mask,
                                                        sample_beta)
from torchkeras.layers.preprocessing.random_erasing import parse_unit_range


class CutMix(BaseImageLayer):
    """CutMix augmentation: a rectangle of ``x[perm]`` replaces the same pixels of ``x``,
    and labels mix as ``lam * y + (1 - lam) * y[perm]``.

    Per batch, ``alpha ~ U(factor)``; per image, ``w ~ Beta(alpha, alpha)`` and the
    rectangle's sides are ``sqrt(1 - w)`` times the image's, at a uniform position.
    ``lam`` is the fraction of the image's pixels that were kept, so the label weights
    match the pasted area exactly (Keras uses the rectangle's real-valued area, which
    differs by up to a pixel row/column). Pass a dict ``{"images", "labels"}`` to mix the
    labels; masks are pasted like images. Identity at inference.

    Args:
        factor: Range of the Beta concentration: ``f`` for ``(0, f)`` or ``(min, max)``
            within [0, 1].
        seed: Integer seed for a private random stream (else torch's global RNG).
        data_format: ``"channels_last"`` (default from config) or ``"channels_first"``.

    Example:
        >>> cut = CutMix(seed=0)
        >>> out = cut({"images": torch.rand(8, 32, 32, 3),
        ...            "labels": torch.eye(10)[torch.randint(0, 10, (8,))]})
    """

    _FACTOR_BOUNDS = (0, 1)

    def __init__(self, factor=1.0, seed: int | None = None, data_format: str | None = None,
                 **kwargs):
        factor_range = parse_unit_range("CutMix", "factor", factor)
        super().__init__(data_format=data_format, **kwargs)
        self.factor = factor_range
        self._set_seed(seed)

    def get_random_transformation(self, images: torch.Tensor, training: bool):
        if not training:
            return None
        b, dev = images.shape[0], images.device
        h, w = self._hw(images)
        gen = self._rng.generator(dev)
        alpha = self._uniform((), self.factor[0], self.factor[1], images) + 1e-6
        ratio = torch.sqrt(1.0 - sample_beta((b,), alpha, gen, dev))
        x0, x1 = random_window(w, ratio, self._uniform((b,), 0.0, 1.0, images))
        y0, y1 = random_window(h, ratio, self._uniform((b,), 0.0, 1.0, images))
        mask = rectangle_mask(x0, x1, y0, y1, h, w)
        kept = 1.0 - mask.flatten(1).sum(1).to(torch.float32) / (h * w)
        perm = torch.randperm(b, device=dev, generator=gen)
        mask = mask.unsqueeze(-1 if self.data_format == "channels_last" else 1)
        return {"permutation": perm, "mask": mask, "weight": kept}

    def transform_images(self, images: torch.Tensor, transformation, training: bool):
        if transformation is None:
            return images
        # A mask of the images' full shape: where() with a broadcast channel axis runs far
        # slower on CPU than on same-shaped operands.
        mask = transformation["mask"].expand(images.shape).contiguous()
        return torch.where(mask, images[transformation["permutation"]], images)

    def transform_labels(self, labels: torch.Tensor, transformation, training: bool):
        if transformation is None:
            return labels
        labels = labels if labels.is_floating_point() else labels.to(torch.float32)
        lam = transformation["weight"].to(labels.dtype).view(
            (-1,) + (1,) * (labels.dim() - 1))
        return torch.lerp(labels[transformation["permutation"]], labels, lam)

    def transform_segmentation_masks(self, masks, transformation, training: bool):
        return self.transform_images(masks, transformation, training)

    def get_config(self) -> dict:
        return {**super().get_config(), "factor": self.factor, "seed": self.seed}
