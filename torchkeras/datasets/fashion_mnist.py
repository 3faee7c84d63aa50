"""Fashion-MNIST: 60,000 training and 10,000 test 28x28 grayscale images of clothes."""
from __future__ import annotations

import gzip
import os

import numpy as np

from torchkeras.datasets._common import KERAS_STORAGE
from torchkeras.datasets._download import get_file

# The files Keras serves are the ones published by Zalando Research; these are their
# sha256 digests.
FILES = {
    "train-labels-idx1-ubyte.gz":
        "a04f17134ac03560a47e3764e11b92fc97de4d1bfaf8ba1a3aa29af54cc90845",
    "train-images-idx3-ubyte.gz":
        "3aede38d61863908ad78613f6a32ed271626dd12800ba2636569512369268a84",
    "t10k-labels-idx1-ubyte.gz":
        "67da17c76eaffca5446c3361aaab5c3cd6d1c2608764d35dfb1850b086bf8dd5",
    "t10k-images-idx3-ubyte.gz":
        "346e55b948d973a97e58d2351dde16a484bd415d4595297633bb08f03db6a073",
}
_IDX_MAGIC = {1: 0x0801, 3: 0x0803}


def load_data(*, cache_dir: str | None = None):
    """Loads the Fashion-MNIST dataset (labels 0-9: T-shirt/top … Ankle boot).

    Args:
        cache_dir: Cache root instead of ``$TORCHKERAS_HOME`` / ``~/.torchkeras``.

    Returns:
        ``(x_train, y_train), (x_test, y_test)``: uint8 images ``(N, 28, 28)`` and uint8
        labels ``(N,)``.

    Example:
        >>> (x_train, y_train), (x_test, y_test) = fashion_mnist.load_data()
    """
    paths = [get_file(name, origin=KERAS_STORAGE + name, file_hash=digest,
                      cache_subdir=os.path.join("datasets", "fashion-mnist"),
                      cache_dir=cache_dir)
             for name, digest in FILES.items()]
    y_train = read_idx(paths[0], ndim=1)
    x_train = read_idx(paths[1], ndim=3)
    y_test = read_idx(paths[2], ndim=1)
    x_test = read_idx(paths[3], ndim=3)
    for x, y, path in ((x_train, y_train, paths[1]), (x_test, y_test, paths[3])):
        if len(x) != len(y):
            raise ValueError("%s holds %d images but its label file holds %d labels."
                             % (path, len(x), len(y)))
    return (x_train, y_train), (x_test, y_test)


def read_idx(path: str, ndim: int) -> np.ndarray:
    """Reads a gzipped IDX file of unsigned bytes (the MNIST file format)."""
    with gzip.open(path, "rb") as f:
        data = f.read()
    header = 4 + 4 * ndim
    if len(data) < header:
        raise ValueError("%s is too short to be an IDX file." % path)
    magic = int.from_bytes(data[:4], "big")
    if magic != _IDX_MAGIC[ndim]:
        raise ValueError("%s is not a %d-dimensional uint8 IDX file (magic number 0x%08x)."
                         % (path, ndim, magic))
    dims = tuple(int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(ndim))
    if len(data) - header != int(np.prod(dims)):
        raise ValueError("%s: the header announces shape %s but the file holds %d bytes of "
                         "data." % (path, dims, len(data) - header))
    return np.frombuffer(data, np.uint8, offset=header).reshape(dims)
