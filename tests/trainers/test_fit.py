"""fit / evaluate / predict: arguments, history, validation, weights, input kinds."""
import numpy as np
import pytest
import torch

import torchkeras as tk
from torchkeras import layers


def data(n=256, d=4, seed=0):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, size=n)
    x = (rng.normal(size=(n, d)) + 2.0 * (2 * y[:, None] - 1)).astype("float32")
    return x, y


def clf(d=4, out=2, act="softmax"):
    return tk.Sequential([tk.Input((d,)), layers.Dense(8, activation="relu"),
                          layers.Dense(out, activation=act)])


def compiled(**kw):
    m = clf()
    m.compile(optimizer=tk.optimizers.Adam(0.01), loss="sparse_categorical_crossentropy",
              metrics=["accuracy"], **kw)
    return m


def test_history_contract():
    x, y = data()
    m = compiled()
    h = m.fit(x, y, epochs=3, batch_size=32, validation_data=(x[:50], y[:50]), verbose=0)
    assert set(h.history) == {"loss", "accuracy", "val_loss", "val_accuracy"}
    assert h.epoch == [0, 1, 2] and h.params["epochs"] == 3 and h.params["steps"] == 8
    assert all(isinstance(v, float) for v in h.history["loss"])
    assert m.history is h
    assert h.history["accuracy"][-1] > 0.9


def test_validation_split_takes_last_samples_and_freq():
    x, y = data(200)
    y_bad = y.copy()
    y_bad[-40:] = 1 - y_bad[-40:]
    m = compiled()
    h = m.fit(x, y_bad, epochs=6, batch_size=32, validation_split=0.2, validation_freq=3,
              verbose=0).history
    assert len(h["val_loss"]) == 2
    assert h["val_accuracy"][-1] < 0.2


def test_evaluate_forms_and_predict():
    x, y = data()
    m = compiled()
    m.fit(x, y, epochs=2, verbose=0)
    res = m.evaluate(x, y, batch_size=64, return_dict=True, verbose=0)
    lst = m.evaluate(x, y, batch_size=64, verbose=0)
    assert list(res) == ["accuracy", "loss"] and lst == pytest.approx([res["loss"], res["accuracy"]])
    p = m.predict(x, verbose=0)
    assert isinstance(p, np.ndarray) and p.shape == (256, 2)
    np.testing.assert_allclose(m.predict(x, batch_size=7, verbose=0), p, rtol=1e-5, atol=1e-6)
    assert res["accuracy"] == pytest.approx(np.mean(p.argmax(1) == y), abs=1e-6)
    assert m.metrics_names == ["loss", "compile_metrics"]   # as Keras 3


def test_initial_epoch_and_steps_per_epoch():
    x, y = data()
    m = compiled()
    h = m.fit(x, y, epochs=5, initial_epoch=3, verbose=0)
    assert h.epoch == [3, 4]
    h = m.fit(x, y, epochs=2, steps_per_epoch=3, batch_size=16, verbose=0)
    assert h.params["steps"] == 3


def test_sample_weight_and_class_weight_change_the_loss():
    x, y = data(64)
    m = compiled()
    base = m.evaluate(x, y, batch_size=64, verbose=0)[0]
    sw = np.where(y == 1, 2.0, 0.0).astype("float32")
    weighted = m.evaluate(x, y, sample_weight=sw, batch_size=64, verbose=0)[0]
    pred = m.predict(x, verbose=0)
    per = -np.log(np.clip(pred[np.arange(64), y], 1e-7, 1))
    assert weighted == pytest.approx((per * sw).sum() / 64, rel=1e-4)
    assert base == pytest.approx(per.mean(), rel=1e-4)
    w0 = [w.copy() for w in m.get_weights()]
    m.fit(x, y, class_weight={0: 0.0, 1: 0.0}, epochs=1, batch_size=64, verbose=0)
    for a, b in zip(m.get_weights(), w0):   # zero class weights: zero gradients
        np.testing.assert_allclose(a, b, atol=1e-6)


def test_bad_input_errors_before_state_changes():
    x, y = data(32)
    m = clf()
    with pytest.raises(RuntimeError, match="compile"):
        m.fit(x, y, verbose=0)
    with pytest.raises(ValueError):
        m.compile(optimizer="nope", loss="mse")
    with pytest.raises(ValueError):
        m.compile(optimizer="adam", loss="nope")
    with pytest.raises(ValueError):
        m.compile(optimizer="adam", loss="mse", metrics=["nope"])
    m = compiled()
    w0 = m.get_weights()
    with pytest.raises(ValueError, match="cardinality|samples"):
        m.fit(x, y[:-1], verbose=0)
    with pytest.raises(ValueError, match="validation_split"):
        m.fit(x, y, validation_split=1.5, verbose=0)
    with pytest.raises(ValueError, match="batch_size"):
        m.fit(x, y, batch_size=0, verbose=0)
    with pytest.raises(ValueError, match="epochs"):
        m.fit(x, y, epochs=-1, verbose=0)
    with pytest.raises(ValueError, match="sample_weight"):
        m.fit(x, y, sample_weight=np.ones(3), verbose=0)
    with pytest.raises(ValueError, match="last dimension"):
        m.fit(np.ones((8, 5), "float32"), y[:8], verbose=0)
    for a, b in zip(m.get_weights(), w0):
        np.testing.assert_array_equal(a, b)


def test_nan_loss_does_not_crash():
    x, y = data(32)
    m = tk.Sequential([tk.Input((4,)), layers.Dense(1)])
    m.compile(optimizer=tk.optimizers.SGD(1e30), loss="mse")
    h = m.fit(x * 1e20, y.astype("float32"), epochs=2, verbose=0)
    assert len(h.history["loss"]) == 2


def test_input_kinds_give_the_same_training():
    x, y = data(64)

    def run(make_input, **kw):
        tk.config.set_random_seed(3)
        m = compiled()
        m.fit(make_input(), epochs=1, shuffle=False, verbose=0, **kw)
        return m.get_weights()
    ref = run(lambda: x, y=y, batch_size=16)
    xt, yt = torch.as_tensor(x), torch.as_tensor(y)
    ds = torch.utils.data.TensorDataset(xt, yt)

    class Batches(tk.utils.PyDataset):
        def __len__(self):
            return 4

        def __getitem__(self, i):
            return x[i * 16:(i + 1) * 16], y[i * 16:(i + 1) * 16]

    def gen():
        for i in range(4):
            yield x[i * 16:(i + 1) * 16], y[i * 16:(i + 1) * 16]
    for make, kw in [(lambda: xt, {"y": yt, "batch_size": 16}),
                     (lambda: torch.utils.data.DataLoader(ds, batch_size=16), {}),
                     (lambda: ds, {"batch_size": 16}),
                     (Batches, {}),
                     (gen, {"steps_per_epoch": 4})]:
        got = run(make, **kw)
        for a, b in zip(got, ref):
            np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


def test_train_test_predict_on_batch():
    x, y = data(32)
    m = compiled()
    loss, acc = m.train_on_batch(x, y)
    assert np.isfinite(loss) and 0 <= acc <= 1
    d = m.test_on_batch(x, y, return_dict=True)
    assert set(d) == {"loss", "accuracy"}
    assert m.predict_on_batch(x).shape == (32, 2)


def test_verbose_modes_print(capsys):
    x, y = data(64)
    m = compiled()
    m.fit(x, y, epochs=2, verbose=2)
    out = capsys.readouterr().out
    assert "Epoch 1/2" in out and "loss:" in out and "accuracy:" in out
    m.fit(x, y, epochs=1, verbose=0)
    assert capsys.readouterr().out == ""
    m.fit(x, y, epochs=1, verbose=1)
    assert "2/2" in capsys.readouterr().out


def test_stop_training_from_callback():
    x, y = data(64)
    m = compiled()

    class Stop(tk.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            assert isinstance(logs["loss"], float)
            if batch == 1:
                self.model.stop_training = True
    h = m.fit(x, y, epochs=5, batch_size=8, callbacks=[Stop()], verbose=0)
    assert len(h.history["loss"]) == 1


def test_labels_out_of_range_is_a_clear_error():
    x, y = data(32)
    m = compiled()
    w0 = m.get_weights()
    # The first batch's labels are checked before any kernel sees them (on CUDA the
    # kernel's device-side assert would end the process's CUDA context).
    with pytest.raises(ValueError, match=r"labels must be integers in \[0, 2\); found label [56]"):
        m.fit(x, y + 5, verbose=0)
    for a, b in zip(m.get_weights(), w0):
        np.testing.assert_array_equal(a, b)
    with pytest.raises(ValueError, match="found label -[12]"):
        m.evaluate(x, y - 2, verbose=0)
    with pytest.raises(ValueError, match="found label"):
        m.train_on_batch(x, y + 5)
    for a, b in zip(m.get_weights(), w0):
        np.testing.assert_array_equal(a, b)
    # Good labels after a bad call train normally.
    assert np.isfinite(m.fit(x, y, verbose=0).history["loss"][0])


def test_py_dataset_epoch_hooks_and_ema_finalized():
    x, y = data(64)
    calls = []

    class Batches(tk.utils.PyDataset):
        def __len__(self):
            return 2

        def __getitem__(self, i):
            return x[i * 32:(i + 1) * 32], y[i * 32:(i + 1) * 32]

        def on_epoch_begin(self):
            calls.append("begin")

        def on_epoch_end(self):
            calls.append("end")

    m = clf()
    m.compile(optimizer=tk.optimizers.SGD(0.1, use_ema=True, ema_momentum=0.5),
              loss="sparse_categorical_crossentropy")
    m.fit(Batches(), epochs=2, verbose=0)
    assert calls == ["begin", "end", "begin", "end"]
    averages = [a.detach().cpu().numpy()
                for a in m.optimizer._model_variables_moving_average]
    for w, a in zip(m.get_weights()[:1], averages[:1]):   # EMA weights copied in at the end
        np.testing.assert_allclose(w, a.T if w.shape != a.shape else a, rtol=1e-6)


class _Standardized(tk.Model):
    def __init__(self):
        super().__init__()
        self.norm = layers.Normalization(mean=0.5, variance=4.0)
        self.dense = layers.Dense(3)

    def call(self, x):
        return self.dense(self.norm(x))


def test_weights_are_built_where_the_data_goes():
    # "meta" stands in for a GPU: a device other than the one numpy data starts on.
    tk.config.set_device("meta")
    try:
        m = _Standardized()
        m._ensure_built_for(np.zeros((8, 4), "float32"))   # what fit() does first
        assert {t.device.type for t in [*m.parameters(), *m.buffers()]} == {"meta"}
        # Called on a CPU tensor, a subclassed model builds every sublayer on the CPU.
        m = _Standardized()
        out = m(torch.zeros(2, 4))
        assert out.device.type == "cpu"
        assert {t.device.type for t in [*m.parameters(), *m.buffers()]} == {"cpu"}
    finally:
        tk.config.set_device(None)
