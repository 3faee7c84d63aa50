"""CSVLogger, TerminateOnNaN, LambdaCallback and the cost model of batch hooks."""
import csv

import numpy as np
import pytest
import torch

import torchkeras as tk
from torchkeras.callbacks.callback_list import CallbackList

# ---------------------------------------------------------------------------------- CSVLogger


@pytest.mark.keras_oracle
@pytest.mark.parametrize("append", [False, True])
@pytest.mark.parametrize("logs", [
    [{"loss": 0.5, "acc": 0.25}, {"loss": 0.25, "acc": 0.5}],
    [{"loss": 0.5, "val_loss": 0.75}, {"loss": 0.25, "val_loss": 0.625}],
])
def test_csv_matches_keras(keras, h, tmp_path, append, logs):
    texts = []
    for module in (tk, keras):
        path = tmp_path / ("%s.csv" % module.__name__)
        if append:
            path.write_text("epoch;loss\n0;9\n")
        for _ in range(2):   # a second fit appends (or overwrites)
            cb = module.callbacks.CSVLogger(str(path), separator=";", append=append)
            h.drive_epochs(cb, logs, h.FakeModel())
        texts.append(path.read_text())
    assert texts[0] == texts[1]


def test_csv_in_fit(h, regression_data, tmp_path):
    x, y = regression_data
    model = h.linear_model()
    path = tmp_path / "log.csv"
    hist = model.fit(x, y, epochs=3, batch_size=64, validation_split=0.25, verbose=0,
                     callbacks=[tk.callbacks.CSVLogger(path)])
    rows = list(csv.DictReader(path.open()))
    assert [int(r["epoch"]) for r in rows] == [0, 1, 2]
    assert [float(r["val_loss"]) for r in rows] == pytest.approx(hist.history["val_loss"])
    assert list(rows[0]) == ["epoch", "loss", "val_loss"]

# ---------------------------------------------------------------------------- TerminateOnNaN


def nan_after(step):
    """Targets that turn to inf at sample `step * 16`: the loss explodes there."""
    rng = np.random.default_rng(0)
    x = rng.normal(size=(128, 6)).astype("float32")
    y = rng.normal(size=(128, 1)).astype("float32")
    y[step * 16:] = np.inf
    return x, y


def test_terminate_on_nan_stops_at_the_bad_batch(h, capsys):
    x, y = nan_after(3)
    model = h.linear_model()
    steps = []
    hist = model.fit(x, y, epochs=5, batch_size=16, shuffle=False, verbose=0,
                     callbacks=[tk.callbacks.TerminateOnNaN(),
                                tk.callbacks.LambdaCallback(
                                    on_train_batch_end=lambda b, logs: steps.append(b))])
    # On CUDA the flag is read one batch late (no host sync per step): one more batch runs.
    lag = [4] if next(model.parameters()).is_cuda else []
    assert steps == [0, 1, 2, 3] + lag and len(hist.history["loss"]) == 1
    assert not np.isfinite(hist.history["loss"][0])
    assert "Batch 3: Invalid loss, terminating training" in capsys.readouterr().out


def test_terminate_on_nan_can_raise(h):
    x, y = nan_after(2)
    with pytest.raises(RuntimeError, match="NaN or Inf loss encountered at batch 2"):
        h.linear_model().fit(x, y, epochs=1, batch_size=16, shuffle=False, verbose=0,
                             callbacks=[tk.callbacks.TerminateOnNaN(raise_error=True)])


def test_terminate_on_nan_leaves_finite_runs_alone(h, regression_data):
    x, y = regression_data
    hist = h.linear_model().fit(x, y, epochs=3, batch_size=32, verbose=0,
                                callbacks=[tk.callbacks.TerminateOnNaN()])
    assert len(hist.history["loss"]) == 3

# ---------------------------------------------------------------------------- LambdaCallback


def test_lambda_callback_hooks(h, regression_data):
    x, y = regression_data
    events = []
    cb = tk.callbacks.LambdaCallback(
        on_train_begin=lambda logs: events.append("train_begin"),
        on_epoch_begin=lambda epoch, logs: events.append(("epoch_begin", epoch)),
        on_train_batch_end=lambda batch, logs: events.append(("batch", batch,
                                                              type(logs["loss"]))),
        on_epoch_end=lambda epoch, logs: events.append(("epoch_end", epoch, sorted(logs))),
        on_train_end=lambda logs: events.append("train_end"),
        on_test_end=lambda logs: events.append(("test_end", sorted(logs))),
        note="kept")
    assert cb.note == "kept"
    h.linear_model().fit(x, y, epochs=2, batch_size=64, validation_split=0.5, verbose=0,
                         callbacks=[cb])
    assert events == ["train_begin", ("epoch_begin", 0), ("batch", 0, float),
                      ("test_end", ["loss"]), ("epoch_end", 0, ["loss", "val_loss"]),
                      ("epoch_begin", 1), ("batch", 0, float), ("test_end", ["loss"]),
                      ("epoch_end", 1, ["loss", "val_loss"]), "train_end"]
    with pytest.raises(ValueError, match="must be callable"):
        tk.callbacks.LambdaCallback(on_epoch_end=3)


class CountingMaterialize:
    """Counts how often CallbackList turns device logs into floats."""

    def __init__(self, monkeypatch):
        import torchkeras.callbacks.callback_list as cl
        self.calls = 0
        original = cl.materialize

        def counted(logs):
            self.calls += 1
            return original(logs)
        monkeypatch.setattr(cl, "materialize", counted)


def test_batch_logs_materialised_only_for_readers(h, monkeypatch):
    counter = CountingMaterialize(monkeypatch)
    logs = {"loss": torch.tensor(1.5)}
    epoch_only = tk.callbacks.LambdaCallback(on_epoch_end=lambda e, l: None)
    cbs = CallbackList([epoch_only], model=None)
    assert not cbs.has_batch_hooks("train")
    got = []
    reader = tk.callbacks.LambdaCallback(on_train_batch_end=lambda b, l: got.append(l))
    cbs = CallbackList([epoch_only, reader], model=None)
    assert cbs.has_batch_hooks("train") and not cbs.has_batch_hooks("test")
    cbs.on_train_batch_end(0, logs)
    assert counter.calls == 1 and got == [{"loss": 1.5}]
    # lazy readers alone never force the sync
    for cls in (tk.callbacks.TensorBoard, tk.callbacks.BackupAndRestore,
                tk.callbacks.ModelCheckpoint, tk.callbacks.TerminateOnNaN):
        cbs = CallbackList([cls.__new__(cls)])
        cbs.callbacks[0].__dict__["on_train_batch_end"] = lambda b, logs: got.append(logs)
        cbs._refresh_hooks()
        cbs.on_train_batch_end(1, logs)
        assert got[-1] is logs and counter.calls == 1
    legacy = tk.callbacks.LambdaCallback(
        on_batch_end=lambda b, logs: got.append(("legacy", logs)))
    cbs = CallbackList([legacy])
    cbs.on_train_batch_end(4, logs)
    assert got[-1] == ("legacy", {"loss": 1.5})
