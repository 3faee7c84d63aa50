"""imdb, reuters, boston_housing, california_housing: outputs against Keras 3 itself."""
import io
import json
import pickle

import numpy as np
import pytest
from numpy.lib import format as npy_format

from torchkeras.datasets import boston_housing, california_housing, imdb, reuters
from torchkeras.datasets._safe_npz import UnsafeContentError, load_npz, read_npy_bytes


def _sequences(rng, n, vocab=60, low=2, high=15):
    seqs = np.empty(n, dtype=object)
    for i in range(n):
        seqs[i] = [int(v) for v in rng.randint(1, vocab, rng.randint(low, high))]
    return seqs


def _make_imdb(path, seed=0):
    rng = np.random.RandomState(seed)
    np.savez(path, x_train=_sequences(rng, 12), y_train=rng.randint(0, 2, 12),
             x_test=_sequences(rng, 9), y_test=rng.randint(0, 2, 9))


def _make_reuters(path, seed=1):
    rng = np.random.RandomState(seed)
    np.savez(path, x=_sequences(rng, 15), y=rng.randint(0, 46, 15))


def _same_split(ours, theirs):
    (xa, ya), (xb, yb) = ours
    (ka, la), (kb, lb) = theirs
    assert [list(s) for s in xa] == [list(s) for s in ka]
    assert [list(s) for s in xb] == [list(s) for s in kb]
    np.testing.assert_array_equal(ya, la)
    np.testing.assert_array_equal(yb, lb)
    assert xa.dtype == object and all(type(w) is int for s in xa for w in s)


IMDB_CASES = [
    {},
    {"num_words": 20, "skip_top": 3},
    {"maxlen": 9, "seed": 7},
    {"start_char": None, "index_from": 0, "oov_char": None, "num_words": 30, "skip_top": 2},
    {"start_char": None, "index_from": 5},
]


@pytest.mark.keras_oracle
@pytest.mark.parametrize("kwargs", IMDB_CASES)
def test_imdb_matches_keras(keras, home, source, file_url, sha256, monkeypatch, kwargs):
    _make_imdb(source / "imdb.npz")
    monkeypatch.setattr(imdb, "ORIGIN", file_url(source / "imdb.npz"))
    monkeypatch.setattr(imdb, "SHA256", sha256(source / "imdb.npz"))
    ours = imdb.load_data(**kwargs)
    from keras.src.datasets import imdb as keras_imdb
    monkeypatch.setattr(keras_imdb, "get_file", lambda **kw: str(source / "imdb.npz"))
    _same_split(ours, keras_imdb.load_data(**kwargs))


def test_imdb_maxlen_too_small(home, source, file_url, sha256, monkeypatch):
    _make_imdb(source / "imdb.npz")
    monkeypatch.setattr(imdb, "ORIGIN", file_url(source / "imdb.npz"))
    monkeypatch.setattr(imdb, "SHA256", sha256(source / "imdb.npz"))
    with pytest.raises(ValueError, match="Increase maxlen"):
        imdb.load_data(maxlen=2)
    with pytest.raises(TypeError, match="nb_words"):
        imdb.load_data(nb_words=10)


def test_word_index_is_json(home, source, file_url, monkeypatch):
    import hashlib
    index = {"the": 1, "and": 2, "film": 19}
    (source / "imdb_word_index.json").write_text(json.dumps(index))
    monkeypatch.setattr(imdb, "WORD_INDEX_ORIGIN", file_url(source / "imdb_word_index.json"))
    monkeypatch.setattr(imdb, "WORD_INDEX_MD5",
                        hashlib.md5((source / "imdb_word_index.json").read_bytes()).hexdigest())
    assert imdb.get_word_index() == index
    (source / "reuters_word_index.json").write_text(json.dumps({"oil": 4}))
    monkeypatch.setattr(reuters, "WORD_INDEX_ORIGIN",
                        file_url(source / "reuters_word_index.json"))
    with pytest.raises(ValueError, match="hash"):
        reuters.get_word_index()     # Keras's md5 of the real index does not match


@pytest.mark.keras_oracle
@pytest.mark.parametrize("kwargs", [{}, {"test_split": 0.4, "seed": 3, "num_words": 25},
                                    {"maxlen": 10, "oov_char": None, "skip_top": 4}])
def test_reuters_matches_keras(keras, home, source, file_url, sha256, monkeypatch, kwargs):
    _make_reuters(source / "reuters.npz")
    monkeypatch.setattr(reuters, "ORIGIN", file_url(source / "reuters.npz"))
    monkeypatch.setattr(reuters, "SHA256", sha256(source / "reuters.npz"))
    ours = reuters.load_data(**kwargs)
    from keras.src.datasets import reuters as keras_reuters
    monkeypatch.setattr(keras_reuters, "get_file", lambda *a, **kw: str(source / "reuters.npz"))
    _same_split(ours, keras_reuters.load_data(**kwargs))
    assert reuters.get_label_names() == keras_reuters.get_label_names()


@pytest.mark.keras_oracle
@pytest.mark.parametrize("module_name", ["boston_housing", "california_housing"])
@pytest.mark.parametrize("kwargs", [{}, {"test_split": 0.0}, {"test_split": 0.35, "seed": 5}])
def test_housing_matches_keras(keras, home, source, file_url, sha256, monkeypatch,
                               module_name, kwargs):
    ours_module = {"boston_housing": boston_housing,
                   "california_housing": california_housing}[module_name]
    rng = np.random.RandomState(0)
    features = 13 if module_name == "boston_housing" else 8
    np.savez(source / "h.npz", x=rng.rand(40, features), y=rng.rand(40) * 50)
    monkeypatch.setattr(ours_module, "ORIGIN", file_url(source / "h.npz"))
    monkeypatch.setattr(ours_module, "SHA256", sha256(source / "h.npz"))
    ours = ours_module.load_data(**kwargs)
    import importlib
    theirs_module = importlib.import_module("keras.src.datasets." + module_name)
    monkeypatch.setattr(theirs_module, "get_file", lambda *a, **kw: str(source / "h.npz"))
    theirs = theirs_module.load_data(**kwargs)
    for a, b in zip(ours, theirs):
        for u, v in zip(a, b):
            np.testing.assert_array_equal(u, v)
            assert u.dtype == v.dtype


def test_housing_arguments(home, source, file_url, sha256, monkeypatch):
    with pytest.raises(ValueError, match="test_split"):
        boston_housing.load_data(test_split=1.0)
    with pytest.raises(ValueError, match="version"):
        california_housing.load_data(version="medium")
    rng = np.random.RandomState(0)
    np.savez(source / "c.npz", x=rng.rand(700, 8), y=rng.rand(700))
    monkeypatch.setattr(california_housing, "ORIGIN", file_url(source / "c.npz"))
    monkeypatch.setattr(california_housing, "SHA256", sha256(source / "c.npz"))
    (x_train, y_train), (x_test, _) = california_housing.load_data(version="small")
    assert x_train.shape == (480, 8) and x_test.shape == (120, 8) and y_train.shape == (480,)


# ---------------------------------------------------------------------- safe decoding
def _npy_with_protocol(array, protocol):
    buf = io.BytesIO()
    npy_format.write_array_header_1_0(buf, npy_format.header_data_from_array_1_0(array))
    pickle.dump(array, buf, protocol=protocol)
    return buf.getvalue()


@pytest.mark.parametrize("protocol", [2, 3, 4, 5])
def test_object_arrays_decode_like_numpy(protocol):
    arr = np.empty((2, 3), dtype=object, order="F")
    arr[0, 0] = [1, 300, 70000, -5, 2 ** 40]
    arr[0, 1] = np.arange(4, dtype=">i2")
    arr[0, 2] = (1.5, None, True, "word", b"raw")
    arr[1, 0] = []
    arr[1, 1] = np.linspace(0, 1, 6).reshape(2, 3)
    arr[1, 2] = {"k": [1, 2]} if protocol >= 2 else None
    decoded = read_npy_bytes(_npy_with_protocol(arr, protocol))
    assert decoded.shape == (2, 3) and decoded.dtype == object
    assert decoded[0, 0] == arr[0, 0]
    np.testing.assert_array_equal(decoded[0, 1], arr[0, 1])
    assert decoded[0, 1].dtype == np.dtype(">i2")
    assert decoded[0, 2] == arr[0, 2]
    assert decoded[1, 0] == []
    np.testing.assert_array_equal(decoded[1, 1], arr[1, 1])


class _Exploit:
    def __init__(self, path):
        self.path = path

    def __reduce__(self):
        return (open, (self.path, "w"))


@pytest.mark.parametrize("protocol", [2, 4])
def test_code_in_pickles_is_refused_not_run(tmp_path, protocol):
    marker = tmp_path / "pwned"
    arr = np.empty(1, dtype=object)
    arr[0] = _Exploit(str(marker))
    with pytest.raises(UnsafeContentError, match="builtins|io"):
        read_npy_bytes(_npy_with_protocol(arr, protocol))
    assert not marker.exists()
    np.savez(tmp_path / "evil.npz", x=arr)
    with pytest.raises(UnsafeContentError):
        load_npz(str(tmp_path / "evil.npz"))
    assert not marker.exists()


def test_numeric_members_and_truncated_stream(tmp_path):
    np.savez(tmp_path / "n.npz", a=np.arange(6.0).reshape(2, 3), b=np.array([1, 2], np.uint8))
    out = load_npz(str(tmp_path / "n.npz"))
    np.testing.assert_array_equal(out["a"], np.arange(6.0).reshape(2, 3))
    assert out["b"].dtype == np.uint8
    arr = np.empty(2, dtype=object)
    arr[0], arr[1] = [1, 2], [3]
    data = _npy_with_protocol(arr, 4)
    with pytest.raises((UnsafeContentError, IndexError, ValueError)):
        read_npy_bytes(data[:-5])
