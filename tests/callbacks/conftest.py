import types

import numpy as np
import pytest

import torchkeras as tk


class FakeModel:
    """Stands in for a model when a callback is driven with hand-made logs."""

    def __init__(self, optimizer=None, metrics=()):
        self.stop_training = False
        self.optimizer = optimizer
        self.metrics = list(metrics)


def linear_model(lr=0.02, optimizer=None, d=6):
    model = tk.Sequential([tk.Input((d,)), tk.layers.Dense(1, kernel_initializer="zeros")])
    model.compile(optimizer=optimizer or tk.optimizers.SGD(lr), loss="mse")
    return model


def drive_epochs(callback, logs_per_epoch, model):
    """on_train_begin, on_epoch_begin/end per logs dict until stop_training, on_train_end."""
    callback.set_model(model)
    callback.set_params({"epochs": len(logs_per_epoch), "steps": 1, "verbose": 0})
    callback.on_train_begin()
    ran = 0
    for epoch, logs in enumerate(logs_per_epoch):
        callback.on_epoch_begin(epoch)
        callback.on_epoch_end(epoch, dict(logs))
        ran += 1
        if model.stop_training:
            break
    callback.on_train_end()
    return ran


@pytest.fixture
def h():
    """Helpers shared by the callback tests."""
    return types.SimpleNamespace(FakeModel=FakeModel, linear_model=linear_model,
                                 drive_epochs=drive_epochs)


@pytest.fixture
def regression_data():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(128, 6)).astype("float32")
    w = rng.normal(size=(6, 1)).astype("float32")
    return x, (x @ w).astype("float32")
