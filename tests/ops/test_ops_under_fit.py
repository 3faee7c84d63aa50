"""Layers, losses and metrics written with ``keras.ops`` / ``keras.random`` train under
``fit`` without reading device values once per step (on CUDA each read is a host sync).

On CPU the reads are counted by wrapping the Tensor methods that pull a value to the host;
their number in an epoch must not grow with the number of steps. (The CUDA version of this
check is tests/trainers/test_cuda_sync.py, which also runs this model.)
"""
import numpy as np
import pytest
import torch

import torchkeras as keras
from torchkeras import ops

READS = ("item", "tolist", "numpy", "cpu", "__float__", "__int__", "__bool__", "__index__")


class NoisyGate(keras.layers.Layer):
    """A custom layer on keras.ops and keras.random (a seeded dropout-like gate)."""

    def __init__(self, units, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.seed = keras.random.SeedGenerator(3)

    def build(self, input_shape):
        self.w = self.add_weight(shape=(input_shape[-1], self.units), name="w")
        self.b = self.add_weight(shape=(self.units,), initializer="zeros", name="b")

    def call(self, x, training=None):
        h = ops.matmul(x, self.w) + self.b
        if training:
            keep = ops.cast(keras.random.uniform(ops.shape(h), seed=self.seed) > 0.1, h.dtype)
            h = h * keep / 0.9
        return ops.where(h > 0, h, 0.1 * h) + ops.logsumexp(h, axis=-1, keepdims=True) * 0.0


def smooth_l1(y_true, y_pred):
    d = ops.abs(ops.cast(y_true, y_pred.dtype) - y_pred)
    return ops.mean(ops.where(d < 1.0, 0.5 * ops.square(d), d - 0.5), axis=-1)


class MeanAbs(keras.metrics.Metric):
    def __init__(self, name="mean_abs", **kwargs):
        super().__init__(name=name, **kwargs)
        self.total = self.add_variable(shape=(), initializer="zeros", name="total")
        self.count = self.add_variable(shape=(), initializer="zeros", name="count")

    def update_state(self, y_true, y_pred, sample_weight=None):
        self.total.assign_add(ops.sum(ops.abs(y_pred)))
        self.count.assign_add(ops.cast(ops.size(y_pred), "float32"))

    def result(self):
        return ops.divide_no_nan(self.total, self.count)


def ops_model():
    model = keras.Sequential([keras.Input((8,)), NoisyGate(16), keras.layers.Dense(2)])
    model.compile(optimizer="adam", loss=smooth_l1, metrics=[MeanAbs()])
    return model


def _count_reads(monkeypatch, fn) -> int:
    calls = [0]
    for attr in READS:
        original = getattr(torch.Tensor, attr)

        def counted(self, *args, _original=original, **kwargs):
            calls[0] += 1
            return _original(self, *args, **kwargs)
        monkeypatch.setattr(torch.Tensor, attr, counted)
    try:
        fn()
    finally:
        monkeypatch.undo()
    return calls[0]


@pytest.mark.parametrize("what", ["fit", "evaluate"])
def test_ops_model_reads_do_not_grow_with_steps(monkeypatch, what):
    rng = np.random.default_rng(0)
    model = ops_model()
    counts = []
    for n in (64, 640):            # 4 and 40 steps of 16
        x = rng.normal(size=(n, 8)).astype("float32")
        y = rng.normal(size=(n, 2)).astype("float32")
        model.fit(x, y, batch_size=16, epochs=1, verbose=0)      # warm up
        if what == "fit":
            counts.append(_count_reads(monkeypatch, lambda: model.fit(
                x, y, batch_size=16, epochs=1, verbose=0)))
        else:
            counts.append(_count_reads(monkeypatch, lambda: model.evaluate(
                x, y, batch_size=16, verbose=0)))
    assert counts[1] <= counts[0] + 2, counts


def test_counting_catches_a_per_step_read(monkeypatch):
    # The check can fail: a loss that reads a value each step is caught.
    def reading_loss(y_true, y_pred):
        loss = smooth_l1(y_true, y_pred)
        float(ops.mean(loss))
        return loss

    rng = np.random.default_rng(1)
    model = keras.Sequential([keras.Input((8,)), NoisyGate(4), keras.layers.Dense(2)])
    model.compile(optimizer="adam", loss=reading_loss)
    counts = []
    for n in (64, 640):
        x = rng.normal(size=(n, 8)).astype("float32")
        y = rng.normal(size=(n, 2)).astype("float32")
        model.fit(x, y, batch_size=16, epochs=1, verbose=0)
        counts.append(_count_reads(monkeypatch, lambda: model.fit(
            x, y, batch_size=16, epochs=1, verbose=0)))
    assert counts[1] > counts[0] + 20, counts
