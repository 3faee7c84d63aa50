"""StringLookup, IntegerLookup and Hashing beyond the recorded Keras outputs: errors,
inversion, vocabulary files, configs, saving with adapted vocabularies, and the hashes."""
import numpy as np
import pytest
import torch

import torchkeras as tk
from torchkeras import layers
from torchkeras.utils.hashing import fingerprint64, siphash24


def test_hashes_known_values():
    # Values TensorFlow's to_hash_bucket_fast / _strong give (recorded in the fixtures too).
    assert [fingerprint64(w) % 3 for w in (b"a", b"b", b"c")] == [0, 1, 1]
    assert [siphash24((133, 133), w) % 3 for w in (b"a", b"b")] == [0, 2]
    assert fingerprint64(b"") == 0x9AE16A3B2F90404F


def test_lookup_errors_name_the_problem():
    with pytest.raises(ValueError, match="repeated"):
        layers.StringLookup(vocabulary=["a", "a"])
    with pytest.raises(ValueError, match="max_tokens"):
        layers.StringLookup(max_tokens=1)
    with pytest.raises(ValueError, match="output_mode"):
        layers.StringLookup(output_mode="bogus")
    with pytest.raises(ValueError, match="invert"):
        layers.StringLookup(invert=True, output_mode="multi_hot")
    with pytest.raises(RuntimeError, match="vocabulary"):
        layers.StringLookup(output_mode="multi_hot")(np.array([["a"]]))
    with pytest.raises(ValueError, match="num_oov_indices=0"):
        layers.StringLookup(vocabulary=["a"], num_oov_indices=0)(np.array([["b"]]))
    fixed = layers.StringLookup(vocabulary=["a"])
    with pytest.raises(ValueError, match="static vocabulary"):
        fixed.adapt(np.array(["a", "b"]))
    assert fixed.get_vocabulary() == ["[UNK]", "a"]


def test_invert_round_trip_and_special_tokens():
    vocab = ["[UNK]", "a", "b", "c"]
    fwd = layers.StringLookup(vocabulary=vocab)
    assert fwd.get_vocabulary() == vocab          # leading special tokens are recognised
    ids = fwd(np.array([["a", "zz", "c"]]))
    back = layers.StringLookup(vocabulary=vocab, invert=True)(ids)
    assert back.tolist() == [["a", "[UNK]", "c"]]
    inv_int = layers.IntegerLookup(vocabulary=[7, 9], invert=True)(torch.tensor([[1, 2, 0]]))
    assert inv_int.tolist() == [[7, 9, -1]]


def test_vocabulary_file_needs_unsafe_mode(tmp_path):
    path = tmp_path / "vocab.txt"
    path.write_text("x\ny\n", encoding="utf-8")
    from torchkeras.saving.serialization import SafeModeScope
    with SafeModeScope(False):
        layer = layers.StringLookup(vocabulary=str(path))
    assert layer.get_vocabulary() == ["[UNK]", "x", "y"]
    assert layer(np.array(["y", "q"])).tolist() == [2, 0]


def test_adapted_lookup_saves_and_loads_with_the_model(tmp_path):
    lookup = layers.StringLookup(output_mode="multi_hot")
    lookup.adapt(np.array([["red", "green"], ["red", "blue"]]))
    inp = tk.Input((2,), dtype="string")
    model = tk.Model(inp, layers.Dense(1)(lookup(inp)))
    x = np.array([["red", "blue"], ["pink", "green"]])
    before = model(x).detach()
    model.save(tmp_path / "m.keras")
    loaded = tk.saving.load_model(tmp_path / "m.keras")
    assert loaded.layers[1].get_vocabulary() == lookup.get_vocabulary()
    torch.testing.assert_close(loaded(x), before)


def test_hashing_config_and_errors():
    layer = layers.Hashing(num_bins=8, salt=3, mask_value="")
    clone = layers.Hashing.from_config(layer.get_config())
    x = np.array([["a", "", "abc"]])
    assert torch.equal(clone(x), layer(x))
    assert layer(x)[0, 1].item() == 0
    with pytest.raises(ValueError, match="num_bins"):
        layers.Hashing(num_bins=0)
    with pytest.raises(ValueError, match="salt"):
        layers.Hashing(num_bins=3, salt="x")
    with pytest.raises(ValueError, match="output_mode"):
        layers.Hashing(num_bins=3, output_mode="tf_idf")
