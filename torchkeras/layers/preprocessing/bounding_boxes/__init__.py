"""Bounding-box functions of the image layers (public as ``keras.utils.bounding_boxes``):
format conversion, clipping, cropping, padding, affine transforms, anchor deltas and IoU.

Example:
    >>> from torchkeras.layers.preprocessing.bounding_boxes import convert_format
    >>> convert_format([[10, 20, 30, 40]], source="xyxy", target="xywh")
    tensor([[10., 20., 20., 20.]])
"""
from torchkeras.layers.preprocessing.bounding_boxes.converters import (
    affine_transform, clip_to_image_size, convert_format, crop, pad,
)
from torchkeras.layers.preprocessing.bounding_boxes.deltas import (
    decode_deltas_to_boxes, encode_box_to_deltas,
)
from torchkeras.layers.preprocessing.bounding_boxes.formats import SUPPORTED_FORMATS, convert_boxes
from torchkeras.layers.preprocessing.bounding_boxes.iou import compute_ciou, compute_iou

__all__ = ["affine_transform", "clip_to_image_size", "compute_ciou", "compute_iou",
           "convert_boxes", "convert_format", "crop", "decode_deltas_to_boxes",
           "encode_box_to_deltas", "pad", "SUPPORTED_FORMATS"]
