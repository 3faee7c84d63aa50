"""get_file: cache location, checksums, offline errors, atomic and safe extraction."""
import hashlib
import io
import os
import shutil
import tarfile
import zipfile

import pytest

from torchkeras.datasets import DownloadError, get_file
from torchkeras.datasets._download import extract_archive, validate_file


def _write(path, data: bytes):
    path.write_bytes(data)
    return path


def _leftovers(folder):
    return sorted(p for p in os.listdir(folder) if p.endswith((".part", ".old")))


def test_download_over_http_is_cached_and_reused(home, source, http_server, sha256):
    src = _write(source / "data.bin", b"abc" * 1000)
    path = get_file("data.bin", http_server.url("data.bin"), file_hash=sha256(src))
    assert path == os.path.join(str(home), "datasets", "data.bin")
    assert open(path, "rb").read() == b"abc" * 1000
    assert len(http_server.requests) == 1
    # Second call: served from the cache (checked by hash), no new request.
    again = get_file("data.bin", http_server.url("data.bin"), file_hash=sha256(src))
    assert again == path and len(http_server.requests) == 1
    force = get_file("data.bin", http_server.url("data.bin"), force_download=True)
    assert force == path and len(http_server.requests) == 2
    assert _leftovers(os.path.dirname(path)) == []


def test_cache_dir_argument_and_default_name(home, source, file_url, tmp_path):
    src = _write(source / "weights.pth", b"w")
    other = tmp_path / "elsewhere"
    path = get_file(origin=file_url(src), cache_dir=str(other), cache_subdir="models")
    assert path == os.path.join(str(other), "models", "weights.pth")
    assert not (home / "models").exists()


def test_checksum_mismatch_raises_and_leaves_nothing(home, source, file_url):
    src = _write(source / "data.bin", b"payload")
    with pytest.raises(ValueError, match="hash"):
        get_file("data.bin", file_url(src), file_hash="0" * 64)
    folder = home / "datasets"
    assert os.listdir(folder) == []


def test_stale_cached_file_is_downloaded_again(home, source, http_server, sha256):
    src = _write(source / "data.bin", b"good content")
    target = home / "datasets" / "data.bin"
    target.parent.mkdir(parents=True)
    target.write_bytes(b"truncated")
    path = get_file("data.bin", http_server.url("data.bin"), file_hash=sha256(src))
    assert open(path, "rb").read() == b"good content"
    assert len(http_server.requests) == 1


def test_offline_error_names_url_and_destination(home, closed_port_url):
    with pytest.raises(DownloadError) as info:
        get_file("cifar.tar.gz", closed_port_url, file_hash="a" * 64)
    msg = str(info.value)
    assert closed_port_url in msg
    assert os.path.join(str(home), "datasets", "cifar.tar.gz") in msg
    assert "a" * 64 in msg and "TORCHKERAS_HOME" in msg
    assert os.listdir(home / "datasets") == []


def test_offline_with_a_file_put_by_hand(home, closed_port_url):
    target = home / "datasets" / "by_hand.bin"
    target.parent.mkdir(parents=True)
    target.write_bytes(b"manual copy")
    digest = hashlib.sha256(b"manual copy").hexdigest()
    assert get_file("by_hand.bin", closed_port_url, file_hash=digest) == str(target)
    # The same file with the wrong expected hash: offline error that says it is stale.
    with pytest.raises(DownloadError, match="wrong content"):
        get_file("by_hand.bin", closed_port_url, file_hash="b" * 64)


def test_http_error_is_reported(home, http_server):
    with pytest.raises(DownloadError, match="HTTP 404"):
        get_file("nope.bin", http_server.url("nope.bin"))


def test_md5_and_sha256_prefix(tmp_path):
    f = _write(tmp_path / "x", b"hello")
    assert validate_file(str(f), hashlib.md5(b"hello").hexdigest())
    sha = hashlib.sha256(b"hello").hexdigest()
    assert validate_file(str(f), sha[:8], "sha256")
    assert not validate_file(str(f), "deadbeef", "sha256")
    assert not validate_file(str(f), sha[:4], "sha256")    # too short to mean anything


def test_bad_arguments():
    with pytest.raises(ValueError, match="origin"):
        get_file("x")
    with pytest.raises(ValueError, match="Paths are not accepted"):
        get_file(os.path.join("a", "b"), "file:///nothing")


def _tar(path, members):
    with tarfile.open(path, "w:gz") as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return path


def test_extract_tar_with_dotted_name(home, source, file_url, sha256):
    src = _tar(source / "set.tar.gz", {"set/a.bin": b"A", "set/sub/b.bin": b"BB"})
    root = get_file("set.tar.gz", file_url(src), file_hash=sha256(src), extract=True)
    assert root == os.path.join(str(home), "datasets", "set_extracted")
    assert open(os.path.join(root, "set", "sub", "b.bin"), "rb").read() == b"BB"
    # A removed extraction folder is rebuilt from the cached archive.
    shutil.rmtree(root)
    root2 = get_file("set.tar.gz", file_url(src), file_hash=sha256(src), extract=True)
    assert open(os.path.join(root2, "set", "a.bin"), "rb").read() == b"A"
    assert _leftovers(home / "datasets") == []


def test_extract_zip_without_dot_in_name(home, source, file_url):
    src = source / "pack.zip"
    with zipfile.ZipFile(src, "w") as z:
        z.writestr("inner/file.txt", "zip content")
    root = get_file("pack", file_url(src), extract=True)
    assert root == os.path.join(str(home), "datasets", "pack")
    assert os.path.exists(os.path.join(str(home), "datasets", "pack_archive"))
    assert open(os.path.join(root, "inner", "file.txt")).read() == "zip content"


@pytest.mark.parametrize("name", ["../escape.txt", "/abs/escape.txt", "a/../../escape.txt"])
def test_extract_refuses_paths_outside(tmp_path, name):
    archive = _tar(tmp_path / "evil.tar.gz", {"ok.txt": b"fine", name: b"evil"})
    dest = tmp_path / "out" / "dest"
    with pytest.raises(ValueError, match="outside"):
        extract_archive(str(archive), str(dest))
    assert not dest.exists()
    assert not (tmp_path / "escape.txt").exists()
    assert _leftovers(tmp_path / "out") == []


def test_extract_refuses_links(tmp_path):
    archive = tmp_path / "link.tar"
    with tarfile.open(archive, "w") as tar:
        info = tarfile.TarInfo("link")
        info.type = tarfile.SYMTYPE
        info.linkname = "/etc/passwd"
        tar.addfile(info)
    with pytest.raises(ValueError, match="plain files"):
        extract_archive(str(archive), str(tmp_path / "dest"))
    assert not (tmp_path / "dest").exists()


def test_failed_extraction_keeps_previous_folder(tmp_path):
    good = _tar(tmp_path / "good.tar", {"f.txt": b"v1"})
    dest = tmp_path / "dest"
    extract_archive(str(good), str(dest))
    bad = _tar(tmp_path / "bad.tar", {"f.txt": b"v2", "../x": b"evil"})
    with pytest.raises(ValueError):
        extract_archive(str(bad), str(dest))
    assert (dest / "f.txt").read_bytes() == b"v1"
    with pytest.raises(ValueError, match="not a tar or zip archive"):
        extract_archive(str(_write(tmp_path / "plain.bin", b"x" * 600)), str(dest))
