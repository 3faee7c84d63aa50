"""CIFAR-100: 50,000 training and 10,000 test 32x32 color images, 100 fine / 20 coarse
classes."""
from __future__ import annotations

import numpy as np

from torchkeras.datasets._cifar import find_file, read_records, to_image_format
from torchkeras.datasets._download import get_file

ORIGIN = "https://www.cs.toronto.edu/~kriz/cifar-100-binary.tar.gz"
SHA256 = "58a81ae192c23a4be8b1804d68e518ed807d710a4eb253b1f2a199162a40d8ec"
FOLDER = "cifar-100-binary"


def load_data(label_mode: str = "fine", *, cache_dir: str | None = None):
    """Loads the CIFAR-100 dataset.

    Args:
        label_mode: ``"fine"`` (100 classes) or ``"coarse"`` (20 superclasses).
        cache_dir: Cache root instead of ``$TORCHKERAS_HOME`` / ``~/.torchkeras``.

    Returns:
        ``(x_train, y_train), (x_test, y_test)``: uint8 images ``(N, 32, 32, 3)``
        (``(N, 3, 32, 32)`` for ``channels_first``) and uint8 labels shaped ``(N, 1)``.

    Example:
        >>> (x_train, y_train), _ = cifar100.load_data(label_mode="coarse")
    """
    if label_mode not in ("fine", "coarse"):
        raise ValueError('`label_mode` must be one of `"fine"`, `"coarse"`. '
                         "Received: label_mode=%s." % (label_mode,))
    root = get_file("cifar-100-binary.tar.gz", origin=ORIGIN, file_hash=SHA256, extract=True,
                    cache_dir=cache_dir)
    # Each record starts with the coarse label byte, then the fine label byte.
    column = 0 if label_mode == "coarse" else 1
    x_train, labels_train = read_records(find_file(root, FOLDER, "train.bin"), 2)
    x_test, labels_test = read_records(find_file(root, FOLDER, "test.bin"), 2)
    return ((to_image_format(x_train), np.ascontiguousarray(labels_train[:, column:column + 1])),
            (to_image_format(x_test), np.ascontiguousarray(labels_test[:, column:column + 1])))
