"""Images into TensorBoard runs, the way ``tf.summary.image`` writes them.

One tag holds up to ``max_outputs`` images per step (TensorBoard shows a "sample"
slider), PNG-encoded here with the standard library only.
"""
from __future__ import annotations

import os
import struct
import zlib

import numpy as np


def encode_png(image: np.ndarray) -> bytes:
    """PNG bytes of a ``uint8`` image shaped ``(height, width, channels)``, channels 1/3/4.

    Example:
        >>> png = encode_png(np.zeros((8, 8, 3), dtype=np.uint8))
    """
    image = np.ascontiguousarray(image, dtype=np.uint8)
    if image.ndim != 3 or image.shape[-1] not in (1, 3, 4):
        raise ValueError("encode_png expects (height, width, 1|3|4) uint8, got shape %s"
                         % (image.shape,))
    height, width, channels = image.shape
    color_type = {1: 0, 3: 2, 4: 6}[channels]
    # Every scanline starts with filter byte 0 (no filter).
    rows = np.concatenate([np.zeros((height, 1), np.uint8),
                           image.reshape(height, width * channels)], axis=1)

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))

    header = struct.pack(">IIBBBBB", width, height, 8, color_type, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(rows.tobytes(), 6)) + chunk(b"IEND", b""))


def to_uint8_images(images, data_format: str | None = None) -> np.ndarray:
    """``(k, h, w, c)`` uint8 from numpy/torch images; floats are read in ``[0, 1]``."""
    if hasattr(images, "detach"):
        images = images.detach().cpu().numpy()
    images = np.asarray(images)
    if images.ndim != 4:
        raise ValueError("images must have rank 4 [k, height, width, channels], got shape %s"
                         % (images.shape,))
    if data_format == "channels_first":
        images = images.transpose(0, 2, 3, 1)
    elif data_format not in (None, "channels_last"):
        raise ValueError("data_format must be 'channels_last' or 'channels_first', got %r"
                         % (data_format,))
    if images.shape[-1] not in (1, 3, 4):
        raise ValueError("images must have 1, 3 or 4 channels (last axis with "
                         "channels_last), got shape %s" % (images.shape,))
    if images.dtype == np.uint8:
        return images
    if images.dtype == np.bool_:
        return images.astype(np.uint8) * 255
    # As tf.summary.image: floats in [0, 1] scale to 0..255, saturating outside.
    scaled = np.nan_to_num(images.astype(np.float64)) * 255.0
    return np.clip(np.round(scaled), 0, 255).astype(np.uint8)


def image_summary(tag: str, images, max_outputs: int = 3, description: str | None = None,
                  data_format: str | None = None):
    """A ``Summary`` protobuf with up to ``max_outputs`` PNG images under ``tag``."""
    from tensorboard.compat.proto import tensor_pb2, tensor_shape_pb2, types_pb2
    from tensorboard.compat.proto.summary_pb2 import Summary
    from tensorboard.plugins.image import metadata as image_metadata
    if not isinstance(max_outputs, int) or max_outputs < 1:
        raise ValueError("max_outputs must be a positive integer, got %r" % (max_outputs,))
    batch = to_uint8_images(images, data_format)[:max_outputs]
    height, width = batch.shape[1], batch.shape[2]
    # The images plugin's layout: [width, height, png_0, png_1, ...] as strings.
    values = [str(width).encode(), str(height).encode()] + [encode_png(im) for im in batch]
    tensor = tensor_pb2.TensorProto(
        dtype=types_pb2.DT_STRING, string_val=values,
        tensor_shape=tensor_shape_pb2.TensorShapeProto(
            dim=[tensor_shape_pb2.TensorShapeProto.Dim(size=len(values))]))
    meta = image_metadata.create_summary_metadata(display_name=tag,
                                                  description=description or "")
    return Summary(value=[Summary.Value(tag=tag, metadata=meta, tensor=tensor)])


def log_images(target, tag: str, images, step: int, max_outputs: int = 3,
               description: str | None = None, data_format: str | None = None) -> None:
    """Writes a batch of images to a TensorBoard run (as ``tf.summary.image``).

    Args:
        target: A run folder (e.g. ``"logs/train"``), a
            ``torch.utils.tensorboard.SummaryWriter``, or a ``TensorBoard`` callback
            (its ``train`` run).
        tag: Name shown in TensorBoard's Images tab.
        images: ``(k, height, width, channels)`` numpy array or tensor, channels 1, 3 or
            4; floats in ``[0, 1]`` or ``uint8``.
        step: Step (e.g. epoch) the images belong to.
        max_outputs: At most this many images are written.
        description: Optional text shown with the images.
        data_format: ``"channels_last"`` (default) or ``"channels_first"`` for
            ``(k, channels, height, width)`` tensors.

    Example:
        >>> log_images("logs/train", "training data", x_train[:25] / 255.0, step=0,
        ...            max_outputs=9)
    """
    summary = image_summary(tag, images, max_outputs, description, data_format)
    writer, owned = _writer_for(target)
    try:
        writer._get_file_writer().add_summary(summary, int(step))
        writer.flush()
    finally:
        if owned:
            writer.close()


def _writer_for(target):
    from torch.utils.tensorboard import SummaryWriter
    if isinstance(target, SummaryWriter):
        return target, False
    train_writer = getattr(target, "_train_writer", None)
    if isinstance(train_writer, SummaryWriter):
        return train_writer, False
    if isinstance(target, (str, os.PathLike)):
        return SummaryWriter(os.fspath(target)), True
    raise ValueError("log_images writes to a folder, a SummaryWriter or a TensorBoard "
                     "callback; got %r" % (target,))
