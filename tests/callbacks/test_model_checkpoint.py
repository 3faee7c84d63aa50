"""ModelCheckpoint: file names and save decisions against Keras, files written and read back."""
import os

import numpy as np
import pytest

import torchkeras as tk


class Recorder:
    """Fake model recording what a checkpoint callback saves."""

    def __init__(self):
        self.stop_training = False
        self.optimizer = None
        self.metrics = []
        self.saved = []

    def save(self, filepath, overwrite=True):
        self.saved.append(("model", os.path.basename(filepath)))

    def save_weights(self, filepath, overwrite=True):
        self.saved.append(("weights", os.path.basename(filepath)))


VAL = [0.9, 0.7, 0.8, 0.65, 0.65, 0.4, 0.45]


def run_sequence(cb, model, steps=4):
    cb.set_model(model)
    cb.set_params({"epochs": len(VAL), "steps": steps, "verbose": 0})
    cb.on_train_begin()
    for epoch, v in enumerate(VAL):
        cb.on_epoch_begin(epoch)
        for batch in range(steps):
            cb.on_train_batch_end(batch, {"loss": v + batch / 10.0})
        cb.on_epoch_end(epoch, {"loss": v + 0.05, "val_loss": v})
    cb.on_train_end()
    return model.saved


@pytest.mark.keras_oracle
@pytest.mark.parametrize("name, kwargs", [
    ("ckpt-{epoch:02d}-{val_loss:.2f}.keras", dict(save_best_only=True)),
    ("every-{epoch}.keras", dict()),
    ("best.weights.h5", dict(save_best_only=True, save_weights_only=True)),
    ("b-{epoch}-{batch}-{loss:.1f}.keras", dict(save_freq=3)),
    # Keras needs the comparison set up before a batch-level best-only save: mode given
    ("b-{epoch}-{batch}.keras", dict(save_freq=2, save_best_only=True, monitor="loss",
                                     mode="min")),
    ("t-{epoch}.keras", dict(save_best_only=True, initial_value_threshold=0.66)),
    ("m-{epoch}.keras", dict(save_best_only=True, mode="max", min_delta=0.01)),
])
def test_saves_match_keras(keras, tmp_path, name, kwargs):
    path = str(tmp_path / name)
    min_delta = kwargs.pop("min_delta", None)
    ours = tk.callbacks.ModelCheckpoint(path, **kwargs)
    ref = keras.callbacks.ModelCheckpoint(path, **kwargs)
    if min_delta is not None:
        ours.min_delta = ref.min_delta = min_delta
    if kwargs.get("save_freq", "epoch") != "epoch":
        ours._set_monitor_op()
        ref._set_monitor_op()
    assert run_sequence(ours, Recorder()) == run_sequence(ref, Recorder())


def data():
    rng = np.random.default_rng(7)
    x = rng.normal(size=(256, 6)).astype("float32")
    y = (x @ rng.normal(size=(6, 1))).astype("float32")
    return x, y


def test_best_only_files_and_contents(h, tmp_path):
    x, y = data()
    model = h.linear_model(0.01)
    # validation target 0.5*y: val_loss first falls, then rises
    template = str(tmp_path / "ckpt" / "{epoch:02d}-{val_loss:.4f}.keras")
    best_model = tk.callbacks.ModelCheckpoint(template, save_best_only=True, verbose=1)
    best_weights = tk.callbacks.ModelCheckpoint(str(tmp_path / "best.weights.safetensors"),
                                                save_best_only=True, save_weights_only=True)
    hist = model.fit(x, y, epochs=8, batch_size=32, validation_data=(x, 0.5 * y), verbose=0,
                     callbacks=[best_model, best_weights])
    vl = hist.history["val_loss"]
    expected, best = set(), np.inf
    for epoch, v in enumerate(vl):
        if v < best:
            best = v
            expected.add("%02d-%.4f.keras" % (epoch + 1, v))
    assert 1 < len(expected) < 8
    assert set(os.listdir(tmp_path / "ckpt")) == expected
    fresh = h.linear_model(0.01)
    fresh.load_weights(str(tmp_path / "best.weights.safetensors"))
    assert fresh.evaluate(x, 0.5 * y, batch_size=256, verbose=0) == pytest.approx(min(vl), rel=1e-5)
    last = sorted(expected)[-1]
    loaded = tk.models.load_model(str(tmp_path / "ckpt" / last))
    assert loaded.evaluate(x, 0.5 * y, batch_size=256, verbose=0) == pytest.approx(min(vl), rel=1e-5)


@pytest.mark.parametrize("name", ["w.weights.h5", "w.safetensors"])
def test_every_epoch_weights_formats(h, tmp_path, name):
    x, y = data()
    model = h.linear_model()
    path = str(tmp_path / name)
    model.fit(x, y, epochs=2, batch_size=64, verbose=0,
              callbacks=[tk.callbacks.ModelCheckpoint(path, save_weights_only=True)])
    fresh = h.linear_model()
    fresh.load_weights(path)
    for a, b in zip(fresh.get_weights(), model.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_batch_level_saving(h, tmp_path):
    x, y = data()
    model = h.linear_model()
    cb = tk.callbacks.ModelCheckpoint(str(tmp_path / "e{epoch}-b{batch}.weights.h5"),
                                      save_weights_only=True, save_freq=3)
    model.fit(x, y, epochs=2, batch_size=64, verbose=0, callbacks=[cb])   # 4 steps/epoch
    assert sorted(os.listdir(tmp_path)) == ["e1-b3.weights.h5", "e2-b2.weights.h5"]


def test_rejects_bad_names_and_freq(tmp_path):
    with pytest.raises(ValueError, match="must end in `.weights.h5`"):
        tk.callbacks.ModelCheckpoint(str(tmp_path / "a.keras"), save_weights_only=True)
    with pytest.raises(ValueError, match="must end in `.keras`"):
        tk.callbacks.ModelCheckpoint(str(tmp_path / "a.safetensors"))
    with pytest.raises(ValueError, match="Unrecognized save_freq"):
        tk.callbacks.ModelCheckpoint(str(tmp_path / "a.keras"), save_freq="often")
    with pytest.raises(KeyError, match="Failed to format this callback filepath"):
        cb = tk.callbacks.ModelCheckpoint(str(tmp_path / "{nope}.keras"))
        cb._get_file_path(0, None, {"loss": 1.0})


def test_missing_monitor_warns_and_saves(h, tmp_path):
    x, y = data()
    model = h.linear_model()
    cb = tk.callbacks.ModelCheckpoint(str(tmp_path / "m.keras"), save_best_only=True)
    with pytest.warns(UserWarning, match="Can save best model only with val_loss available."):
        model.fit(x, y, epochs=1, batch_size=64, verbose=0, callbacks=[cb])
    assert os.path.exists(tmp_path / "m.keras")
