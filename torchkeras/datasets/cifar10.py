"""CIFAR-10: 50,000 training and 10,000 test 32x32 color images in 10 classes."""
from __future__ import annotations

import numpy as np

from torchkeras.datasets._cifar import find_file, read_records, to_image_format
from torchkeras.datasets._download import get_file

# The binary version: fixed-size records, no unpickling needed.
ORIGIN = "https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz"
SHA256 = "c4a38c50a1bc5f3a1c5537f2155ab9d68f9f25eb1ed8d9ddda3db29a59bca1dd"
FOLDER = "cifar-10-batches-bin"
CLASS_NAMES = ("airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse",
               "ship", "truck")


def load_data(*, cache_dir: str | None = None):
    """Loads the CIFAR-10 dataset.

    Args:
        cache_dir: Cache root instead of ``$TORCHKERAS_HOME`` / ``~/.torchkeras``.

    Returns:
        ``(x_train, y_train), (x_test, y_test)``: uint8 images ``(50000, 32, 32, 3)`` /
        ``(10000, 32, 32, 3)`` (``(N, 3, 32, 32)`` when the image data format is
        ``channels_first``) and uint8 labels 0-9 shaped ``(N, 1)``.

    Example:
        >>> (x_train, y_train), (x_test, y_test) = cifar10.load_data()
        >>> y_train.shape
        (50000, 1)
    """
    root = get_file("cifar-10-binary.tar.gz", origin=ORIGIN, file_hash=SHA256, extract=True,
                    cache_dir=cache_dir)
    parts = [read_records(find_file(root, FOLDER, "data_batch_%d.bin" % i), 1)
             for i in range(1, 6)]
    x_train = np.concatenate([p[0] for p in parts])
    y_train = np.concatenate([p[1] for p in parts])
    x_test, y_test = read_records(find_file(root, FOLDER, "test_batch.bin"), 1)
    return ((to_image_format(x_train), np.ascontiguousarray(y_train)),
            (to_image_format(x_test), np.ascontiguousarray(y_test)))
