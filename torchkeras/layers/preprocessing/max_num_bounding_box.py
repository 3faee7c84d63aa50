"""MaxNumBoundingBoxes: pads or truncates the boxes of each image to a fixed count."""
from __future__ import annotations

import torch
import torch.nn.functional as F

from torchkeras.layers.preprocessing.base_image_layer import BaseImageLayer


class MaxNumBoundingBoxes(BaseImageLayer):
    """Gives every image exactly ``max_number`` bounding boxes.

    Boxes past ``max_number`` are dropped; missing ones are padded with ``fill_value`` in
    both ``boxes`` and ``labels``. Images, labels and masks pass through unchanged, in
    training and at inference alike (as in Keras). Dict inputs with ``bounding_boxes``
    need a ``bounding_box_format``.

    Args:
        max_number: The number of boxes per image in the output.
        fill_value: Padding value of ``boxes`` and ``labels``. Defaults to ``-1``.
        **kwargs: ``bounding_box_format``, ``data_format``, ``name``, ...

    Example:
        >>> layer = MaxNumBoundingBoxes(10, bounding_box_format="xyxy")
        >>> out = layer({"images": torch.rand(1, 32, 32, 3),
        ...              "bounding_boxes": {"boxes": torch.rand(1, 3, 4),
        ...                                 "labels": torch.tensor([[1, 2, 3]])}})
        >>> out["bounding_boxes"]["boxes"].shape
        torch.Size([1, 10, 4])
    """

    _CAST_INPUTS = False
    _PRESERVES_GEOMETRY = True

    def __init__(self, max_number: int, fill_value: int = -1, **kwargs):
        if isinstance(max_number, bool) or not isinstance(max_number, (int, float)) \
                or int(max_number) != max_number or max_number < 1:
            raise ValueError("MaxNumBoundingBoxes: `max_number` must be a positive integer. "
                             "Received: max_number=%r" % (max_number,))
        if isinstance(fill_value, bool) or not isinstance(fill_value, (int, float)):
            raise ValueError("MaxNumBoundingBoxes: `fill_value` must be a number. Received: "
                             "fill_value=%r" % (fill_value,))
        super().__init__(**kwargs)
        self.max_number = int(max_number)
        self.fill_value = int(fill_value)

    def transform_images(self, images: torch.Tensor, transformation, training: bool):
        return images

    def transform_bounding_boxes(self, bounding_boxes: dict, transformation, training: bool,
                                 height: int, width: int) -> dict:
        boxes, labels = bounding_boxes["boxes"], bounding_boxes["labels"]
        n, m = boxes.shape[1], self.max_number
        boxes, labels = boxes[:, :m], labels[:, :m]
        if n < m:
            boxes = F.pad(boxes, (0, 0, 0, m - n), value=self.fill_value)
            # F.pad lists dims from the last: pad only the boxes axis (1) of the labels.
            labels = F.pad(labels, (0, 0) * (labels.dim() - 2) + (0, m - n),
                           value=self.fill_value)
        return {**bounding_boxes, "boxes": boxes, "labels": labels}

    def compute_output_shape(self, input_shape):
        if isinstance(input_shape, dict) and "bounding_boxes" in input_shape:
            extra = set(input_shape["bounding_boxes"]) - {"boxes", "labels"}
            if extra:
                raise KeyError("There are unsupported keys in `bounding_boxes`: %s. Only "
                               "`boxes` and `labels` are supported." % sorted(extra))
            out = dict(input_shape)
            bb = input_shape["bounding_boxes"]
            boxes, labels = list(bb["boxes"]), list(bb["labels"])
            boxes[-2] = labels[-1] = self.max_number
            out["bounding_boxes"] = {"boxes": tuple(boxes), "labels": tuple(labels)}
            return out
        return input_shape if isinstance(input_shape, dict) else tuple(input_shape)

    def get_config(self) -> dict:
        # Keras's config omits `fill_value` (it would not survive a round trip); it is kept
        # here, and Keras's `from_config` accepts it.
        return {**super().get_config(), "max_number": self.max_number,
                "fill_value": self.fill_value}
