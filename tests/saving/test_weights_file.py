"""save_weights / load_weights: formats, exact round trips, mismatches, atomic writes."""
import os

import numpy as np
import pytest
import torch

import torchkeras as tk
from torchkeras.saving import file_utils, load_weights, save_weights
from torchkeras.saving.weight_paths import weight_slots


def make_mlp(name_a=None, name_b=None, units=3):
    inp = tk.Input((5,))
    h = tk.layers.Dense(4, activation="relu", name=name_a)(inp)
    out = tk.layers.Dense(units, name=name_b)(h)
    return tk.Model(inp, out)


def snapshot(model):
    return [p.detach().clone() for p in model.parameters()]


def same(a, b):
    return len(a) == len(b) and all(torch.equal(x, y) for x, y in zip(a, b))


X = np.random.RandomState(1).rand(7, 5).astype("float32")


@pytest.mark.parametrize("fname", ["w.safetensors", "w.weights.safetensors", "w.weights.h5",
                                   "w.h5", "w.ckpt"])
def test_round_trip_is_bit_exact(tmp_path, fname):
    model = make_mlp()
    path = str(tmp_path / fname)
    model.save_weights(path)
    other = make_mlp()
    assert not np.array_equal(other.predict(X, verbose=0), model.predict(X, verbose=0))
    other.load_weights(path)
    assert np.array_equal(other.predict(X, verbose=0), model.predict(X, verbose=0))
    assert same(snapshot(other), snapshot(model))


def test_format_is_chosen_by_the_path(tmp_path):
    model = make_mlp()
    model.save_weights(str(tmp_path / "a.weights.h5"))
    model.save_weights(str(tmp_path / "a.safetensors"))
    assert open(tmp_path / "a.weights.h5", "rb").read(8) == b"\x89HDF\r\n\x1a\n"
    from safetensors import safe_open
    with safe_open(str(tmp_path / "a.safetensors"), "pt") as f:
        keys = sorted(f.keys())
        meta = f.metadata()
    assert keys == ["layers/dense/bias", "layers/dense/kernel", "layers/dense_1/bias",
                    "layers/dense_1/kernel"]
    assert meta["layout"] == "keras"


def test_values_are_stored_in_keras_layout(tmp_path):
    model = make_mlp()
    path = str(tmp_path / "a.safetensors")
    model.save_weights(path)
    from safetensors.torch import load_file
    stored = load_file(path)
    kernel = model.layers[1].get_weights()[0]
    assert stored["layers/dense/kernel"].shape == (5, 4)
    assert np.array_equal(stored["layers/dense/kernel"].numpy(), kernel)


def test_keys_do_not_depend_on_automatic_layer_names(tmp_path):
    # A second model in the same process gets names dense_2, dense_3: files still match.
    first = make_mlp()
    second = make_mlp()
    assert [l.name for l in first.layers] != [l.name for l in second.layers]
    assert [s.key for s in weight_slots(first)] == [s.key for s in weight_slots(second)]
    path = str(tmp_path / "w.safetensors")
    first.save_weights(path)
    second.load_weights(path)
    assert same(snapshot(first), snapshot(second))


def test_missing_file_is_a_clear_error(tmp_path):
    model = make_mlp()
    before = snapshot(model)
    for name in ("nope.safetensors", "nope.weights.h5"):
        with pytest.raises(FileNotFoundError, match="nope"):
            model.load_weights(str(tmp_path / name))
    assert same(before, snapshot(model))


@pytest.mark.parametrize("fname", ["w.safetensors", "w.weights.h5"])
def test_different_architecture_names_first_mismatch_and_changes_nothing(tmp_path, fname):
    path = str(tmp_path / fname)
    make_mlp(units=3).save_weights(path)
    model = make_mlp(units=2)
    before = snapshot(model)
    with pytest.raises(ValueError, match=r"layers/dense_1/(kernel|vars/0)") as err:
        model.load_weights(path)
    assert "(4, 2)" in str(err.value) and "(4, 3)" in str(err.value)
    assert "no weight was changed" in str(err.value)
    assert same(before, snapshot(model))


@pytest.mark.parametrize("fname", ["w.safetensors", "w.weights.h5"])
def test_extra_and_missing_layers_are_errors(tmp_path, fname):
    path = str(tmp_path / fname)
    inp = tk.Input((5,))
    bigger = tk.Model(inp, tk.layers.Dense(3)(tk.layers.Dense(4)(tk.layers.Dense(5)(inp))))
    bigger.save_weights(path)
    model = make_mlp()
    before = snapshot(model)
    with pytest.raises(ValueError, match="dense"):
        model.load_weights(path)
    assert same(before, snapshot(model))
    small_path = str(tmp_path / ("small_" + fname))
    inp = tk.Input((5,))
    tk.Model(inp, tk.layers.Dense(4)(inp)).save_weights(small_path)
    with pytest.raises(ValueError, match="missing"):
        model.load_weights(small_path)
    assert same(before, snapshot(model))


def test_skip_mismatch_loads_what_matches(tmp_path):
    path = str(tmp_path / "w.safetensors")
    source = make_mlp(units=3)
    source.save_weights(path)
    model = make_mlp(units=2)
    last_before = snapshot(model.layers[2])
    with pytest.warns(UserWarning, match="dense_1"):
        model.load_weights(path, skip_mismatch=True)
    assert np.array_equal(model.layers[1].get_weights()[0], source.layers[1].get_weights()[0])
    assert same(last_before, snapshot(model.layers[2]))


@pytest.mark.parametrize("fname", ["w.safetensors", "w.weights.h5"])
def test_truncated_and_random_bytes_give_clean_errors(tmp_path, fname):
    path = str(tmp_path / fname)
    make_mlp().save_weights(path)
    data = open(path, "rb").read()
    model = make_mlp()
    before = snapshot(model)
    rng = np.random.RandomState(0)
    corrupt = [data[:n] for n in (0, 5, 8, 40, len(data) // 2, len(data) - 1)]
    corrupt += [rng.bytes(len(data)), rng.bytes(17)]
    for blob in corrupt:
        with open(path, "wb") as f:
            f.write(blob)
        with pytest.raises(ValueError):
            model.load_weights(path)
        assert same(before, snapshot(model))


def test_corrupted_values_region_is_detected_or_loaded_consistently(tmp_path):
    # Flipping bytes inside the header must fail cleanly, never crash.
    path = str(tmp_path / "w.safetensors")
    make_mlp().save_weights(path)
    data = bytearray(open(path, "rb").read())
    data[12:20] = b"\xff" * 8
    open(path, "wb").write(bytes(data))
    model = make_mlp()
    before = snapshot(model)
    with pytest.raises(ValueError):
        model.load_weights(path)
    assert same(before, snapshot(model))


def test_overwrite_false_refuses_existing_file(tmp_path):
    model = make_mlp()
    path = str(tmp_path / "w.safetensors")
    model.save_weights(path)
    original = open(path, "rb").read()
    with pytest.raises(FileExistsError):
        make_mlp().save_weights(path, overwrite=False)
    assert open(path, "rb").read() == original
    model.save_weights(str(tmp_path / "new.safetensors"), overwrite=False)


def test_keras_extension_is_not_a_weights_name(tmp_path):
    with pytest.raises(ValueError, match="model.save"):
        make_mlp().save_weights(str(tmp_path / "w.keras"))
    assert not os.listdir(tmp_path)


def test_unbuilt_model_is_an_error(tmp_path):
    model = tk.Sequential([tk.layers.Dense(2)])
    with pytest.raises(ValueError, match="not yet been built"):
        model.save_weights(str(tmp_path / "w.safetensors"))


@pytest.mark.parametrize("fname", ["w.safetensors", "w.weights.h5"])
def test_crash_mid_write_keeps_previous_file_and_leaves_no_temp(tmp_path, fname, monkeypatch):
    path = str(tmp_path / fname)
    model = make_mlp()
    model.save_weights(path)
    original = open(path, "rb").read()

    def boom(_path):
        raise RuntimeError("simulated crash after the data was written")
    monkeypatch.setattr(file_utils, "_fsync", boom)
    with pytest.raises(RuntimeError, match="simulated crash"):
        make_mlp().save_weights(path)
    assert open(path, "rb").read() == original
    assert sorted(os.listdir(tmp_path)) == [fname]


def test_h5_write_failure_half_way(tmp_path, monkeypatch):
    import torchkeras.saving.weights_file as wf
    path = str(tmp_path / "w.weights.h5")
    make_mlp().save_weights(path)
    original = open(path, "rb").read()
    real = wf.write_h5

    def partial(target, groups, variables):
        real(target, groups, dict(list(variables.items())[:1]))
        raise OSError("disk full")
    monkeypatch.setattr(wf, "write_h5", partial)
    with pytest.raises(OSError, match="disk full"):
        make_mlp().save_weights(path)
    assert open(path, "rb").read() == original
    assert os.listdir(tmp_path) == ["w.weights.h5"]


def test_h5_needs_h5py_with_a_clear_message(tmp_path, monkeypatch):
    import builtins
    real_import = builtins.__import__

    def fake_import(name, *args, **kwargs):
        if name == "h5py":
            raise ImportError("No module named 'h5py'")
        return real_import(name, *args, **kwargs)
    monkeypatch.setattr(builtins, "__import__", fake_import)
    with pytest.raises(ImportError, match="h5py"):
        make_mlp().save_weights(str(tmp_path / "w.weights.h5"))
    assert not os.listdir(tmp_path)


def test_subclassed_model_paths_follow_attributes(tmp_path):
    class Net(tk.Model):
        def __init__(self):
            super().__init__()
            self.encoder = tk.layers.Dense(3)
            self.head = tk.layers.Dense(1)

        def call(self, x):
            return self.head(self.encoder(x))

    net = Net()
    net(torch.zeros(2, 4))
    keys = [s.key for s in weight_slots(net)]
    assert keys == ["encoder/kernel", "encoder/bias", "head/kernel", "head/bias"]
    path = str(tmp_path / "net.weights.h5")
    save_weights(net, path)
    other = Net()
    other(torch.zeros(2, 4))
    load_weights(other, path)
    x = torch.randn(3, 4)
    assert torch.equal(other(x), net(x))


def test_non_trainable_and_int_weights_round_trip(tmp_path):
    class Counter(tk.layers.Layer):
        def build(self, shape):
            self.w = self.add_weight(shape=(shape[-1],), name="w")
            self.steps = self.add_weight(shape=(), dtype="int64", trainable=False,
                                         initializer="zeros", name="steps")

        def call(self, x):
            return x * self.w

    inp = tk.Input((3,))
    model = tk.Model(inp, Counter()(inp))
    model.layers[1].steps.assign(41)
    for fname in ("c.safetensors", "c.weights.h5"):
        model.save_weights(str(tmp_path / fname))
        inp = tk.Input((3,))
        other = tk.Model(inp, Counter()(inp))
        other.load_weights(str(tmp_path / fname))
        assert int(other.layers[1].steps) == 41
        assert other.layers[1].steps.dtype == torch.int64
        assert torch.equal(other.layers[1].w, model.layers[1].w)


def test_bfloat16_weights_round_trip(tmp_path):
    inp = tk.Input((5,))
    model = tk.Model(inp, tk.layers.Dense(3, dtype="bfloat16")(inp))
    for fname in ("b.safetensors", "b.weights.h5"):
        path = str(tmp_path / fname)
        model.save_weights(path)
        inp = tk.Input((5,))
        other = tk.Model(inp, tk.layers.Dense(3, dtype="bfloat16")(inp))
        other.load_weights(path)
        assert same(snapshot(other), snapshot(model))
        assert other.layers[1].weight.dtype == torch.bfloat16


def test_h5_soft_and_external_links_are_refused(tmp_path):
    import h5py
    path = str(tmp_path / "w.weights.h5")
    make_mlp().save_weights(path)
    with h5py.File(path, "a") as f:
        del f["layers/dense/vars/0"]
        f["layers/dense/vars/0"] = h5py.ExternalLink(str(tmp_path / "other.h5"), "/x")
    model = make_mlp()
    before = snapshot(model)
    with pytest.raises(ValueError, match="ExternalLink"):
        model.load_weights(path)
    assert same(before, snapshot(model))
