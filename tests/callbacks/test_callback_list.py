"""CallbackList: what each hook receives, checked against real Keras 3."""
import numpy as np
import pytest
import torch

import torchkeras as tk

_HOOKS = ["on_train_begin", "on_train_end", "on_epoch_begin", "on_epoch_end", "on_test_begin",
          "on_test_end", "on_predict_begin", "on_predict_end", "on_train_batch_begin",
          "on_train_batch_end", "on_test_batch_begin", "on_test_batch_end",
          "on_predict_batch_begin", "on_predict_batch_end"]


def _recorder(k):
    """A callback class that records (hook, keys of logs or None) for every hook."""
    record = []

    def make(hook):
        if "batch" in hook or "epoch" in hook:
            def f(self, i, logs=None):
                record.append((hook, None if logs is None else list(logs)))
        else:
            def f(self, logs=None):
                record.append((hook, None if logs is None else list(logs)))
        return f
    cls = type("Rec", (k.callbacks.Callback,), {h: make(h) for h in _HOOKS})
    return cls, record


def _run(k):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(20, 4)).astype("float32")
    y = rng.integers(0, 3, size=20)
    m = k.Sequential([k.Input((4,)), k.layers.Dense(3, activation="softmax")])
    m.compile("adam", "sparse_categorical_crossentropy",
              metrics=["accuracy", k.metrics.SparseTopKCategoricalAccuracy(k=2, name="top2")])
    cls, record = _recorder(k)
    h = m.fit(x, y, batch_size=10, epochs=1, validation_data=(x, y), callbacks=[cls()],
              verbose=0)
    m.evaluate(x, y, batch_size=10, callbacks=[cls()], verbose=0)
    m.predict(x, batch_size=10, callbacks=[cls()], verbose=0)
    return record, list(h.history)


@pytest.mark.keras_oracle
def test_every_hook_gets_the_logs_keras_gives(keras):
    got, got_keys = _run(tk)
    want, want_keys = _run(keras)
    assert got == want
    assert got_keys == want_keys == ["accuracy", "loss", "top2", "val_accuracy", "val_loss",
                                     "val_top2"]


def test_begin_hooks_get_an_empty_dict_not_none():
    record = []

    class Rec(tk.callbacks.Callback):
        def on_train_begin(self, logs=None):
            record.append(logs)

        def on_epoch_begin(self, epoch, logs=None):
            record.append(logs)

        def on_predict_end(self, logs=None):
            record.append(logs)
    m = tk.Sequential([tk.Input((2,)), tk.layers.Dense(1)])
    m.compile("sgd", "mse")
    x = np.zeros((4, 2), "float32")
    m.fit(x, np.zeros((4, 1), "float32"), verbose=0, callbacks=[Rec()])
    m.predict(x, verbose=0, callbacks=[Rec()])
    assert record == [{}, {}, {}]


class _NestedLogsModel(tk.Model):
    """A custom train_step returning compile_metrics' nested dict (the Keras guide's way)."""

    def train_step(self, data):
        x, y = data
        y_pred = self(x, training=True)
        loss = self.compute_loss(x=x, y=y, y_pred=y_pred)
        self.optimizer.zero_grad()
        loss.backward()
        self.optimizer.step()
        for metric in self.metrics:
            if metric.name == "loss":
                metric.update_state(loss)
            else:
                metric.update_state(y, y_pred)
        return {m.name: m.result() for m in self.metrics}


def test_nested_logs_are_flattened_for_progress_bar_and_history(capsys):
    inputs = tk.Input((3,))
    m = _NestedLogsModel(inputs, tk.layers.Dense(1)(inputs))
    m.compile("sgd", "mse", metrics=["mae"])
    x, y = np.ones((8, 3), "float32"), np.ones((8, 1), "float32")
    seen = []
    cb = tk.callbacks.LambdaCallback(on_train_batch_end=lambda b, logs: seen.append(logs))
    h = m.fit(x, y, batch_size=4, epochs=2, verbose=1, callbacks=[cb], validation_data=(x, y))
    out = capsys.readouterr().out
    assert "mae:" in out and "loss:" in out
    # Keras 3 (same program): the nested compile_metrics dict is opened where it stands
    # in the sorted outer keys, so "mae" comes first; val_* come from evaluate's dict.
    assert list(h.history) == ["mae", "loss", "val_loss", "val_mae"]
    assert all(list(logs) == ["mae", "loss"] for logs in seen)
    assert all(isinstance(v, float) for logs in seen for v in logs.values())
    # the last evaluate left its values in the metrics
    assert h.history["val_mae"][1] == pytest.approx(float(m.metrics[1].result()["mae"]))


def test_history_is_listed_before_progbar_and_sees_logs_added_by_callbacks():
    class AddLR(tk.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            logs["learning_rate"] = 0.5
    m = tk.Sequential([tk.Input((2,)), tk.layers.Dense(1)])
    m.compile("sgd", "mse")
    h = m.fit(np.zeros((4, 2), "float32"), np.zeros((4, 1), "float32"), verbose=0,
              callbacks=[AddLR()])
    assert h.history["learning_rate"] == [0.5]
    cbs = tk.callbacks.CallbackList([AddLR()], add_history=True, add_progbar=True)
    assert [type(c).__name__ for c in cbs] == ["AddLR", "History", "ProgbarLogger"]


def test_batch_logs_stay_on_device_for_lazy_readers(monkeypatch):
    """No per-step host sync: only callbacks that read batch logs pay for them."""
    from torchkeras.callbacks import callback_list as cl
    calls = []
    original = cl.materialize
    monkeypatch.setattr(cl, "materialize", lambda logs: calls.append(1) or original(logs))
    m = tk.Sequential([tk.Input((2,)), tk.layers.Dense(1)])
    m.compile("sgd", "mse")
    m.fit(torch.zeros(40, 2), torch.zeros(40, 1), batch_size=4, epochs=1, verbose=0)
    # 10 steps: only the begin/end events (train, epoch) are materialised, never a batch.
    assert len(calls) == 4
