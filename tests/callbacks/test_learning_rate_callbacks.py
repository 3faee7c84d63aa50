"""ReduceLROnPlateau and LearningRateScheduler: rates read back from the optimizer."""
import numpy as np
import pytest

import torchkeras as tk

PLATEAU = [1.0, 0.9, 0.9, 0.9, 0.9, 0.9, 0.85, 0.85, 0.85, 0.85, 0.85, 0.85, 0.85]


@pytest.mark.keras_oracle
@pytest.mark.parametrize("kwargs", [
    dict(factor=0.5, patience=2), dict(factor=0.1, patience=1, cooldown=2),
    dict(factor=0.5, patience=1, min_lr=0.03), dict(factor=0.2, patience=3, min_delta=0.2),
])
def test_plateau_rates_match_keras(keras, h, kwargs):
    ours_opt = tk.optimizers.SGD(0.1)
    ref_opt = keras.optimizers.SGD(0.1)
    ours = tk.callbacks.ReduceLROnPlateau(monitor="val_loss", **kwargs)
    ref = keras.callbacks.ReduceLROnPlateau(monitor="val_loss", **kwargs)
    ours_model, ref_model = h.FakeModel(ours_opt), h.FakeModel(ref_opt)
    for cb, model in ((ours, ours_model), (ref, ref_model)):
        cb.set_model(model)
        cb.on_train_begin()
    for epoch, value in enumerate(PLATEAU):
        a, b = {"val_loss": value}, {"val_loss": value}
        ours.on_epoch_end(epoch, a)
        ref.on_epoch_end(epoch, b)
        assert a["learning_rate"] == pytest.approx(b["learning_rate"], rel=1e-6)
        assert float(ours_opt.learning_rate) == pytest.approx(
            float(np.asarray(ref_opt.learning_rate)), rel=1e-6), epoch
        assert (ours.wait, ours.cooldown_counter) == (ref.wait, ref.cooldown_counter)


def test_plateau_in_fit_lowers_lr_and_logs_it(h, regression_data):
    x, y = regression_data
    model = h.linear_model(lr=0.01)
    # monitoring a loss that cannot improve (validation target unrelated to x)
    reduce = tk.callbacks.ReduceLROnPlateau(monitor="val_loss", factor=0.5, patience=1,
                                            min_delta=10.0, min_lr=0.002, verbose=1)
    hist = model.fit(x, y, epochs=5, batch_size=64, validation_data=(x, y * 0 + 100.0),
                     callbacks=[reduce], verbose=0)
    # the rate logged is the one the epoch trained with (Keras logs before reducing)
    assert hist.history["learning_rate"] == pytest.approx([0.01, 0.01, 0.005, 0.0025, 0.002])
    assert float(model.optimizer.learning_rate) == pytest.approx(0.002)


def test_plateau_rejects_factor_and_warns_on_missing_metric(h, regression_data):
    with pytest.raises(ValueError, match="factor >= 1.0"):
        tk.callbacks.ReduceLROnPlateau(factor=1.0)
    x, y = regression_data
    model = h.linear_model()
    with pytest.warns(UserWarning, match="Learning rate reduction is conditioned on metric "
                                         "`val_loss` which is not available"):
        model.fit(x, y, epochs=1, batch_size=64, verbose=0,
                  callbacks=[tk.callbacks.ReduceLROnPlateau()])


def test_scheduler_sets_lr_each_epoch(h, regression_data, capsys):
    x, y = regression_data
    model = h.linear_model(lr=0.1)
    seen = []

    def schedule(epoch, lr):
        seen.append(lr)
        return lr * 0.5 if epoch >= 2 else lr

    hist = model.fit(x, y, epochs=5, batch_size=64, verbose=0,
                     callbacks=[tk.callbacks.LearningRateScheduler(schedule, verbose=1)])
    want = [0.1, 0.1, 0.05, 0.025, 0.0125]
    assert hist.history["learning_rate"] == pytest.approx(want)
    assert seen == pytest.approx([0.1] + want[:-1])
    assert float(model.optimizer.learning_rate) == pytest.approx(0.0125)
    assert "Epoch 3: LearningRateScheduler setting learning rate to 0.05" in capsys.readouterr().out


def test_scheduler_one_argument_and_bad_output(h, regression_data):
    x, y = regression_data
    model = h.linear_model(lr=0.1)
    model.fit(x, y, epochs=3, batch_size=64, verbose=0,
              callbacks=[tk.callbacks.LearningRateScheduler(lambda epoch: 0.01 * (epoch + 1))])
    assert float(model.optimizer.learning_rate) == pytest.approx(0.03)
    with pytest.raises(ValueError, match="should be a float"):
        model.fit(x, y, epochs=1, batch_size=64, verbose=0,
                  callbacks=[tk.callbacks.LearningRateScheduler(lambda epoch, lr: "fast")])
    with pytest.raises(ValueError, match="callable"):
        tk.callbacks.LearningRateScheduler(0.1)


def test_scheduler_changes_training(h, regression_data):
    """A zero learning rate from epoch 1 on freezes the weights: the rate is really used."""
    x, y = regression_data
    model = h.linear_model(lr=0.05)
    snapshots = []
    model.fit(x, y, epochs=3, batch_size=64, verbose=0,
              callbacks=[tk.callbacks.LearningRateScheduler(lambda e, lr: 0.05 if e == 0 else 0.0),
                         tk.callbacks.LambdaCallback(
                             on_epoch_end=lambda e, logs: snapshots.append(model.get_weights()))])
    assert not np.array_equal(snapshots[0][0], np.zeros_like(snapshots[0][0]))
    np.testing.assert_array_equal(snapshots[0][0], snapshots[2][0])
