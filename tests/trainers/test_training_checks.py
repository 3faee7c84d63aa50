"""compute_loss overrides written without `training` (Keras < 3.3 style) still train."""
import numpy as np
import pytest
import torch

import torchkeras as tk
from torchkeras.trainers.training_checks import compute_loss_takes_training


def _distiller_cls(k):
    class Distiller(k.Model):
        def __init__(self, student):
            super().__init__()
            self.student = student

        def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None,
                         allow_empty=False):
            return torch.mean((y_pred - y) ** 2) + 0.0 * torch.sum(x)

        def call(self, x):
            return self.student(x)
    return Distiller


def _run(k, weights=None):
    student = k.Sequential([k.Input((3,)), k.layers.Dense(1)])
    if weights is not None:
        student.set_weights(weights)
    d = _distiller_cls(k)(student)
    d.compile(k.optimizers.SGD(0.1), metrics=["mae"])
    rng = np.random.default_rng(0)
    x = rng.random((16, 3)).astype("float32")
    y = rng.random((16, 1)).astype("float32")
    h = d.fit(x, y, epochs=2, batch_size=8, shuffle=False, verbose=0)
    return student, h.history, d.evaluate(x, y, verbose=0)


@pytest.mark.keras_oracle
def test_compute_loss_without_training_argument_matches_keras(keras):
    ks = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
    _, kh, kev = _run(keras, ks.get_weights())
    _, th, tev = _run(tk, ks.get_weights())
    assert list(th) == list(kh) == ["loss", "mae"]
    for key in kh:
        np.testing.assert_allclose(th[key], kh[key], rtol=1e-5)
    assert tev == pytest.approx(kev, rel=1e-5)


def test_signature_probe():
    class A(tk.Model):
        def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None):
            return None

    class B(tk.Model):
        def compute_loss(self, **kwargs):
            return None
    assert compute_loss_takes_training(tk.Model)
    assert not compute_loss_takes_training(A)
    assert compute_loss_takes_training(B)
