"""FeatureSpace against Keras 3's outputs, recorded with TensorFlow, plus the guide's flow.

Keras runs FeatureSpace on tf.data only, so ``fixtures/record_keras_feature_space.py``
(see its docstring) recorded its outputs once into ``fixtures/keras_feature_space.json``.
"""
import json
import os

import numpy as np
import pytest
import torch

import torchkeras
from torchkeras.utils import FeatureSpace, PyDataset

FIXTURES = os.path.join(os.path.dirname(__file__), "fixtures", "keras_feature_space.json")
with open(FIXTURES, encoding="utf-8") as _f:
    CASES = json.load(_f)["cases"]


def _spec(name, spec):
    if isinstance(spec, str):
        return spec
    if spec["type"] == "feature":
        layer = getattr(torchkeras.layers, spec["layer"])(**spec["layer_kwargs"])
        return FeatureSpace.feature(spec["dtype"], layer, spec["output_mode"])
    return getattr(FeatureSpace, spec["type"])(name=name, **spec["kwargs"])


def _build(case):
    features = {**case["features"], **case.get("extra", {})}
    crosses = [tuple(c) if isinstance(c, list) else FeatureSpace.cross(**c)
               for c in case["crosses"]]
    return FeatureSpace({n: _spec(n, s) for n, s in features.items()}, crosses=crosses,
                        output_mode=case["output_mode"], **case.get("kwargs", {}))


def _check(got, want):
    if "shape" not in want:
        assert list(got) == list(want)      # same keys, same (sorted) order
        for k in want:
            _check(got[k], want[k])
        return
    arr = got.detach().cpu().numpy()
    assert list(arr.shape) == want["shape"]
    # Keras's Discretization gives int32 ids; torchkeras's layer gives int64 (its own choice).
    assert arr.dtype.kind == np.dtype(want["dtype"]).kind
    if want["dtype"] != "int32":
        assert str(arr.dtype) == want["dtype"]
    np.testing.assert_allclose(arr, np.array(want["values"]), rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("case", CASES, ids=[str(i) for i in range(len(CASES))])
def test_matches_keras_recorded_outputs(case):
    fs = _build(case)
    fs.adapt(case["adapt"])
    _check(fs(case["query"]), case["output"])
    _check(fs({n: v[1] for n, v in case["query"].items()}), case["single"])
    for name, state in case["state"].items():
        layer = fs.preprocessors[name]
        if "vocabulary" in state:
            assert layer.get_vocabulary() == state["vocabulary"]
        if "mean" in state:
            np.testing.assert_allclose(np.ravel(layer.mean.cpu()), state["mean"], rtol=1e-5)
            np.testing.assert_allclose(np.ravel(layer.variance.cpu()), state["variance"],
                                       rtol=1e-4)
        if "bin_boundaries" in state:
            np.testing.assert_allclose(layer.bin_boundaries, state["bin_boundaries"], rtol=1e-6)
    config = fs.get_config()
    for name, want in case["config_summary"].items():
        feature = config["features"][name]["config"]
        cls = feature["preprocessor"]["class_name"]
        assert (cls, feature["dtype"], feature["output_mode"]) == (
            want["class_name"].replace("TFDIdentity", "Identity"), want["dtype"],
            want["output_mode"])
    assert [c["config"] for c in config["crosses"]] == [
        {**c, "feature_names": tuple(c["feature_names"])} for c in case["crosses_config"]]


DATA = CASES[1]["adapt"]
CASE = CASES[1]


def _reference():
    fs = _build(CASE)
    fs.adapt(CASE["adapt"])
    return fs(CASE["query"])


class _Rows(torch.utils.data.Dataset):
    def __init__(self, data, labels=None):
        self.data, self.labels = data, labels

    def __len__(self):
        return len(self.data["age"])

    def __getitem__(self, i):
        return ({k: v[i] for k, v in self.data.items()},
                0.0 if self.labels is None else self.labels[i])


class _Batches(PyDataset):
    def __init__(self, data):
        super().__init__()
        self.data = data

    def __len__(self):
        return 3

    def __getitem__(self, i):
        return {k: np.array(v[8 * i:8 * i + 8]) for k, v in self.data.items()}


def test_adapt_accepts_what_fit_accepts():
    want = _reference().numpy()
    data = {k: DATA[k.rstrip("2")] for k in [*CASE["features"]]}
    rows = [{k: v[i] for k, v in data.items()} for i in range(len(data["age"]))]
    sources = {
        "dataloader": torch.utils.data.DataLoader(_Rows(data), batch_size=5),
        "generator": ({k: np.array(v[i:i + 7]) for k, v in data.items()}
                      for i in range(0, 24, 7)),
        "unbatched rows": rows,
        "tensors": {k: torch.tensor(v) if not isinstance(v[0], str) else v
                    for k, v in data.items()},
        "pydataset": _Batches(data),
    }
    for label, source in sources.items():
        fs = _build(CASE)
        fs.adapt(source)
        np.testing.assert_allclose(fs(CASE["query"]).numpy(), want, rtol=1e-5, atol=1e-5,
                                   err_msg=label)


def test_call_accepts_batches_of_every_kind():
    fs = _build(CASE)
    fs.adapt(CASE["adapt"])
    want = fs(CASE["query"]).numpy()
    as_columns = {k: np.array(v).reshape(-1, 1) for k, v in CASE["query"].items()}
    as_tensors = {k: (v if isinstance(v[0], str) else torch.tensor(v))
                  for k, v in CASE["query"].items()}
    for data in (as_columns, as_tensors):
        np.testing.assert_allclose(fs(data).numpy(), want, rtol=1e-6)
    assert fs.get_inputs()["age"].shape == (None, 1)
    assert tuple(fs.get_encoded_features().shape) == (None, 62)


def _table(n=64, seed=0):
    rng = np.random.default_rng(seed)
    x = {"age": rng.normal(40, 10, n).astype("float32"),
         "city": rng.choice(["a", "b", "c"], n), "pclass": rng.integers(1, 4, n)}
    y = ((x["age"] > 40) ^ (x["city"] == "a")).astype("float32").reshape(-1, 1)
    return x, y


def test_structured_data_guide_flow(tmp_path):
    # keras.io "Structured data classification with FeatureSpace", on torch.
    x, y = _table()
    fs = FeatureSpace({"age": "float_normalized", "city": "string_categorical",
                       "pclass": "integer_categorical"}, crosses=[("city", "pclass")])
    fs.adapt(torch.utils.data.DataLoader(_Rows(x), batch_size=16))
    encoded = fs(x)
    assert tuple(encoded.shape) == (64, 1 + 4 + 4 + 32)
    dict_inputs = fs.get_inputs()
    features = fs.get_encoded_features()
    dense = torchkeras.layers.Dense(16, activation="relu")
    head = torchkeras.layers.Dense(1, activation="sigmoid")
    outputs = head(dense(features))
    # As the guide does: the training model starts at the encoded features.
    training_model = torchkeras.Model(inputs=features, outputs=outputs)
    training_model.compile(optimizer="adam", loss="binary_crossentropy",
                           metrics=["accuracy"])
    history = training_model.fit(encoded, y, batch_size=16, epochs=2, verbose=0)
    assert len(history.history["loss"]) == 2
    inference_model = torchkeras.Model(dict_inputs, outputs)
    raw = {k: v[:5] for k, v in x.items()}
    np.testing.assert_allclose(inference_model.predict(raw, verbose=0),
                               training_model.predict(fs(raw), verbose=0), rtol=1e-5,
                               atol=1e-6)
    # The end-to-end model also trains straight from the raw dict, or from a DataLoader
    # of rows (whose strings it collates into lists).
    inference_model.compile(optimizer="adam", loss="binary_crossentropy")
    inference_model.fit(x, y, batch_size=16, epochs=1, verbose=0)
    rows = torch.utils.data.DataLoader(_Rows(x, y), batch_size=16)
    history = inference_model.fit(rows, epochs=1, verbose=0)
    assert np.isfinite(history.history["loss"][0])
    assert inference_model.predict(rows, verbose=0).shape == (64, 1)
    # The end-to-end model (lookups, crossing and encoders inside) saves and reloads.
    inference_model.save(str(tmp_path / "inference.keras"))
    reloaded = torchkeras.models.load_model(str(tmp_path / "inference.keras"))
    np.testing.assert_allclose(reloaded.predict(raw, verbose=0),
                               inference_model.predict(raw, verbose=0), rtol=1e-6)


def test_adapt_again_rebuilds_the_one_hot_widths():
    fs = FeatureSpace({"c": "string_categorical"})
    fs.adapt({"c": ["a", "b"]})
    assert tuple(fs({"c": ["a"]}).shape) == (1, 3)
    fs.adapt({"c": ["a", "b", "c", "d"]})
    want = np.zeros((2, 5))
    want[0, fs.preprocessors["c"].get_vocabulary().index("d")] = want[1, 0] = 1
    np.testing.assert_array_equal(fs({"c": ["d", "q"]}).numpy(), want)


def test_config_round_trip_and_keras_file(tmp_path):
    fs = _build(CASES[3])
    config = fs.get_config()
    saved = json.loads(json.dumps(torchkeras.saving.serialize_keras_object(fs)))
    assert saved["module"] == "keras.utils" and saved["class_name"] == "FeatureSpace"
    clone = torchkeras.saving.deserialize_keras_object(saved)
    assert clone.get_config() == config
    fs.adapt(CASES[3]["adapt"])
    want = fs(CASES[3]["query"])
    path = str(tmp_path / "fs.keras")
    fs.save(path)
    loaded = torchkeras.models.load_model(path)
    assert isinstance(loaded, FeatureSpace)
    got = loaded(CASES[3]["query"])
    for k in want:
        np.testing.assert_array_equal(got[k].numpy(), want[k].numpy())
    assert loaded.preprocessors["city"].get_vocabulary() == \
        fs.preprocessors["city"].get_vocabulary()
    normalized = _build(CASES[4])
    normalized.adapt(CASES[4]["adapt"])
    normalized.save(str(tmp_path / "n.keras"))
    np.testing.assert_allclose(
        torchkeras.models.load_model(str(tmp_path / "n.keras"))(CASES[4]["query"]).numpy(),
        normalized(CASES[4]["query"]).numpy(), rtol=1e-6)


def test_custom_feature_and_preset_layers_need_no_adapt():
    fs = FeatureSpace({
        "n": FeatureSpace.feature("float32", torchkeras.layers.Normalization(
            mean=2.0, variance=4.0), "float"),
        "c": FeatureSpace.feature("string", torchkeras.layers.StringLookup(
            vocabulary=["x", "y"]), "one_hot"),
        "d": FeatureSpace.float_discretized(num_bins=3, bin_boundaries=[0.0, 1.0]),
    }, output_mode="dict")
    out = fs({"n": [4.0], "c": ["y"], "d": [0.5]})
    np.testing.assert_allclose(out["n"].numpy(), [[1.0]])
    np.testing.assert_array_equal(out["c"].numpy(), [[0, 0, 1]])
    np.testing.assert_array_equal(out["d"].numpy(), [[0, 1, 0]])


def test_errors():
    with pytest.raises(ValueError, match="empty"):
        FeatureSpace({})
    with pytest.raises(ValueError, match="output_mode"):
        FeatureSpace({"a": "float"}, output_mode="stack")
    with pytest.raises(ValueError, match="Invalid feature type"):
        FeatureSpace({"a": "floaty"})
    with pytest.raises(ValueError, match="unknown features"):
        FeatureSpace({"a": "float"}, crosses=[("a", "b")])
    with pytest.raises(ValueError, match="output_mode"):
        FeatureSpace.cross(("a", "b"), 4, output_mode="multi_hot")
    fs = FeatureSpace({"a": "float_normalized", "b": "string_categorical"})
    with pytest.raises(ValueError, match="adapt"):
        fs({"a": [1.0], "b": ["x"]})
    with pytest.raises(ValueError, match="adapt"):
        fs.adapt(np.zeros(3))
    with pytest.raises(ValueError, match="'b'"):
        fs.adapt([{"a": [1.0]}])
    fs.adapt({"a": [1.0, 2.0], "b": ["x", "y"]})
    with pytest.raises(ValueError, match="dict"):
        fs([1.0, 2.0])
    with pytest.raises(ValueError, match="missing"):
        fs({"a": [1.0]})
    ints = FeatureSpace({"b": FeatureSpace.string_categorical(output_mode="int")})
    with pytest.raises(ValueError, match="Cannot concatenate"):
        ints.adapt({"b": ["x"]})


def test_loads_a_featurespace_saved_by_keras():
    # Saved by Keras 3 (TensorFlow) from case 1: every feature type, two crosses.
    path = os.path.join(os.path.dirname(FIXTURES), "keras_feature_space.keras")
    fs = torchkeras.models.load_model(path)
    assert isinstance(fs, FeatureSpace)
    _check(fs(CASES[1]["query"]), CASES[1]["output"])
    assert fs.preprocessors["color"].get_vocabulary() == \
        CASES[1]["state"]["color"]["vocabulary"]
