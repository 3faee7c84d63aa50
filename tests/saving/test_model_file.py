"""model.save / load_model: one .keras archive with config, weights and optimizer state."""
import json
import os
import zipfile

import numpy as np
import pytest
import torch

import torchkeras as tk
from torchkeras.saving import file_utils, load_model, save_model

RNG = np.random.RandomState(5)
X = RNG.normal(size=(48, 6)).astype("float32")
Y = np.concatenate([np.sin(X[:, :1]), X[:, 1:2] * 0.5], axis=1).astype("float32")


def functional(name="net"):
    inp = tk.Input((6,), name="features")
    h = tk.layers.Dense(8, activation="relu", name="hidden")(inp)
    return tk.Model(inp, tk.layers.Dense(2, name="out")(h), name=name)


def sequential():
    return tk.Sequential([tk.Input((6,)), tk.layers.Dense(5, activation="tanh"),
                          tk.layers.Dense(2)], name="seq")


def trained(builder, optimizer=None):
    model = builder()
    model.compile(optimizer=optimizer or tk.optimizers.Adam(0.02), loss="mse", metrics=["mae"])
    model.fit(X, Y, epochs=2, batch_size=16, verbose=0)
    return model


def assert_same_weights(a, b):
    wa, wb = a.get_weights(), b.get_weights()
    assert len(wa) == len(wb)
    for x, y in zip(wa, wb):
        assert np.array_equal(x, y)


def test_archive_members_and_metadata(tmp_path):
    model = trained(functional)
    path = str(tmp_path / "m.keras")
    model.save(path)
    with zipfile.ZipFile(path) as zf:
        names = sorted(zf.namelist())
        meta = json.loads(zf.read("metadata.json"))
        config = json.loads(zf.read("config.json"))
    assert names == ["config.json", "metadata.json", "model.safetensors",
                     "optimizer.safetensors"]
    assert meta["library"] == "torchkeras"
    assert meta["torchkeras_version"] == tk.__version__
    assert meta["torch_version"] == torch.__version__
    assert "date_saved" in meta and "keras_version" in meta
    assert config["class_name"] == "Functional"
    assert config["compile_config"]["loss"] == "mse"
    assert config["compile_config"]["optimizer"]["class_name"] == "Adam"


@pytest.mark.parametrize("builder", [functional, sequential], ids=["functional", "sequential"])
def test_round_trip_predicts_identically_and_keeps_training_identically(tmp_path, builder):
    model = trained(builder)
    path = str(tmp_path / "m.keras")
    model.save(path)
    loaded = tk.models.load_model(path)
    assert type(loaded) is type(model)
    assert [l.name for l in loaded.layers] == [l.name for l in model.layers]
    assert np.array_equal(loaded.predict(X, verbose=0), model.predict(X, verbose=0))
    assert_same_weights(loaded, model)
    assert type(loaded.optimizer).__name__ == "Adam"
    assert float(loaded.optimizer.learning_rate) == pytest.approx(0.02)
    assert int(loaded.optimizer.iterations) == int(model.optimizer.iterations) == 6
    np.testing.assert_allclose(loaded.evaluate(X, Y, batch_size=48, verbose=0),
                               model.evaluate(X, Y, batch_size=48, verbose=0), rtol=1e-6)
    for _ in range(2):
        model.fit(X, Y, epochs=1, batch_size=48, shuffle=False, verbose=0)
        loaded.fit(X, Y, epochs=1, batch_size=48, shuffle=False, verbose=0)
        assert_same_weights(loaded, model)


@pytest.mark.parametrize("opt", ["sgd", "rmsprop", "adamw", "adagrad"])
def test_optimizer_slots_restore_for_other_optimizers(tmp_path, opt):
    model = trained(functional, optimizer=tk.optimizers.get(opt))
    path = str(tmp_path / "m.keras")
    model.save(path)
    loaded = load_model(path)
    model.fit(X, Y, epochs=1, batch_size=48, shuffle=False, verbose=0)
    loaded.fit(X, Y, epochs=1, batch_size=48, shuffle=False, verbose=0)
    assert_same_weights(loaded, model)


def test_compile_false_skips_compile_and_optimizer(tmp_path):
    model = trained(functional)
    path = str(tmp_path / "m.keras")
    model.save(path)
    loaded = load_model(path, compile=False)
    assert not loaded.compiled and loaded.optimizer is None
    assert np.array_equal(loaded.predict(X, verbose=0), model.predict(X, verbose=0))


def test_uncompiled_and_untrained_models(tmp_path):
    model = functional()
    path = str(tmp_path / "m.keras")
    save_model(model, path)
    with zipfile.ZipFile(path) as zf:
        assert "optimizer.safetensors" not in zf.namelist()
    loaded = load_model(path)
    assert not loaded.compiled
    assert np.array_equal(loaded.predict(X, verbose=0), model.predict(X, verbose=0))
    compiled = functional()
    compiled.compile(optimizer="adam", loss="mse")
    compiled.save(path)
    again = load_model(path)
    assert again.compiled and int(again.optimizer.iterations) == 0
    again.fit(X, Y, epochs=1, batch_size=48, verbose=0)


@tk.saving.register_keras_serializable(package="tests_saving")
class Scale(tk.layers.Layer):
    def __init__(self, init_value=1.0, **kwargs):
        super().__init__(**kwargs)
        self.init_value = init_value

    def build(self, input_shape):
        self.s = self.add_weight(shape=(input_shape[-1],), name="s",
                                 initializer=tk.initializers.Constant(self.init_value))

    def call(self, x):
        return x * self.s

    def get_config(self):
        return {**super().get_config(), "init_value": self.init_value}


class Unregistered(Scale):
    pass


def test_registered_and_custom_objects(tmp_path):
    inp = tk.Input((6,))
    model = tk.Model(inp, Unregistered(0.5, name="u")(Scale(2.0, name="s")(inp)))
    path = str(tmp_path / "m.keras")
    model.save(path)
    with pytest.raises(ValueError, match="Unregistered"):
        load_model(path)
    loaded = load_model(path, custom_objects={"Unregistered": Unregistered})
    assert isinstance(loaded.get_layer("s"), Scale)
    assert loaded.get_layer("u").init_value == 0.5
    with tk.saving.CustomObjectScope({"Unregistered": Unregistered}):
        scoped = load_model(path)
    assert np.array_equal(scoped.predict(X, verbose=0), model.predict(X, verbose=0))


def test_unknown_class_is_a_clear_error_and_nothing_is_imported(tmp_path):
    model = functional()
    path = str(tmp_path / "m.keras")
    model.save(path)
    with zipfile.ZipFile(path) as zf:
        members = {n: zf.read(n) for n in zf.namelist()}
    config = json.loads(members["config.json"])
    config["config"]["layers"][1]["module"] = "tests_saving_never_imported_module"
    config["config"]["layers"][1]["class_name"] = "EvilLayer"
    members["config.json"] = json.dumps(config).encode()
    with zipfile.ZipFile(path, "w") as zf:
        for n, data in members.items():
            zf.writestr(n, data)
    import sys
    with pytest.raises(ValueError, match="EvilLayer"):
        load_model(path)
    assert "tests_saving_never_imported_module" not in sys.modules


def test_lambda_needs_safe_mode_off(tmp_path):
    if not hasattr(tk.layers, "Lambda"):
        pytest.skip("no Lambda layer")
    inp = tk.Input((6,))
    model = tk.Model(inp, tk.layers.Lambda(lambda t: t * 3.0)(inp))
    path = str(tmp_path / "m.keras")
    model.save(path)
    with pytest.raises(ValueError, match="safe_mode"):
        load_model(path)
    loaded = load_model(path, safe_mode=False)
    assert np.array_equal(loaded.predict(X, verbose=0), X * 3.0)


def test_extension_overwrite_and_folder_mode(tmp_path):
    model = functional()
    # (".h5" is Keras's legacy HDF5 format, see test_legacy_h5.py.)
    with pytest.raises(ValueError, match=".keras"):
        model.save(str(tmp_path / "m.pt"))
    path = str(tmp_path / "m.keras")
    model.save(path)
    original = open(path, "rb").read()
    with pytest.raises(FileExistsError):
        functional().save(path, overwrite=False)
    assert open(path, "rb").read() == original
    folder = str(tmp_path / "unzipped")
    model.save(folder, zipped=False)
    assert sorted(os.listdir(folder)) == ["config.json", "metadata.json", "model.safetensors"]
    assert np.array_equal(load_model(folder).predict(X, verbose=0), model.predict(X, verbose=0))
    with pytest.raises(ValueError, match="zipped=False"):
        model.save(str(tmp_path / "x.keras"), zipped=False)


def test_load_weights_from_a_model_archive(tmp_path):
    model = trained(functional)
    path = str(tmp_path / "m.keras")
    model.save(path)
    other = functional()
    other.load_weights(path)
    assert_same_weights(other, model)


def test_crash_mid_write_keeps_previous_archive(tmp_path, monkeypatch):
    path = str(tmp_path / "m.keras")
    functional().save(path)
    original = open(path, "rb").read()
    real = zipfile.ZipFile.writestr
    calls = []

    def failing(self, name, data, *args, **kwargs):
        calls.append(name)
        if len(calls) == 3:
            raise OSError("simulated crash while writing %s" % name)
        return real(self, name, data, *args, **kwargs)
    monkeypatch.setattr(zipfile.ZipFile, "writestr", failing)
    with pytest.raises(OSError, match="simulated crash"):
        trained(functional).save(path)
    assert open(path, "rb").read() == original
    assert os.listdir(tmp_path) == ["m.keras"]
    monkeypatch.undo()
    assert load_model(path) is not None


def test_unserializable_config_fails_before_writing(tmp_path):
    class Odd(tk.layers.Layer):
        def get_config(self):
            return {**super().get_config(), "thing": object()}

        def call(self, x):
            return x
    inp = tk.Input((6,))
    model = tk.Model(inp, Odd()(inp))
    with pytest.raises(ValueError, match="JSON"):
        model.save(str(tmp_path / "m.keras"))
    assert not os.listdir(tmp_path)


class Vocab(tk.layers.Layer):
    """A layer with assets: a vocabulary file."""

    def __init__(self, words=None, **kwargs):
        super().__init__(**kwargs)
        self.words = list(words or [])

    def call(self, x):
        return x

    def save_assets(self, dir_path):
        with open(os.path.join(dir_path, "vocab.txt"), "w") as f:
            f.write("\n".join(self.words))

    def load_assets(self, dir_path):
        with open(os.path.join(dir_path, "vocab.txt")) as f:
            self.words = f.read().split("\n")


def test_assets_are_saved_and_restored(tmp_path):
    inp = tk.Input((6,))
    model = tk.Model(inp, Vocab(["a", "b", "c"], name="vocab")(inp))
    path = str(tmp_path / "m.keras")
    model.save(path)
    with zipfile.ZipFile(path) as zf:
        assert "assets/layers/vocab/vocab.txt" in zf.namelist()
    loaded = load_model(path, custom_objects={"Vocab": Vocab})
    assert loaded.get_layer("vocab").words == ["a", "b", "c"]


def test_file_utils_atomic_path_cleans_up(tmp_path):
    target = str(tmp_path / "f.bin")
    with pytest.raises(KeyError):
        with file_utils.atomic_path(target) as tmp:
            open(tmp, "wb").write(b"partial")
            raise KeyError("boom")
    assert not os.listdir(tmp_path)
    file_utils.write_bytes_atomic(target, b"done")
    assert open(target, "rb").read() == b"done"
    assert oct(os.stat(target).st_mode & 0o777) != oct(0o600)


@tk.saving.register_keras_serializable(package="test_build_config")
class _BuildWithInit(tk.layers.Layer):
    """Keras's customizing-saving guide: build() takes an extra argument, so reloading
    must go through get_build_config/build_from_config."""

    def __init__(self, units=4, **kwargs):
        super().__init__(**kwargs)
        self.units = units

    def build(self, input_shape, layer_init):
        self._shape = list(input_shape)
        self.layer_init = layer_init
        self.w = self.add_weight(shape=(input_shape[-1], self.units), initializer=layer_init)

    def call(self, x):
        return x @ self.w

    def get_config(self):
        return {**super().get_config(), "units": self.units}

    def get_build_config(self):
        return {"input_shape": self._shape, "layer_init": self.layer_init}

    def build_from_config(self, config):
        self.build(config["input_shape"], config["layer_init"])


@pytest.mark.parametrize("kind", ["sequential", "sequential_input", "functional"])
def test_custom_build_config_round_trip(tmp_path, kind):
    layer = _BuildWithInit(3)
    layer.build((None, 5), "random_normal")
    if kind == "sequential":
        model = tk.Sequential([layer])
    elif kind == "sequential_input":
        model = tk.Sequential([tk.Input((5,)), layer])
    else:
        x = tk.Input((5,))
        model = tk.Model(x, layer(x))
    data = np.random.rand(2, 5).astype("float32")
    path = str(tmp_path / "m.keras")
    model.save(path)
    loaded = tk.saving.load_model(path)
    inner = [l for l in loaded.layers if isinstance(l, _BuildWithInit)][0]
    assert inner.layer_init == "random_normal"
    np.testing.assert_allclose(loaded.predict(data, verbose=0), model.predict(data, verbose=0))


def test_build_from_config_shapes_dict():
    class Pair(tk.layers.Layer):
        def build(self, a_shape, b_shape):
            self.w = self.add_weight(shape=(a_shape[-1] + b_shape[-1],))

    layer = Pair()
    layer.build_from_config({"shapes_dict": {"a_shape": [None, 2], "b_shape": [None, 3]}})
    assert layer.built and tuple(layer.w.shape) == (5,)


@tk.saving.register_keras_serializable(package="test_nested_config")
class _HoldsLayers(tk.Model):
    """get_config returns layer objects; Keras serializes them inside the config."""

    def __init__(self, first_layer, second_layer=None, **kwargs):
        super().__init__(**kwargs)
        self.first_layer = first_layer
        self.second_layer = second_layer if second_layer is not None else tk.layers.Dense(3)

    def get_config(self):
        return {**super().get_config(), "first_layer": self.first_layer,
                "second_layer": self.second_layer}

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        for key in ("first_layer", "second_layer"):
            config[key] = tk.saving.deserialize_keras_object(config[key])
        return cls(**config)

    def call(self, x):
        return self.second_layer(self.first_layer(x))


def test_config_holding_layers_is_serialized_and_reloads(tmp_path):
    x = tk.Input((6,))
    model = tk.Model(x, _HoldsLayers(tk.layers.Dense(4, name="first"))(x))
    entry = tk.saving.serialize_keras_object(model.layers[1])
    assert entry["config"]["first_layer"]["class_name"] == "Dense"
    assert entry["config"]["first_layer"]["config"]["units"] == 4
    path = str(tmp_path / "nested.keras")
    model.save(path)
    loaded = tk.saving.load_model(path)
    data = np.random.rand(2, 6).astype("float32")
    np.testing.assert_allclose(loaded.predict(data, verbose=0), model.predict(data, verbose=0),
                               rtol=1e-6)
