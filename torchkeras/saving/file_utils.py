"""Atomic file writes and bounded reads of archive members.

Every file torchkeras writes goes to a temporary name in the destination folder and is
renamed over the target only once complete, so a crash (or an exception half-way)
leaves either the previous file or the new one, never a torn one.
"""
from __future__ import annotations

import contextlib
import gc
import os
import re
import secrets
import zipfile
from typing import Iterator

# Created files get the permissions an ordinary open() would give them.
_UMASK = os.umask(0o022)
os.umask(_UMASK)

# Archive members may not inflate far beyond their stored size (zip bombs).
MAX_EXPANSION = 100
EXPANSION_FLOOR = 1 << 24      # 16 MiB: small members are never suspicious
MAX_JSON_BYTES = 1 << 28       # 256 MiB of JSON is already far more than any config


def check_overwrite(path: str, overwrite: bool) -> None:
    """Keras semantics: ``overwrite=False`` refuses to replace an existing file."""
    if not overwrite and os.path.exists(path):
        raise FileExistsError("File %r already exists and overwrite=False was passed; "
                              "pass overwrite=True to replace it." % path)


def temp_path_for(path: str) -> str:
    """A fresh temporary name beside ``path`` that names its writer's process.

    ``.<name>.<pid>-<8 hex>.tmp``: the pid lets a later save of the same target tell a
    file left by a killed writer from one a live writer is still filling.
    """
    folder, base = os.path.split(os.path.abspath(path))
    return os.path.join(folder, ".%s.%d-%s.tmp" % (base, os.getpid(), secrets.token_hex(4)))


def remove_stale_temps(path: str) -> list:
    """Removes the temporary files of earlier writers of ``path`` that no longer run.

    Matches this module's names (writer's pid no longer alive) and those of earlier
    torchkeras versions (``.<name>.XXXXXXXX.tmp``), only for this exact target.
    Returns the paths removed.

    Example:
        >>> remove_stale_temps("ckpt.keras")   # before writing ckpt.keras again
    """
    folder, base = os.path.split(os.path.abspath(path))
    try:
        names = os.listdir(folder)
    except OSError:
        return []
    quoted = re.escape(base)
    own = re.compile(r"\.%s\.(\d+)-[0-9a-f]{8}\.tmp" % quoted)
    legacy = re.compile(r"\.%s\.[a-z0-9_]{8}\.tmp" % quoted)
    removed = []
    for name in names:
        match = own.fullmatch(name)
        stale = (match is not None and not _process_alive(int(match.group(1)))) or (
            match is None and legacy.fullmatch(name) is not None)
        if stale:
            full = os.path.join(folder, name)
            with contextlib.suppress(OSError):
                os.remove(full)
                removed.append(full)
    return removed


def _process_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True          # another thread of this process may be writing it
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError, OSError):
        return True          # exists (someone else's) or cannot tell: leave it
    return True


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """Pauses Python's cyclic garbage collector for one save or load.

    Serializing or rebuilding a model creates many objects at once, and every full
    collection scans them all: on a 10,000-layer graph that made saving grow faster than
    the model (bench/graph_depth.py: save 12.7-17.6x for 10x the layers, 9.4x with the
    collector off). Nothing cyclic is freed later than it would be anyway.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


@contextlib.contextmanager
def atomic_path(path: str) -> Iterator[str]:
    """Yields a temporary path next to ``path``; renames it over ``path`` on success.

    On any exception the temporary file is removed and ``path`` is left untouched;
    temporary files that killed writers left for the same target are removed first.

    Example:
        >>> with atomic_path("model.keras") as tmp:
        ...     write_everything(tmp)
    """
    path = os.path.abspath(path)
    folder = os.path.dirname(path)
    if not os.path.isdir(folder):
        raise FileNotFoundError("Cannot write %r: folder %r does not exist." % (path, folder))
    remove_stale_temps(path)
    tmp = temp_path_for(path)
    os.close(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    try:
        yield tmp
        _fsync(tmp)
        mode = os.stat(path).st_mode & 0o777 if os.path.exists(path) else 0o666 & ~_UMASK
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.remove(tmp)
        raise
    _fsync_dir(folder)


def write_bytes_atomic(path: str, data: bytes) -> None:
    """Writes ``data`` to ``path`` atomically."""
    with atomic_path(path) as tmp:
        with open(tmp, "wb") as f:
            f.write(data)


def _fsync(path: str) -> None:
    with open(path, "rb+") as f:
        os.fsync(f.fileno())


def _fsync_dir(folder: str) -> None:
    # Makes the rename itself durable; not every platform can open a folder.
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def read_member(archive: zipfile.ZipFile, name: str, limit: int | None = None) -> bytes:
    """Reads one archive member, refusing duplicates, bombs and oversized members.

    Args:
        archive: An open ``ZipFile``.
        name: Exact member name (only known names are ever read).
        limit: Largest accepted uncompressed size in bytes.
    """
    infos = [i for i in archive.infolist() if i.filename == name]
    if not infos:
        raise ValueError("The archive has no %r member." % name)
    if len(infos) > 1:
        raise ValueError("The archive holds %d members named %r; refusing an ambiguous file."
                         % (len(infos), name))
    info = infos[0]
    if limit is not None and info.file_size > limit:
        raise ValueError("Archive member %r declares %d bytes, more than the %d allowed."
                         % (name, info.file_size, limit))
    if info.file_size > EXPANSION_FLOOR and info.file_size > MAX_EXPANSION * info.compress_size:
        raise ValueError("Archive member %r declares %d bytes but stores only %d: refusing a "
                         "potential decompression bomb." % (name, info.file_size,
                                                            info.compress_size))
    with archive.open(info, "r") as f:
        data = f.read(info.file_size + 1)
    if len(data) != info.file_size:
        raise ValueError("Archive member %r is truncated or corrupted." % name)
    return data
