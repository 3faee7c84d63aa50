"""``keras.utils.bounding_boxes``: format conversion, clipping, cropping, padding, affine
transforms, anchor deltas and IoU for bounding boxes, on torch tensors (numpy accepted).

Supported formats (case-insensitive in ``convert_format``): ``"xyxy"``, ``"yxyx"``,
``"xywh"``, ``"center_xywh"``, ``"center_yxhw"`` and the relative ``"rel_xyxy"``,
``"rel_yxyx"``, ``"rel_xywh"``, ``"rel_center_xywh"``.

Example:
    >>> from torchkeras.utils import bounding_boxes
    >>> bounding_boxes.convert_format([[10, 20, 30, 40]], source="xyxy", target="xywh")
    tensor([[10., 20., 20., 20.]])
"""
# The implementation lives beside the image layers that use it (as in Keras, whose
# layers/preprocessing/image_preprocessing/bounding_boxes/ this namespace re-exports).
from torchkeras.layers.preprocessing.bounding_boxes import (
    SUPPORTED_FORMATS, affine_transform, clip_to_image_size, compute_ciou, compute_iou,
    convert_format, crop, decode_deltas_to_boxes, encode_box_to_deltas, pad,
)

__all__ = ["affine_transform", "clip_to_image_size", "compute_ciou", "compute_iou",
           "convert_format", "crop", "decode_deltas_to_boxes", "encode_box_to_deltas", "pad",
           "SUPPORTED_FORMATS"]
