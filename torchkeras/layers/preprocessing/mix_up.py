"""MixUp: blends each image (and its label) with another image of the batch."""
from __future__ import annotations

import torch

from torchkeras.layers.preprocessing.base_image_layer import BaseImageLayer
from torchkeras.layers.preprocessing.mixing_ops import sample_beta


def _per_sample(weight: torch.Tensor, like: torch.Tensor) -> torch.Tensor:
    return weight.to(like.dtype).view((-1,) + (1,) * (like.dim() - 1))


def _float(t: torch.Tensor, dtype: torch.dtype) -> torch.Tensor:
    return t if t.is_floating_point() else t.to(dtype)


class MixUp(BaseImageLayer):
    """MixUp augmentation: ``x = lam * x + (1 - lam) * x[perm]``, the same for labels.

    ``lam ~ Beta(alpha, alpha)`` per image and ``perm`` a random permutation of the
    batch. Pass a dict ``{"images", "labels"}`` to mix one-hot labels with the same
    weights; segmentation masks are mixed alike, and bounding boxes of the paired image
    are appended to each image's boxes. Identity at inference.

    Args:
        alpha: Concentration of the Beta distribution (> 0): small values mix little.
        data_format: ``"channels_last"`` (default from config) or ``"channels_first"``.
        seed: Integer seed for a private random stream (else torch's global RNG).

    Example:
        >>> mix = MixUp(alpha=0.2)
        >>> out = mix({"images": torch.rand(8, 32, 32, 3),
        ...            "labels": torch.eye(10)[torch.randint(0, 10, (8,))]})
    """

    def __init__(self, alpha: float = 0.2, data_format: str | None = None,
                 seed: int | None = None, **kwargs):
        if isinstance(alpha, bool) or not isinstance(alpha, (int, float)) or alpha <= 0:
            raise ValueError("MixUp: `alpha` must be a positive number. Received: alpha=%r"
                             % (alpha,))
        super().__init__(data_format=data_format, **kwargs)
        self.alpha = alpha
        self._set_seed(seed)

    def get_random_transformation(self, images: torch.Tensor, training: bool):
        if not training:
            return None
        b, dev = images.shape[0], images.device
        gen = self._rng.generator(dev)
        perm = torch.randperm(b, device=dev, generator=gen)
        return {"permutation": perm, "weight": sample_beta((b,), self.alpha, gen, dev)}

    def _mix(self, x: torch.Tensor, transformation) -> torch.Tensor:
        x = _float(x, torch.float32)
        lam = _per_sample(transformation["weight"], x)
        return torch.lerp(x[transformation["permutation"]], x, lam)

    def transform_images(self, images: torch.Tensor, transformation, training: bool):
        return images if transformation is None else self._mix(images, transformation)

    def transform_labels(self, labels: torch.Tensor, transformation, training: bool):
        return labels if transformation is None else self._mix(labels, transformation)

    def transform_segmentation_masks(self, masks, transformation, training: bool):
        return masks if transformation is None else self._mix(masks, transformation)

    def transform_bounding_boxes(self, bounding_boxes: dict, transformation, training: bool,
                                 height: int, width: int) -> dict:
        if transformation is None:
            return bounding_boxes
        perm = transformation["permutation"]
        boxes, labels = bounding_boxes["boxes"], bounding_boxes["labels"]
        return {"boxes": torch.cat([boxes, boxes[perm]], dim=1),
                "labels": torch.cat([labels, labels[perm]], dim=1)}

    def get_config(self) -> dict:
        return {**super().get_config(), "alpha": self.alpha, "seed": self.seed}
