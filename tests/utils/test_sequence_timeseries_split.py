"""pad_sequences (Keras oracle), timeseries_dataset_from_array, split_dataset and
audio_dataset_from_directory (Keras outputs recorded with TensorFlow in the fixtures)."""
import importlib.util
import json
import os

import numpy as np
import pytest
import torch

import torchkeras as tk
from torchkeras.utils import (audio_dataset_from_directory, pad_sequences, split_dataset,
                              timeseries_dataset_from_array)

FIXTURES = os.path.join(os.path.dirname(__file__), "..", "layers", "preprocessing", "fixtures")
with open(os.path.join(FIXTURES, "keras_preprocessing.json"), encoding="utf-8") as _f:
    _RECORD = json.load(_f)
ARRAYS, DIRS = _RECORD["arrays"], _RECORD["directories"]

SEQS = [[1], [2, 3], [4, 5, 6, 7], []]


@pytest.mark.keras_oracle
@pytest.mark.parametrize("kwargs", [
    {}, {"maxlen": 2}, {"padding": "post"}, {"truncating": "post", "maxlen": 3},
    {"value": -1, "dtype": "float32"}, {"maxlen": 1, "padding": "post"}])
def test_pad_sequences_matches_keras(keras, kwargs):
    ours, theirs = pad_sequences(SEQS, **kwargs), keras.utils.pad_sequences(SEQS, **kwargs)
    assert ours.dtype == theirs.dtype
    np.testing.assert_array_equal(ours, theirs)


@pytest.mark.keras_oracle
def test_pad_sequences_items_and_strings(keras):
    seqs = [np.ones((2, 3)), np.zeros((1, 3))]
    np.testing.assert_array_equal(pad_sequences(seqs, maxlen=3),
                                  keras.utils.pad_sequences(seqs, maxlen=3))
    words = [["a", "b"], ["c"]]
    np.testing.assert_array_equal(pad_sequences(words, dtype=object, value=""),
                                  keras.utils.pad_sequences(words, dtype=object, value=""))
    with pytest.raises(ValueError, match="dtype"):
        pad_sequences(words, value="")
    with pytest.raises(ValueError, match="Padding"):
        pad_sequences(SEQS, padding="middle")


@pytest.mark.parametrize("name", ["plain", "rate_stride", "bounds"])
def test_timeseries_windows_match_keras(name):
    case = ARRAYS["timeseries_" + name]
    data, targets = np.arange(50).reshape(25, 2), np.arange(100, 125)
    ds = timeseries_dataset_from_array(data, targets, batch_size=None, **case["kwargs"])
    xs, ys = zip(*list(ds))
    np.testing.assert_array_equal(torch.stack(xs).numpy(), np.array(case["x"]))
    np.testing.assert_array_equal(torch.stack(ys).numpy(), np.array(case["y"]))


def test_timeseries_batches_train_and_errors():
    data = np.random.default_rng(0).normal(size=(60, 3)).astype("float32")
    ds = timeseries_dataset_from_array(data, data[:, 0], sequence_length=6, batch_size=16,
                                       shuffle=True, seed=2)
    batches = list(ds)
    assert batches[0][0].shape == (16, 6, 3) and sum(len(b[1]) for b in batches) == 55
    model = tk.Sequential([tk.Input((6, 3)), tk.layers.Flatten(), tk.layers.Dense(1)])
    model.compile("sgd", "mse")
    assert len(model.fit(ds, epochs=1, verbose=0).history["loss"]) == 1
    with pytest.raises(ValueError, match="sampling_rate"):
        timeseries_dataset_from_array(data, None, 3, sampling_rate=0)
    with pytest.raises(ValueError, match="end_index"):
        timeseries_dataset_from_array(data, None, 3, start_index=10, end_index=5)


@pytest.mark.parametrize("name", ["fraction", "ints", "shuffled"])
def test_split_dataset_matches_keras(name):
    case = ARRAYS["split_" + name]
    left, right = split_dataset((np.arange(20).reshape(10, 2), np.arange(10)), **case["kwargs"])
    for part, want in ((left, case["left"]), (right, case["right"])):
        got = [[v.numpy().tolist() for v in sample] for sample in part]
        assert got == want


def test_split_dataset_single_array_and_errors():
    left, right = split_dataset(np.arange(10), right_size=2)
    assert len(left) == 8 and right[1].item() == 9
    with pytest.raises(ValueError, match="left_size"):
        split_dataset(np.arange(10), left_size=1.5)
    with pytest.raises(ValueError, match="At least one"):
        split_dataset(np.arange(10))
    with pytest.raises(TypeError, match="dataset"):
        split_dataset("not data", left_size=1)


@pytest.fixture
def wav_tree(tmp_path):
    spec = importlib.util.spec_from_file_location("file_tree",
                                                  os.path.join(FIXTURES, "file_tree.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.make_wav_tree(str(tmp_path))
    return str(tmp_path)


def test_audio_clips_match_keras(wav_tree):
    ds = audio_dataset_from_directory(wav_tree, batch_size=None, shuffle=False,
                                      output_sequence_length=40, verbose=False)
    clips, ys = zip(*list(ds))
    want = DIRS["audio"]
    assert [int(y) for y in ys] == want["y"]
    for got, expected in zip(clips, want["x"]):
        np.testing.assert_allclose(got.numpy(), np.array(expected), atol=1e-7)


def test_audio_batches_pad_and_errors(wav_tree):
    ds = audio_dataset_from_directory(wav_tree, batch_size=2, seed=1, label_mode="binary",
                                      verbose=False)
    x, y = next(iter(ds))
    assert x.dtype == torch.float32 and x.dim() == 3 and y.shape == (2, 1)
    with pytest.raises(ValueError, match="sampling_rate"):
        list(audio_dataset_from_directory(wav_tree, sampling_rate=16000, verbose=False))
    with pytest.raises(ValueError, match="ragged"):
        audio_dataset_from_directory(wav_tree, ragged=True)
