"""Reads ``.npz`` files without unpickling anything.

Numeric members are plain ``.npy`` arrays and load with ``allow_pickle=False``. Object
members (Keras's ``imdb.npz`` and ``reuters.npz`` store one Python list of word ids per
review that way) go through :func:`decode_object_array`, a data-only interpreter of the
pickle stream that never calls anything (see ``_pickle_data``).
"""
from __future__ import annotations

import io
import zipfile

import numpy as np
from numpy.lib import format as npy_format

from torchkeras.datasets._pickle_data import UnsafeContentError, decode_object_array

__all__ = ["UnsafeContentError", "decode_object_array", "load_npz", "read_npy_bytes"]

MAX_MEMBER_BYTES = 1 << 32   # 4 GiB: far beyond any Keras dataset member


def load_npz(path: str) -> dict:
    """Every ``.npy`` member of the archive at ``path``, by name, never unpickling.

    Example:
        >>> arrays = load_npz("imdb.npz")
        >>> arrays["x_train"].dtype
        dtype('O')
    """
    out = {}
    with zipfile.ZipFile(path) as archive:
        for info in archive.infolist():
            if not info.filename.endswith(".npy"):
                continue
            if info.file_size > MAX_MEMBER_BYTES:
                raise UnsafeContentError("Member %r of %s is %d bytes, more than the %d allowed."
                                         % (info.filename, path, info.file_size,
                                            MAX_MEMBER_BYTES))
            with archive.open(info) as raw:
                data = raw.read()
            out[info.filename[:-4]] = read_npy_bytes(data, "%s:%s" % (path, info.filename))
    return out


def read_npy_bytes(data: bytes, where: str = "<bytes>") -> np.ndarray:
    """Parses one ``.npy`` payload; object arrays go through the safe decoder."""
    fp = io.BytesIO(data)
    version = npy_format.read_magic(fp)
    if version == (1, 0):
        shape, fortran, dtype = npy_format.read_array_header_1_0(fp)
    elif version in ((2, 0), (3, 0)):
        shape, fortran, dtype = npy_format.read_array_header_2_0(fp)
    else:
        raise UnsafeContentError("%s: unsupported .npy format version %s" % (where, version))
    if not dtype.hasobject:
        fp.seek(0)
        return npy_format.read_array(fp, allow_pickle=False)
    array = decode_object_array(memoryview(data)[fp.tell():], where)
    if not isinstance(array, np.ndarray) or array.shape != tuple(shape):
        raise UnsafeContentError("%s: the object payload does not match its header shape %s"
                                 % (where, shape))
    return array
