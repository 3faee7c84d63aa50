"""Downloads with Keras's ``get_file`` semantics: cache, checksum, atomic extraction.

Files land in ``$TORCHKERAS_HOME/<cache_subdir>`` (``~/.torchkeras/datasets`` by default).
A download goes to a temporary name in the destination folder, is checked against the
expected hash and only then renamed into place; an archive is unpacked into a temporary
folder that is renamed to its final name once complete. So an interrupted download or
extraction never leaves a file or folder that a later call would trust.

Offline, or when the server cannot be reached, the error names the URL that failed and
the exact path where the file can be put by hand.
"""
from __future__ import annotations

import contextlib
import hashlib
import os
import re
import shutil
import sys
import tarfile
import tempfile
import urllib.error
import urllib.parse
import urllib.request
import zipfile

_CHUNK = 1 << 20
_TIMEOUT_S = 60


class DownloadError(OSError):
    """A file could not be fetched (offline, unreachable server, HTTP error)."""


def torchkeras_home() -> str:
    """The cache root: ``$TORCHKERAS_HOME`` or ``~/.torchkeras``."""
    return os.path.expanduser(os.environ.get("TORCHKERAS_HOME") or "~/.torchkeras")


def resolve_hasher(algorithm: str, file_hash: str | None = None) -> str:
    """``"auto"`` picks sha256 for 64-digit hashes and md5 otherwise (as Keras does)."""
    if algorithm not in ("auto", "sha256", "md5"):
        raise ValueError("hash_algorithm must be 'auto', 'sha256' or 'md5', got %r" % algorithm)
    if algorithm == "auto":
        return "sha256" if file_hash is not None and len(file_hash) == 64 else "md5"
    return algorithm


def hash_file(fpath: str, algorithm: str = "sha256") -> str:
    """Hex digest of a file, read in 1 MiB chunks."""
    hasher = hashlib.sha256() if algorithm == "sha256" else hashlib.md5()
    with open(fpath, "rb") as f:
        for chunk in iter(lambda: f.read(_CHUNK), b""):
            hasher.update(chunk)
    return hasher.hexdigest()


def validate_file(fpath: str, file_hash: str, algorithm: str = "auto") -> bool:
    """Whether ``fpath`` has hash ``file_hash``.

    A sha256 hash shorter than 64 digits is checked as a prefix (torch hub's file names
    carry the first digits of the sha256 of their content).
    """
    algorithm = resolve_hasher(algorithm, file_hash)
    digest = hash_file(fpath, algorithm)
    expected = str(file_hash).lower()
    if algorithm == "sha256" and len(expected) < 64:
        return len(expected) >= 8 and digest.startswith(expected)
    return digest == expected


def get_file(fname: str | None = None, origin: str | None = None, untar: bool = False,
             md5_hash: str | None = None, file_hash: str | None = None,
             cache_subdir: str = "datasets", hash_algorithm: str = "auto",
             extract: bool = False, archive_format: str | list | None = "auto",
             cache_dir: str | None = None, force_download: bool = False) -> str:
    """Downloads a file from a URL unless it is already cached, and returns its path.

    Args:
        fname: Local file name (the last part of ``origin`` when ``None``). With
            ``extract=True``, a name without a dot names the extraction folder; a name
            with a dot (``"data.tar.gz"``) is the archive's name and the folder is
            ``"data_extracted"``.
        origin: URL of the file (``https://``, ``http://`` or ``file://``).
        untar: Deprecated alias of ``extract=True`` with ``archive_format="tar"``.
        md5_hash: Deprecated: md5 of the file (use ``file_hash``).
        file_hash: Expected sha256 (64 hex digits) or md5 of the file. A cached file
            that does not match is downloaded again; a download that does not match
            is deleted and raises ``ValueError``.
        cache_subdir: Folder under the cache root (an absolute path is used as is).
        hash_algorithm: ``"auto"``, ``"sha256"`` or ``"md5"``.
        extract: Unpack a tar/zip archive and return the folder.
        archive_format: ``"auto"`` (tar then zip), ``"tar"``, ``"zip"`` or ``None``.
        cache_dir: Cache root; ``$TORCHKERAS_HOME`` or ``~/.torchkeras`` by default.
        force_download: Download even when a cached copy exists.

    Returns:
        The path of the file, or of the extraction folder when ``extract=True``.

    Raises:
        DownloadError: The URL could not be fetched; the message says where to put the
            file by hand.
        ValueError: Bad arguments, or a download whose hash does not match.

    Example:
        >>> path = get_file("mnist.npz", "https://storage.googleapis.com/"
        ...                 "tensorflow/tf-keras-datasets/mnist.npz",
        ...                 file_hash="731c5ac6...")
    """
    if origin is None:
        raise ValueError('Please specify the "origin" argument (URL of the file to download).')
    if md5_hash is not None and file_hash is None:
        file_hash, hash_algorithm = md5_hash, "md5"
    algorithm = resolve_hasher(hash_algorithm, file_hash)
    root = os.path.expanduser(os.fspath(cache_dir)) if cache_dir is not None else torchkeras_home()
    datadir = os.path.join(root, cache_subdir)
    os.makedirs(datadir, exist_ok=True)

    provided = fname is not None
    fname = os.fspath(fname) if provided else os.path.basename(urllib.parse.urlsplit(origin).path)
    if not fname:
        raise ValueError("Can't parse the file name from the origin provided: %r. Please "
                         "specify the `fname` argument." % origin)
    if os.sep in fname or (os.altsep and os.altsep in fname):
        raise ValueError("Paths are not accepted as the `fname` argument; use `cache_dir` to "
                         "choose the parent folder. Received: fname=%r" % fname)

    extract = extract or untar
    extraction_dir = None
    if extract:
        if provided and "." in fname:
            download_target = os.path.join(datadir, fname)
            extraction_dir = os.path.join(datadir, fname[:fname.find(".")] + "_extracted")
        else:
            extraction_dir = os.path.join(datadir, fname)
            download_target = os.path.join(datadir, fname + "_archive")
    else:
        download_target = os.path.join(datadir, fname)

    downloaded = False
    if force_download or not os.path.exists(download_target):
        _download(origin, download_target, file_hash, algorithm)
        downloaded = True
    elif file_hash is not None and not validate_file(download_target, file_hash, algorithm):
        print("A local file was found at %s, but its %s hash does not match the expected "
              "value %s, so it will be downloaded again." % (download_target, algorithm,
                                                              file_hash), file=sys.stderr)
        _download(origin, download_target, file_hash, algorithm, stale=True)
        downloaded = True

    if not extract:
        return download_target
    if untar:
        archive_format = "tar"
    if downloaded or not os.path.isdir(extraction_dir):
        extract_archive(download_target, extraction_dir, archive_format)
    return extraction_dir


def _download(origin: str, target: str, file_hash: str | None, algorithm: str,
              stale: bool = False) -> None:
    """Fetches ``origin`` to a temporary file, checks it, then renames it to ``target``."""
    folder = os.path.dirname(target)
    fd, tmp = tempfile.mkstemp(prefix="." + os.path.basename(target) + ".",
                               suffix=".part", dir=folder)
    try:
        with os.fdopen(fd, "wb") as out:
            _fetch(origin, out, target, file_hash, algorithm, stale)
        if file_hash is not None and not validate_file(tmp, file_hash, algorithm):
            raise ValueError(
                "Incomplete or corrupted file detected. The %s file hash of the file "
                "downloaded from %s (%s) does not match the expected value %s; it was "
                "deleted." % (algorithm, origin, hash_file(tmp, algorithm), file_hash))
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.remove(tmp)
        raise


def _fetch(origin: str, out, target: str, file_hash, algorithm: str, stale: bool) -> None:
    print("Downloading data from %s" % origin, file=sys.stderr)
    try:
        with urllib.request.urlopen(origin, timeout=_TIMEOUT_S) as response:
            total = response.headers.get("Content-Length")
            bar = _progress_bar(int(total) if total and total.isdigit() else None)
            done = 0
            for chunk in iter(lambda: response.read(_CHUNK), b""):
                out.write(chunk)
                done += len(chunk)
                if bar is not None:
                    bar.update(done)
            if bar is not None:
                bar.update(done, finalize=True)
    except urllib.error.HTTPError as e:
        raise DownloadError(_offline_message(origin, "HTTP %s %s" % (e.code, e.reason), target,
                                             file_hash, algorithm, stale)) from None
    except (urllib.error.URLError, OSError, ValueError) as e:
        reason = getattr(e, "reason", None) or e
        raise DownloadError(_offline_message(origin, reason, target, file_hash, algorithm,
                                             stale)) from None


def _offline_message(origin, reason, target, file_hash, algorithm, stale) -> str:
    msg = ("URL fetch failure on %s: %s. The file could not be downloaded (no network "
           "connection, or the server is unreachable). To use it offline, download it by "
           "hand from %s and put it at:\n    %s\n" % (origin, reason, origin, target))
    if stale:
        msg += "(the file now at that path has the wrong content and must be replaced). "
    if file_hash is not None:
        msg += "It is checked against its %s hash %s. " % (algorithm, file_hash)
    msg += ("Set the TORCHKERAS_HOME environment variable (or pass `cache_dir`) to use "
            "another cache folder.")
    return msg


def _progress_bar(total):
    if not sys.stderr.isatty():
        return None
    from torchkeras.utils.progbar import Progbar
    return Progbar(total, unit_name="byte")


# ---------------------------------------------------------------------- archives
def extract_archive(file_path: str, path: str, archive_format="auto") -> bool:
    """Unpacks a tar or zip archive into folder ``path``, atomically.

    Members are unpacked into a temporary sibling folder that replaces ``path`` only
    once every member is written. Absolute names, ``..`` components, links and device
    files are refused.

    Returns:
        ``True`` when the archive matched a format and was extracted.
    """
    if archive_format is None:
        return False
    formats = ["tar", "zip"] if archive_format == "auto" else (
        [archive_format] if isinstance(archive_format, str) else list(archive_format))
    for fmt in formats:
        if fmt == "tar":
            matches = tarfile.is_tarfile(file_path)
        elif fmt == "zip":
            matches = zipfile.is_zipfile(file_path)
        else:
            raise ValueError("archive_format must be 'auto', 'tar', 'zip' or None, got %r"
                             % (fmt,))
        if matches:
            _extract_atomically(file_path, path, fmt)
            return True
    raise ValueError("%s is not a %s archive, so it cannot be extracted."
                     % (file_path, " or ".join(formats)))


def _extract_atomically(file_path: str, path: str, fmt: str) -> None:
    parent = os.path.dirname(os.path.abspath(path))
    os.makedirs(parent, exist_ok=True)
    tmp = tempfile.mkdtemp(prefix="." + os.path.basename(path) + ".", suffix=".part",
                           dir=parent)
    try:
        if fmt == "tar":
            with tarfile.open(file_path) as archive:
                members = [_checked_tar_member(m) for m in archive.getmembers()]
                archive.extractall(tmp, members=members, filter="data")
        else:
            with zipfile.ZipFile(file_path) as archive:
                for name in archive.namelist():
                    _check_member_name(name)
                archive.extractall(tmp)
        old = None
        if os.path.exists(path):
            old = tempfile.mkdtemp(prefix="." + os.path.basename(path) + ".", suffix=".old",
                                   dir=parent)
            os.rmdir(old)
            os.replace(path, old)
        os.replace(tmp, path)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


_BAD_PART = re.compile(r"(^|[\\/])\.\.([\\/]|$)")


def _check_member_name(name: str) -> None:
    if os.path.isabs(name) or name.startswith(("/", "\\")) or _BAD_PART.search(name):
        raise ValueError("Refusing to extract archive member %r: it points outside the "
                         "extraction folder." % name)


def _checked_tar_member(member: tarfile.TarInfo) -> tarfile.TarInfo:
    _check_member_name(member.name)
    if not (member.isfile() or member.isdir()):
        raise ValueError("Refusing to extract archive member %r: only plain files and "
                         "folders are allowed." % member.name)
    return member
