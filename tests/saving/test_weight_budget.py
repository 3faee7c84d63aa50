"""Configs from outside cannot make the loader allocate more than their source justifies."""
import json
import os
import time
import zipfile

import numpy as np
import pytest

import torchkeras as tk
from torchkeras.saving import weight_budget


def _rss() -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    raise AssertionError("no VmRSS line")


def _small_model():
    inp = tk.Input((4,))
    return tk.Model(inp, tk.layers.Dense(3, name="head")(tk.layers.Dense(3, name="body")(inp)))


def _rewrite(path, out, edit):
    with zipfile.ZipFile(path) as z:
        members = {k: z.read(k) for k in z.namelist()}
    config = json.loads(members["config.json"])
    edit(config)
    members["config.json"] = json.dumps(config).encode()
    with zipfile.ZipFile(out, "w") as z:
        for k, v in members.items():
            z.writestr(k, v)
    return out


def _huge_units(units):
    def edit(config):
        for entry in config["config"]["layers"]:
            if entry["class_name"] == "Dense":
                entry["config"]["units"] = units
    return edit


@pytest.mark.parametrize("units", [10 ** 9, 10 ** 12])
def test_kilobyte_archive_declaring_huge_layers_is_refused_fast(tmp_path, units):
    good = str(tmp_path / "m.keras")
    _small_model().save(good)
    bad = _rewrite(good, str(tmp_path / "bad.keras"), _huge_units(units))
    assert os.path.getsize(bad) < 8 * 1024
    tk.models.load_model(good)      # warm up imports so RSS measures the refusal only
    before, start = _rss(), time.perf_counter()
    with pytest.raises(ValueError) as info:
        tk.models.load_model(bad)
    elapsed, grown = time.perf_counter() - start, _rss() - before
    assert elapsed < 1.0
    assert grown < 50 * 2 ** 20
    msg = str(info.value)
    assert "'body'" in msg and "(Dense)" in msg
    assert "weights take %s bytes" % format(20 * units, ",") in msg   # (4 x units + units) x 4
    assert "model.safetensors" in msg


def test_sequential_folder_archive_is_measured_too(tmp_path):
    model = tk.Sequential([tk.Input((4,)), tk.layers.Dense(2, name="d")])
    folder = str(tmp_path / "folder")
    model.save(folder, zipped=False)
    with open(os.path.join(folder, "config.json")) as f:
        config = json.load(f)
    config["config"]["layers"][-1]["config"]["units"] = 10 ** 9
    with open(os.path.join(folder, "config.json"), "w") as f:
        json.dump(config, f)
    with pytest.raises(ValueError, match="layer 'd' \\(Dense\\)"):
        tk.models.load_model(folder)


def test_honest_archive_loads_and_measuring_draws_no_random_numbers(tmp_path):
    import torch
    model = _small_model()
    path = str(tmp_path / "m.keras")
    model.save(path)
    loaded = tk.models.load_model(path)
    assert all(w.device.type != "meta" for w in loaded.weights)
    for a, b in zip(model.get_weights(), loaded.get_weights()):
        assert (a == b).all()
    text = model.to_json()
    torch.manual_seed(3)
    tk.models.model_from_json(text, max_weight_bytes=None)        # no meta pass
    expected = torch.rand(3)
    torch.manual_seed(3)
    tk.models.model_from_json(text)                                # meta pass first
    assert torch.equal(torch.rand(3), expected)


def test_model_from_json_has_a_ceiling_that_a_keyword_raises():
    model = _small_model()
    text = model.to_json()
    big = json.loads(text)
    _huge_units(10 ** 9)(big)
    start = time.perf_counter()
    with pytest.raises(ValueError, match="max_weight_bytes"):
        tk.models.model_from_json(json.dumps(big))
    assert time.perf_counter() - start < 1.0
    # body takes 60 bytes, head 48: head is the layer that crosses 80.
    with pytest.raises(ValueError, match="'head' \\(Dense\\).*48 bytes.*108 bytes.*80 bytes"):
        tk.models.model_from_json(text, max_weight_bytes=80)
    assert tk.models.model_from_json(text, max_weight_bytes=108).count_params() == 27
    assert tk.models.model_from_json(text, max_weight_bytes=None).count_params() == 27
    with pytest.raises(ValueError, match="max_weight_bytes"):
        tk.models.model_from_json(text, max_weight_bytes=-1)
    assert weight_budget.DEFAULT_MAX_WEIGHT_BYTES == 1 << 32


def test_config_naming_a_non_layer_class_is_a_clear_error(tmp_path):
    tensorboard = {"module": "keras.callbacks", "class_name": "TensorBoard",
                   "config": {"log_dir": str(tmp_path / "logs")}, "registered_name": None}
    with pytest.raises(ValueError, match="'TensorBoard', which is not a Layer"):
        tk.models.model_from_json(json.dumps(tensorboard))
    good = str(tmp_path / "m.keras")
    _small_model().save(good)

    def as_tensorboard(config):
        config.update(tensorboard)
    with pytest.raises(ValueError, match="'TensorBoard', which is not a Layer"):
        tk.models.load_model(_rewrite(good, str(tmp_path / "tb.keras"), as_tensorboard))

    def layer_as_tensorboard(config):
        config["config"]["layers"][1].update(tensorboard)
    with pytest.raises(ValueError, match="Layer 'body' of model .*'TensorBoard'"):
        tk.models.load_model(_rewrite(good, str(tmp_path / "tb2.keras"), layer_as_tensorboard))
    assert not os.path.exists(tmp_path / "logs")       # refused before it was built


@tk.saving.register_keras_serializable(package="budget_test")
class ReadsItsWeights(tk.layers.Layer):
    """Reads a weight's value while building: cannot be built on the meta device."""

    def __init__(self, units=2, **kwargs):
        super().__init__(**kwargs)
        self.units = units

    def build(self, input_shape):
        self.w = self.add_weight(shape=(input_shape[-1], self.units), initializer="ones")
        self.scale = float(self.w.sum().item())

    def call(self, x):
        return x @ self.w / self.scale

    def get_config(self):
        return {**super().get_config(), "units": self.units}


def test_layer_that_cannot_build_on_meta_still_loads_and_is_still_counted(tmp_path):
    inp = tk.Input((3,))
    model = tk.Model(inp, ReadsItsWeights(2, name="reader")(inp))
    path = str(tmp_path / "r.keras")
    model.save(path)
    loaded = tk.models.load_model(path)
    x = np.ones((1, 3), "float32")
    np.testing.assert_allclose(loaded.predict(x, verbose=0), model.predict(x, verbose=0))
    with pytest.raises(ValueError, match="layer 'reader' \\(ReadsItsWeights\\).*24 bytes"):
        tk.models.model_from_json(model.to_json(), max_weight_bytes=20)
