"""EarlyStopping: stop epochs against Keras, restored weights, baseline, warm-up, warnings."""
import numpy as np
import pytest

import torchkeras as tk

# val_loss sequences with plateaus, noise and a late improvement
SEQUENCES = [
    [1.0, 0.9, 0.95, 0.96, 0.97, 0.5, 0.6, 0.7, 0.8, 0.9],
    [1.0, 1.0, 1.0, 1.0, 1.0, 1.0],
    [0.5, 0.4, 0.399, 0.3985, 0.398, 0.1, 0.2, 0.3],
    [3.0, 2.0, 1.0, 0.5, 0.25, 0.125],
]


@pytest.mark.keras_oracle
@pytest.mark.parametrize("seq", SEQUENCES)
@pytest.mark.parametrize("kwargs", [
    dict(patience=0), dict(patience=2), dict(patience=1, min_delta=0.01),
    dict(patience=2, baseline=0.45), dict(patience=1, start_from_epoch=3),
    dict(patience=2, mode="max"),
])
def test_stop_epoch_and_state_match_keras(keras, h, seq, kwargs):
    logs = [{"loss": 1.0, "val_loss": v} for v in seq]
    ours = tk.callbacks.EarlyStopping(monitor="val_loss", **kwargs)
    ref = keras.callbacks.EarlyStopping(monitor="val_loss", **kwargs)
    ran_ours = h.drive_epochs(ours, logs, h.FakeModel())
    ran_ref = h.drive_epochs(ref, logs, h.FakeModel())
    assert ran_ours == ran_ref
    assert (ours.stopped_epoch, ours.wait, ours.best, ours.best_epoch) == \
        (ref.stopped_epoch, ref.wait, ref.best, ref.best_epoch)


def test_restore_best_weights_in_fit(h, regression_data):
    x, y = regression_data
    model = h.linear_model()
    per_epoch = []
    log = tk.callbacks.LambdaCallback(
        on_epoch_end=lambda epoch, logs: per_epoch.append(model.get_weights()))
    # the validation target is -y: every epoch that fits y scores worse, epoch 0 is best
    stop = tk.callbacks.EarlyStopping(patience=2, restore_best_weights=True, verbose=1)
    hist = model.fit(x, y, epochs=30, batch_size=32, validation_data=(x, -y),
                     callbacks=[stop, log], verbose=0)
    assert len(hist.history["loss"]) == 3 and stop.stopped_epoch == 2 and stop.best_epoch == 0
    for got, want in zip(model.get_weights(), per_epoch[0]):
        np.testing.assert_array_equal(got, want)
    # without restoring, the last epoch's weights stay
    model = h.linear_model()
    per_epoch.clear()
    log = tk.callbacks.LambdaCallback(
        on_epoch_end=lambda epoch, logs: per_epoch.append(model.get_weights()))
    model.fit(x, y, epochs=30, batch_size=32, validation_data=(x, -y),
              callbacks=[tk.callbacks.EarlyStopping(patience=1), log], verbose=0)
    assert len(per_epoch) == 2
    for got, want in zip(model.get_weights(), per_epoch[-1]):
        np.testing.assert_array_equal(got, want)


def test_mode_auto_reads_metric_direction(regression_data):
    x, _ = regression_data
    yc = (x[:, 0] > 0).astype("int64")
    model = tk.Sequential([tk.Input((6,)), tk.layers.Dense(2, activation="softmax")])
    model.compile(optimizer=tk.optimizers.Adam(0.05), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    stop = tk.callbacks.EarlyStopping(monitor="val_accuracy", patience=3)
    hist = model.fit(x, yc, epochs=60, batch_size=32, validation_data=(x, yc),
                     callbacks=[stop], verbose=0)
    acc = hist.history["val_accuracy"]
    assert len(acc) < 60 and len(acc) == int(np.argmax(acc)) + 4
    assert stop.monitor_op(1.0, 0.5)   # larger is better


def test_mode_auto_by_name_and_unknown(h):
    model = h.FakeModel()
    for name, better in [("val_loss", 0.1), ("val_auc", 0.9), ("mean_absolute_error", 0.1),
                         ("val_precision", 0.9), ("val_my_loss", 0.1)]:
        cb = tk.callbacks.EarlyStopping(monitor=name)
        cb.set_model(model)
        cb._set_monitor_op()
        assert cb.monitor_op(better, 0.5), name
    cb = tk.callbacks.EarlyStopping(monitor="val_something")
    cb.set_model(model)
    with pytest.raises(ValueError, match="isn't able to automatically determine"):
        cb._set_monitor_op()
    with pytest.warns(UserWarning, match="mode 'sideways' is unknown"):
        tk.callbacks.EarlyStopping(mode="sideways")


def test_missing_monitor_warns_not_crashes(h, regression_data):
    x, y = regression_data
    model = h.linear_model()
    with pytest.warns(UserWarning, match="Early stopping conditioned on metric `val_loss` "
                                         "which is not available. Available metrics are: loss"):
        hist = model.fit(x, y, epochs=3, batch_size=64, verbose=0,
                         callbacks=[tk.callbacks.EarlyStopping(patience=0)])
    assert len(hist.history["loss"]) == 3


def test_mode_auto_finds_compiled_metric_by_name(regression_data):
    """A metric named without any hint: its own direction (AUC: up) decides."""
    x, _ = regression_data
    yc = (x[:, 0] > 0).astype("float32")
    model = tk.Sequential([tk.Input((6,)), tk.layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer="adam", loss="binary_crossentropy",
                  metrics=[tk.metrics.AUC(name="quality")])
    stop = tk.callbacks.EarlyStopping(monitor="val_quality", patience=1)
    model.fit(x, yc, epochs=2, batch_size=64, validation_data=(x, yc), verbose=0,
              callbacks=[stop])
    assert stop.monitor_op(0.9, 0.5) and not stop.monitor_op(0.5, 0.9)
