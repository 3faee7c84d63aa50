"""train_step / test_step / predict_step / compute_loss overrides, as Keras 3's torch
guide writes them."""
import numpy as np
import pytest
import torch

import torchkeras as keras


class GuideModel(keras.Model):
    """Keras 3 guide: 'Customizing what happens in fit() with PyTorch', first variant."""

    def train_step(self, data):
        x, y = data
        self.zero_grad()
        y_pred = self(x, training=True)
        loss = self.compute_loss(y=y, y_pred=y_pred)
        loss.backward()
        trainable_weights = [v for v in self.trainable_weights]
        gradients = [v.value.grad for v in trainable_weights]
        with torch.no_grad():
            self.optimizer.apply(gradients, trainable_weights)
        for metric in self.metrics:
            if metric.name == "loss":
                metric.update_state(loss)
            else:
                metric.update_state(y, y_pred)
        return {m.name: m.result() for m in self.metrics}


class TrackerModel(keras.Model):
    """Second guide variant: own loss function, own metric trackers, `metrics` property."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.loss_tracker = keras.metrics.Mean(name="loss")
        self.mae_metric = keras.metrics.MeanAbsoluteError(name="mae")
        self.loss_fn = keras.losses.MeanSquaredError()

    def train_step(self, data):
        x, y = data
        self.zero_grad()
        y_pred = self(x, training=True)
        loss = self.loss_fn(y, y_pred)
        loss.backward()
        with torch.no_grad():
            self.optimizer.apply([v.value.grad for v in self.trainable_weights],
                                 self.trainable_weights)
        self.loss_tracker.update_state(loss)
        self.mae_metric.update_state(y, y_pred)
        return {"loss": self.loss_tracker.result(), "mae": self.mae_metric.result()}

    def test_step(self, data):
        x, y = data
        y_pred = self(x, training=False)
        self.loss_tracker.update_state(self.loss_fn(y, y_pred))
        self.mae_metric.update_state(y, y_pred)
        return {m.name: m.result() for m in self.metrics}

    @property
    def metrics(self):
        return [self.loss_tracker, self.mae_metric]


def _data(n=256):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(n, 8)).astype("float32")
    return x, (x @ rng.normal(size=(8, 1))).astype("float32")


def _functional(cls):
    inputs = keras.Input(shape=(8,))
    return cls(inputs, keras.layers.Dense(1)(inputs))


def test_guide_train_step_with_compiled_metrics():
    x, y = _data()
    model = _functional(GuideModel)
    assert type(model).__name__ == "GuideModel"
    model.compile(optimizer=keras.optimizers.SGD(0.05), loss="mse", metrics=["mae"])
    h = model.fit(x, y, epochs=4, verbose=0).history
    assert set(h) == {"loss", "mae"}
    assert h["loss"][-1] < 0.5 * h["loss"][0]


def test_tracker_variant_and_custom_test_step():
    x, y = _data()
    model = _functional(TrackerModel)
    model.compile(optimizer=keras.optimizers.Adam(0.05))
    h = model.fit(x, y, epochs=5, validation_data=(x, y), verbose=0).history
    assert set(h) == {"loss", "mae", "val_loss", "val_mae"}
    assert h["loss"][-1] < h["loss"][0]
    res = model.evaluate(x, y, return_dict=True, verbose=0)
    pred = model.predict(x, verbose=0)
    assert res["mae"] == pytest.approx(np.abs(pred - y).mean(), rel=1e-5)


def test_compute_loss_override_and_predict_step():
    class Weighted(keras.Model):
        def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training=True):
            return 2.0 * super().compute_loss(x, y, y_pred, sample_weight, training)

        def predict_step(self, data):
            x = data[0] if isinstance(data, tuple) else data
            return self(x) + 100.0

    x, y = _data(64)
    model = _functional(Weighted)
    model.compile(optimizer="sgd", loss="mse")
    pred = model.predict(x, verbose=0)
    raw = model(torch.as_tensor(x)).detach().numpy()
    np.testing.assert_allclose(pred, raw + 100.0, rtol=1e-6)
    assert model.evaluate(x, y, batch_size=64, verbose=0) == pytest.approx(
        2 * np.mean((raw - y) ** 2), rel=1e-5)
