"""The CIFAR binary format: fixed-size records of label byte(s) then 3072 pixel bytes.

Each record holds the label(s) and a 32x32 RGB image stored channel-major: 1024 red,
then 1024 green, then 1024 blue bytes, each plane in row-major order. Reading it needs
no unpickling (unlike the "python version" archives).
"""
from __future__ import annotations

import os

import numpy as np

from torchkeras import config

PIXELS = 3 * 32 * 32


def read_records(path: str, label_bytes: int) -> tuple:
    """``(images (N, 3, 32, 32) uint8, labels (N, label_bytes) uint8)`` from one file."""
    record = label_bytes + PIXELS
    size = os.path.getsize(path)
    if size == 0 or size % record:
        raise ValueError("%s is not a CIFAR binary file: its size (%d bytes) is not a "
                         "multiple of the %d-byte record." % (path, size, record))
    data = np.fromfile(path, dtype=np.uint8).reshape(-1, record)
    return data[:, label_bytes:].reshape(-1, 3, 32, 32), data[:, :label_bytes]


def to_image_format(x: np.ndarray) -> np.ndarray:
    """NCHW records to the configured image format (channels_last: contiguous NHWC)."""
    if config.image_data_format() == "channels_last":
        return np.ascontiguousarray(x.transpose(0, 2, 3, 1))
    return np.ascontiguousarray(x)


def find_file(root: str, folder: str, name: str) -> str:
    path = os.path.join(root, folder, name)
    if not os.path.isfile(path):
        raise FileNotFoundError("Expected %s in the extracted archive, but it is missing; "
                                "delete %s to extract it again." % (path, root))
    return path
