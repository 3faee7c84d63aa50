"""The ``.keras`` container: member names, reading a zip archive or an unzipped folder,
writing one atomically, and loading the weights it holds.

Both the model file code (``model_file.py``: ``model.save``/``load_model``) and the
weights file code (``weights_loader.py``: ``model.load_weights("x.keras")``) go through
this module; the weights formats inside (safetensors, Keras 3's HDF5) are
``weights_io.py``'s, and the atomic replace of the destination is ``file_utils``'s.
"""
from __future__ import annotations

import contextlib
import os
import zipfile
from typing import Iterator

from torchkeras.saving import file_utils
from torchkeras.saving.weights_file import load_from_h5, load_from_safetensors
from torchkeras.saving.weights_io import H5Source, SafetensorsSource, WeightsFileError

CONFIG = "config.json"
METADATA = "metadata.json"
WEIGHTS = "model.safetensors"
KERAS_WEIGHTS = "model.weights.h5"       # what Keras 3 itself writes
OPTIMIZER = "optimizer.safetensors"
ASSETS = "assets"

__all__ = ["ASSETS", "CONFIG", "KERAS_WEIGHTS", "METADATA", "OPTIMIZER", "WEIGHTS",
           "ArchiveReader", "open_archive", "write_archive", "load_archive_weights",
           "load_weights_from_archive"]


class ArchiveReader:
    """Reads the members of a ``.keras`` zip archive or of a folder saved unzipped.

    Args:
        origin: How messages name the file (``"Model file 'm.keras'"``).
        archive: An open ``zipfile.ZipFile`` (zip form), or
        folder: The folder (unzipped form).

    Example:
        >>> with open_archive("model.keras", "Model file 'model.keras'") as reader:
        ...     reader.has(CONFIG)
        True
    """

    def __init__(self, origin: str, archive: zipfile.ZipFile | None = None,
                 folder: str | None = None):
        if (archive is None) == (folder is None):
            raise TypeError("ArchiveReader takes exactly one of `archive` and `folder`")
        self.origin, self.archive, self.folder = origin, archive, folder
        self._names = set(archive.namelist()) if archive is not None else None

    def has(self, name: str) -> bool:
        """Whether the member ``name`` exists."""
        if self.archive is not None:
            return name in self._names
        return os.path.isfile(os.path.join(self.folder, name))

    def size(self, name: str) -> int:
        """The uncompressed size a member declares (what reading it may take at most)."""
        if self.archive is not None:
            return max(i.file_size for i in self.archive.infolist() if i.filename == name)
        return os.path.getsize(os.path.join(self.folder, name))

    def read(self, name: str, limit: int | None = None) -> bytes:
        """The bytes of member ``name``; a ValueError past ``limit`` bytes or when the
        archive is corrupted."""
        if self.archive is not None:
            try:
                return file_utils.read_member(self.archive, name, limit)
            except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError,
                    NotImplementedError, RuntimeError) as e:
                raise ValueError("%s: cannot read member %r (corrupted archive?): %s"
                                 % (self.origin, name, e)) from e
        full = os.path.join(self.folder, name)
        if limit is not None and os.path.getsize(full) > limit:
            raise ValueError("%s: %r is larger than the %d bytes allowed."
                             % (self.origin, name, limit))
        with open(full, "rb") as f:
            return f.read()

    def asset_names(self) -> list:
        """Member names under ``assets/``, sorted."""
        if self.archive is not None:
            return sorted(n for n in self._names
                          if n.startswith(ASSETS + "/") and not n.endswith("/"))
        out = []
        for dirpath, _, files in os.walk(os.path.join(self.folder, ASSETS)):
            for fname in files:
                rel = os.path.relpath(os.path.join(dirpath, fname), self.folder)
                out.append("/".join(rel.split(os.sep)))
        return sorted(out)


@contextlib.contextmanager
def open_archive(path: str, origin: str, error: type = ValueError) -> Iterator[ArchiveReader]:
    """An :class:`ArchiveReader` on ``path`` (a zip file or an unzipped folder).

    Args:
        path: The archive.
        origin: How messages name it.
        error: The exception class raised for a file that is not a zip archive.

    Example:
        >>> with open_archive("model.keras", "Model file 'model.keras'") as reader:
        ...     names = reader.asset_names()
    """
    if os.path.isdir(path):
        yield ArchiveReader(origin, folder=path)
        return
    try:
        zf = zipfile.ZipFile(path, "r")
    except zipfile.BadZipFile as e:
        raise error("%s is not a valid `.keras` archive: %s" % (origin, e)) from e
    with zf:
        yield ArchiveReader(origin, archive=zf)


def write_archive(path: str, members: dict, asset_files: list, zipped: bool = True) -> None:
    """Writes ``members`` (name -> bytes) and ``asset_files`` ((archive name, source
    file) pairs): one zip file replaced atomically, or a folder of atomically written
    files (``zipped=False``).

    Example:
        >>> write_archive("m.keras", {CONFIG: b"{}"}, [])
    """
    if zipped:
        with file_utils.atomic_path(path) as tmp:
            with zipfile.ZipFile(tmp, "w", zipfile.ZIP_STORED) as zf:
                for name, data in members.items():
                    zf.writestr(name, data)
                for arcname, src in asset_files:
                    zf.write(src, arcname)
        return
    os.makedirs(path, exist_ok=True)
    for name, data in members.items():
        file_utils.write_bytes_atomic(os.path.join(path, name), data)
    for arc, src in asset_files:
        dest = os.path.join(path, *arc.split("/"))
        os.makedirs(os.path.dirname(dest), exist_ok=True)
        with open(src, "rb") as f:
            file_utils.write_bytes_atomic(dest, f.read())


def load_archive_weights(model, reader: ArchiveReader, skip_mismatch: bool) -> None:
    """Loads the weights member of an archive: ours (safetensors) or Keras 3's (HDF5).

    Example:
        >>> with open_archive(path, origin) as reader:
        ...     load_archive_weights(model, reader, skip_mismatch=False)
    """
    if reader.has(WEIGHTS):
        source = SafetensorsSource(data=reader.read(WEIGHTS),
                                   origin="%s (%s)" % (reader.origin, WEIGHTS))
        load_from_safetensors(model, source, skip_mismatch)
    elif reader.has(KERAS_WEIGHTS):
        source = H5Source(data=reader.read(KERAS_WEIGHTS),
                          origin="%s (%s)" % (reader.origin, KERAS_WEIGHTS))
        try:
            load_from_h5(model, source, skip_mismatch)
        finally:
            source.close()
    else:
        raise ValueError("%s holds no weights (expected %s or %s)."
                         % (reader.origin, WEIGHTS, KERAS_WEIGHTS))


def load_weights_from_archive(model, path: str, skip_mismatch: bool = False) -> None:
    """``model.load_weights("x.keras")``: the weights of a model archive.

    Example:
        >>> load_weights_from_archive(model, "model.keras")
    """
    with open_archive(path, "Model file %r" % path, error=WeightsFileError) as reader:
        load_archive_weights(model, reader, skip_mismatch)
