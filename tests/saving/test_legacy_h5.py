"""Keras's legacy HDF5 model files: ours read by Keras, Keras's read by us."""
import sys

import numpy as np
import pytest

import torchkeras as tk

X = np.random.default_rng(0).normal(size=(8, 4)).astype("float32")
Y = np.random.default_rng(1).normal(size=(8, 3)).astype("float32")


def _sequential(lib):
    model = lib.Sequential([lib.Input((4,)), lib.layers.Dense(5, activation="relu"),
                            lib.layers.BatchNormalization(), lib.layers.Dense(3)])
    # "mse" would not do: Keras itself cannot read that name back from an .h5 file.
    model.compile(optimizer="adam", loss="mean_squared_error", metrics=["mae"])
    model.fit(X, Y, epochs=2, batch_size=4, verbose=0)
    return model


def _functional(lib):
    inp = lib.Input((4,), name="features")
    a = lib.layers.Dense(6, activation="tanh", name="a")(inp)
    b = lib.layers.Dense(6, name="b")(inp)
    out = lib.layers.Dense(3, name="out")(lib.layers.Concatenate()([a, b]))
    model = lib.Model(inp, out)
    model.compile(optimizer=lib.optimizers.SGD(0.05), loss="mean_absolute_error")
    model.fit(X, Y, epochs=1, verbose=0)
    return model


def _predict(model):
    return np.asarray(model.predict(X, verbose=0))


@pytest.mark.keras_oracle
@pytest.mark.parametrize("build", [_sequential, _functional])
def test_keras_reads_our_h5_model(keras, tmp_path, build):
    ours = build(tk)
    path = str(tmp_path / "ours.h5")
    with pytest.warns(UserWarning, match="HDF5 file"):
        ours.save(path)
    theirs = keras.saving.load_model(path)
    np.testing.assert_allclose(_predict(theirs), _predict(ours), rtol=1e-5, atol=1e-5)
    assert [l.name for l in theirs.layers] == [l.name for l in ours.layers]
    assert type(theirs.optimizer).__name__ == type(ours.optimizer).__name__
    theirs.fit(X, Y, epochs=1, verbose=0)


@pytest.mark.keras_oracle
@pytest.mark.parametrize("build", [_sequential, _functional])
def test_we_read_keras_h5_model(keras, tmp_path, build):
    theirs = build(keras)
    path = str(tmp_path / "theirs.h5")
    theirs.save(path)
    ours = tk.saving.load_model(path)
    np.testing.assert_allclose(_predict(ours), _predict(theirs), rtol=1e-5, atol=1e-5)
    assert [l.name for l in ours.layers] == [l.name for l in theirs.layers]
    assert ours.compiled and type(ours.optimizer).__name__ == type(theirs.optimizer).__name__
    hist = ours.fit(X, Y, epochs=1, verbose=0).history
    assert set(hist) == {"loss"} | ({"mae"} if build is _sequential else set())
    assert tk.saving.load_model(path, compile=False).compiled is False


@pytest.mark.keras_oracle
def test_legacy_weights_file_loads_by_layer_order(keras, tmp_path):
    # Keras's ImageNet application files use this layout: write one with Keras's writer.
    import h5py
    from keras.src.legacy.saving import legacy_h5_format
    theirs = _sequential(keras)
    path = str(tmp_path / "legacy_weights.h5")
    with h5py.File(path, "w") as f:
        legacy_h5_format.save_weights_to_hdf5_group(f, theirs)
    ours = _sequential(tk)
    ours.load_weights(path)
    np.testing.assert_allclose(_predict(ours), _predict(theirs), rtol=1e-5, atol=1e-5)


def test_mismatched_file_is_refused_before_any_change(tmp_path):
    small = _sequential(tk)
    path = str(tmp_path / "small.h5")
    with pytest.warns(UserWarning):
        small.save(path)
    other = tk.Sequential([tk.Input((4,)), tk.layers.Dense(5), tk.layers.Dense(3)])
    before = [w.copy() for w in other.get_weights()]
    with pytest.raises(ValueError, match="Layer count mismatch"):
        other.load_weights(path)
    wider = tk.Sequential([tk.Input((4,)), tk.layers.Dense(7, activation="relu"),
                           tk.layers.BatchNormalization(), tk.layers.Dense(3)])
    wider_before = [w.copy() for w in wider.get_weights()]
    with pytest.raises(ValueError, match="expects shape"):
        wider.load_weights(path)
    for w, b in zip(other.get_weights() + wider.get_weights(), before + wider_before):
        np.testing.assert_array_equal(w, b)
    restored = tk.saving.load_model(path)
    np.testing.assert_allclose(_predict(restored), _predict(small), rtol=1e-6, atol=1e-6)


def test_weights_only_h5_is_not_a_model(tmp_path):
    model = _sequential(tk)
    path = str(tmp_path / "w.weights.h5")
    model.save_weights(path)
    with pytest.raises(ValueError, match="(?i)model"):
        tk.saving.load_model(path)


def test_missing_h5py_is_a_clear_error(tmp_path, monkeypatch):
    model = _sequential(tk)
    monkeypatch.setitem(sys.modules, "h5py", None)
    with pytest.raises(ImportError, match="h5py"):
        model.save(str(tmp_path / "m.h5"))
