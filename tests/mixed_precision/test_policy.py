"""Mixed precision: policies, per-layer dtype, autocast in fit, loss scaling for float16."""
import numpy as np
import pytest
import torch

import torchkeras as keras
from torchkeras import layers, mixed_precision


@pytest.fixture
def policy():
    yield mixed_precision
    mixed_precision.set_global_policy(None)


def test_policy_properties():
    p = mixed_precision.Policy("mixed_bfloat16")
    assert (p.compute_dtype, p.variable_dtype) == ("bfloat16", "float32")
    assert mixed_precision.Policy("float32").compute_dtype == "float32"
    with pytest.raises(ValueError, match="dtype policy"):
        mixed_precision.Policy("mixed_int4")


def test_global_bfloat16_policy_trains_on_cpu(policy):
    policy.set_global_policy("mixed_bfloat16")
    m = keras.Sequential([keras.Input((8,)), layers.Dense(16, activation="relu"), layers.Dense(1)])
    assert m.layers[0].compute_dtype == "bfloat16" and m.layers[0].weight.dtype == torch.float32
    out = m(torch.randn(4, 8))
    assert out.dtype == torch.bfloat16
    rng = np.random.default_rng(0)
    x = rng.normal(size=(256, 8)).astype("float32")
    y = x.sum(1, keepdims=True).astype("float32")
    m.compile(optimizer=keras.optimizers.Adam(0.01), loss="mse")
    h = m.fit(x, y, epochs=5, verbose=0).history
    assert h["loss"][-1] < 0.5 * h["loss"][0]
    assert all(w.dtype == np.float32 for w in m.get_weights())
    assert m.predict(x[:3], verbose=0).dtype == np.float32   # bfloat16 widened for numpy


def test_per_layer_dtype(policy):
    d = layers.Dense(3, dtype="float64")
    out = d(torch.ones(2, 4))
    assert out.dtype == torch.float64 and d.weight.dtype == torch.float64
    b = layers.Dense(3, dtype="mixed_bfloat16")
    assert b(torch.ones(2, 4)).dtype == torch.bfloat16 and b.weight.dtype == torch.float32


def test_mixed_float16_wraps_optimizer_with_loss_scaling(policy):
    policy.set_global_policy("mixed_float16")
    m = keras.Sequential([keras.Input((4,)), layers.Dense(1)])
    m.compile(optimizer="sgd", loss="mse")
    assert isinstance(m.optimizer, keras.optimizers.LossScaleOptimizer)
    x = np.ones((32, 4), "float32")
    h = m.fit(x, np.ones((32, 1), "float32"), epochs=2, verbose=0).history
    assert np.isfinite(h["loss"]).all()
