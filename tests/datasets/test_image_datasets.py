"""mnist, fashion_mnist, cifar10, cifar100 from small archives in the real file formats."""
import gzip
import io
import os
import tarfile

import numpy as np
import pytest

from torchkeras import config
from torchkeras.datasets import DownloadError, cifar10, cifar100, fashion_mnist, mnist


def _rng_images(rng, n, shape):
    return rng.randint(0, 256, size=(n,) + shape).astype(np.uint8)


# ---------------------------------------------------------------------- MNIST
def test_mnist(home, source, file_url, sha256, monkeypatch):
    rng = np.random.RandomState(1)
    arrays = {"x_train": _rng_images(rng, 6, (28, 28)),
              "y_train": rng.randint(0, 10, 6).astype(np.uint8),
              "x_test": _rng_images(rng, 3, (28, 28)),
              "y_test": rng.randint(0, 10, 3).astype(np.uint8)}
    np.savez(source / "mnist.npz", **arrays)
    monkeypatch.setattr(mnist, "ORIGIN", file_url(source / "mnist.npz"))
    monkeypatch.setattr(mnist, "SHA256", sha256(source / "mnist.npz"))
    (x_train, y_train), (x_test, y_test) = mnist.load_data()
    assert x_train.shape == (6, 28, 28) and x_train.dtype == np.uint8
    assert y_test.shape == (3,) and y_test.dtype == np.uint8
    np.testing.assert_array_equal(x_train, arrays["x_train"])
    np.testing.assert_array_equal(y_test, arrays["y_test"])
    assert os.path.exists(home / "datasets" / "mnist.npz")
    # The cache is reused: the origin can disappear.
    os.remove(source / "mnist.npz")
    (x2, _), _ = mnist.load_data()
    np.testing.assert_array_equal(x2, arrays["x_train"])


def test_mnist_checksum_mismatch(home, source, file_url, monkeypatch):
    np.savez(source / "mnist.npz", x_train=np.zeros((1, 28, 28), np.uint8))
    monkeypatch.setattr(mnist, "ORIGIN", file_url(source / "mnist.npz"))
    with pytest.raises(ValueError, match="hash"):
        mnist.load_data()     # the real MNIST hash does not match the fabricated file
    assert not os.path.exists(home / "datasets" / "mnist.npz")


def test_mnist_offline_says_where_to_put_the_file(home, closed_port_url, monkeypatch, tmp_path):
    monkeypatch.setattr(mnist, "ORIGIN", closed_port_url)
    with pytest.raises(DownloadError) as info:
        mnist.load_data(cache_dir=str(tmp_path / "cache"))
    assert closed_port_url in str(info.value)
    assert os.path.join(str(tmp_path / "cache"), "datasets", "mnist.npz") in str(info.value)
    assert mnist.SHA256 in str(info.value)


def test_mnist_rejects_object_arrays(home, source, file_url, sha256, monkeypatch):
    # An npz with a pickled member must not be unpickled by load_data.
    obj = np.empty(1, dtype=object)
    obj[0] = [1, 2]
    np.savez(source / "mnist.npz", x_train=obj, y_train=obj, x_test=obj, y_test=obj)
    monkeypatch.setattr(mnist, "ORIGIN", file_url(source / "mnist.npz"))
    monkeypatch.setattr(mnist, "SHA256", sha256(source / "mnist.npz"))
    with pytest.raises(ValueError, match="allow_pickle"):
        mnist.load_data()


# ---------------------------------------------------------------------- Fashion-MNIST
def _idx_gz(path, array):
    ndim = array.ndim
    header = (0x0800 + ndim).to_bytes(4, "big") + b"".join(
        int(d).to_bytes(4, "big") for d in array.shape)
    with gzip.open(path, "wb") as f:
        f.write(header + array.astype(np.uint8).tobytes())


def test_fashion_mnist(home, source, file_url, sha256, monkeypatch):
    rng = np.random.RandomState(2)
    data = {"train-labels-idx1-ubyte.gz": rng.randint(0, 10, 5),
            "train-images-idx3-ubyte.gz": _rng_images(rng, 5, (28, 28)),
            "t10k-labels-idx1-ubyte.gz": rng.randint(0, 10, 2),
            "t10k-images-idx3-ubyte.gz": _rng_images(rng, 2, (28, 28))}
    for name, arr in data.items():
        _idx_gz(source / name, arr)
    monkeypatch.setattr(fashion_mnist, "KERAS_STORAGE", file_url(source) + "/")
    monkeypatch.setattr(fashion_mnist, "FILES", {n: sha256(source / n) for n in data})
    (x_train, y_train), (x_test, y_test) = fashion_mnist.load_data()
    assert x_train.shape == (5, 28, 28) and x_train.dtype == np.uint8
    np.testing.assert_array_equal(x_train, data["train-images-idx3-ubyte.gz"])
    np.testing.assert_array_equal(y_train, data["train-labels-idx1-ubyte.gz"])
    np.testing.assert_array_equal(x_test, data["t10k-images-idx3-ubyte.gz"])
    assert y_test.dtype == np.uint8 and y_test.shape == (2,)
    assert os.path.isdir(home / "datasets" / "fashion-mnist")


def test_idx_with_bad_magic(tmp_path):
    with gzip.open(tmp_path / "bad.gz", "wb") as f:
        f.write((0x0803).to_bytes(4, "big") + (2).to_bytes(4, "big") + b"\x00\x01")
    with pytest.raises(ValueError, match="magic"):
        fashion_mnist.read_idx(str(tmp_path / "bad.gz"), ndim=1)


# ---------------------------------------------------------------------- CIFAR
def _cifar_records(rng, n, n_labels, label_high):
    labels = np.stack([rng.randint(0, h, n) for h in label_high], axis=1).astype(np.uint8)
    chw = _rng_images(rng, n, (3, 32, 32))
    records = np.concatenate([labels[:, :n_labels], chw.reshape(n, -1)], axis=1)
    return records.astype(np.uint8).tobytes(), chw, labels


def _tar_gz(path, files):
    with tarfile.open(path, "w:gz") as tar:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))


def _make_cifar10(source, rng, counts=(3, 2, 2, 1, 2), n_test=4):
    files, xs, ys = {}, [], []
    for i, n in enumerate(counts, 1):
        raw, chw, labels = _cifar_records(rng, n, 1, [10])
        files["cifar-10-batches-bin/data_batch_%d.bin" % i] = raw
        xs.append(chw)
        ys.append(labels)
    raw, x_test, y_test = _cifar_records(rng, n_test, 1, [10])
    files["cifar-10-batches-bin/test_batch.bin"] = raw
    files["cifar-10-batches-bin/batches.meta.txt"] = b"airplane\nautomobile\n"
    _tar_gz(source / "cifar-10-binary.tar.gz", files)
    return np.concatenate(xs), np.concatenate(ys), x_test, y_test


def test_cifar10_binary(home, source, file_url, sha256, monkeypatch):
    x_train_chw, y_train, x_test_chw, y_test = _make_cifar10(source, np.random.RandomState(3))
    monkeypatch.setattr(cifar10, "ORIGIN", file_url(source / "cifar-10-binary.tar.gz"))
    monkeypatch.setattr(cifar10, "SHA256", sha256(source / "cifar-10-binary.tar.gz"))
    (x_train, yt), (x_test, yv) = cifar10.load_data()
    assert x_train.shape == (10, 32, 32, 3) and x_train.dtype == np.uint8
    assert x_test.shape == (4, 32, 32, 3)
    assert yt.shape == (10, 1) and yt.dtype == np.uint8 and yv.shape == (4, 1)
    assert x_train.flags.c_contiguous
    # Channel-major records become HWC: pixel (row 5, col 7) of image 2 is its R, G, B
    # bytes at offsets 5*32+7 of each 1024-byte plane.
    np.testing.assert_array_equal(x_train[2, 5, 7], x_train_chw[2, :, 5, 7])
    np.testing.assert_array_equal(x_train, x_train_chw.transpose(0, 2, 3, 1))
    np.testing.assert_array_equal(x_test, x_test_chw.transpose(0, 2, 3, 1))
    np.testing.assert_array_equal(yt, y_train)
    np.testing.assert_array_equal(yv, y_test)
    assert os.path.isdir(home / "datasets" / "cifar-10-binary_extracted")
    # Cached: archive and extraction reused without the origin.
    os.remove(source / "cifar-10-binary.tar.gz")
    (x2, _), _ = cifar10.load_data()
    np.testing.assert_array_equal(x2, x_train)


def test_cifar10_channels_first(home, source, file_url, sha256, monkeypatch):
    x_train_chw, _, _, _ = _make_cifar10(source, np.random.RandomState(4))
    monkeypatch.setattr(cifar10, "ORIGIN", file_url(source / "cifar-10-binary.tar.gz"))
    monkeypatch.setattr(cifar10, "SHA256", sha256(source / "cifar-10-binary.tar.gz"))
    config.set_image_data_format("channels_first")
    try:
        (x_train, _), _ = cifar10.load_data()
    finally:
        config.set_image_data_format("channels_last")
    assert x_train.shape == (10, 3, 32, 32)
    np.testing.assert_array_equal(x_train, x_train_chw)


def test_cifar10_truncated_record(home, source, file_url, sha256, monkeypatch):
    files = {"cifar-10-batches-bin/data_batch_%d.bin" % i: b"\x01" * 3073 for i in range(1, 6)}
    files["cifar-10-batches-bin/test_batch.bin"] = b"\x01" * 3000
    _tar_gz(source / "c.tar.gz", files)
    monkeypatch.setattr(cifar10, "ORIGIN", file_url(source / "c.tar.gz"))
    monkeypatch.setattr(cifar10, "SHA256", sha256(source / "c.tar.gz"))
    with pytest.raises(ValueError, match="3073-byte record"):
        cifar10.load_data()


def test_cifar10_offline(home, closed_port_url, monkeypatch):
    monkeypatch.setattr(cifar10, "ORIGIN", closed_port_url)
    with pytest.raises(DownloadError) as info:
        cifar10.load_data()
    assert os.path.join(str(home), "datasets", "cifar-10-binary.tar.gz") in str(info.value)


@pytest.mark.parametrize("label_mode", ["fine", "coarse"])
def test_cifar100_binary(home, source, file_url, sha256, monkeypatch, label_mode):
    rng = np.random.RandomState(5)
    raw_train, x_train_chw, labels_train = _cifar_records(rng, 7, 2, [20, 100])
    raw_test, x_test_chw, labels_test = _cifar_records(rng, 3, 2, [20, 100])
    _tar_gz(source / "cifar-100-binary.tar.gz",
            {"cifar-100-binary/train.bin": raw_train, "cifar-100-binary/test.bin": raw_test,
             "cifar-100-binary/fine_label_names.txt": b"apple\n"})
    monkeypatch.setattr(cifar100, "ORIGIN", file_url(source / "cifar-100-binary.tar.gz"))
    monkeypatch.setattr(cifar100, "SHA256", sha256(source / "cifar-100-binary.tar.gz"))
    (x_train, y_train), (x_test, y_test) = cifar100.load_data(label_mode=label_mode)
    column = 0 if label_mode == "coarse" else 1
    assert x_train.shape == (7, 32, 32, 3) and x_test.shape == (3, 32, 32, 3)
    assert y_train.shape == (7, 1) and y_train.dtype == np.uint8
    np.testing.assert_array_equal(x_train, x_train_chw.transpose(0, 2, 3, 1))
    np.testing.assert_array_equal(y_train[:, 0], labels_train[:, column])
    np.testing.assert_array_equal(y_test[:, 0], labels_test[:, column])
    assert y_train.max() < (20 if label_mode == "coarse" else 100)


def test_cifar100_bad_label_mode():
    with pytest.raises(ValueError, match="label_mode"):
        cifar100.load_data(label_mode="medium")
