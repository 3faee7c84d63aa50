"""Hashing, lookup and discretization outputs equal Keras 3's id for id.

Keras runs these layers through TensorFlow, so its outputs were recorded once by
``fixtures/record_keras_preprocessing.py`` (see its docstring) into a small JSON file.
"""
import json
import os

import numpy as np
import pytest

import torchkeras as tk

FIXTURES = os.path.join(os.path.dirname(__file__), "fixtures", "keras_preprocessing.json")
with open(FIXTURES, encoding="utf-8") as _f:
    CASES = json.load(_f)["cases"]


def _id(case):
    return "%s-%s" % (case["layer"], json.dumps(case["kwargs"], sort_keys=True)[:60])


@pytest.mark.parametrize("case", CASES, ids=[_id(c) for c in CASES])
def test_matches_keras(case):
    kwargs = {k: tuple(v) if k == "ngrams" and isinstance(v, list) else v
              for k, v in case["kwargs"].items()}
    layer = getattr(tk.layers, case["layer"])(**kwargs)
    if case["adapt"] is not None:
        layer.adapt(np.array(case["adapt"]))
    out = layer(np.array(case["input"]))
    got = out.cpu().numpy() if hasattr(out, "cpu") else np.asarray(out)
    want = np.array(case["output"])
    assert got.shape == want.shape
    if case["dtype"].startswith("int"):
        np.testing.assert_array_equal(got, want)
    else:
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)
    if "vocabulary" in case:
        assert layer.get_vocabulary() == case["vocabulary"]
    if "bin_boundaries" in case:
        np.testing.assert_allclose(layer.bin_boundaries, case["bin_boundaries"], rtol=1e-6)


with open(FIXTURES, encoding="utf-8") as _f:
    CROSSING = json.load(_f)["crossing"]


@pytest.mark.parametrize("case", CROSSING, ids=lambda c: "%d-%s" % (c["num_bins"],
                                                                      c["output_mode"]))
def test_hashed_crossing_matches_keras(case):
    layer = tk.layers.HashedCrossing(case["num_bins"], output_mode=case["output_mode"])
    out = layer(tuple(np.array(f) for f in case["features"]))
    np.testing.assert_array_equal(out.cpu().numpy(), np.array(case["output"]))


def test_hashed_crossing_errors_and_config():
    layer = tk.layers.HashedCrossing(3)
    assert tk.layers.HashedCrossing.from_config(layer.get_config()).num_bins == 3
    with pytest.raises(ValueError, match="at least two"):
        layer((np.array([["a"]]),))
    with pytest.raises(ValueError, match="equal shape"):
        layer((np.array([["a"]]), np.array([["a"], ["b"]])))
    with pytest.raises(ValueError, match="output_mode"):
        tk.layers.HashedCrossing(3, output_mode="multi_hot")
