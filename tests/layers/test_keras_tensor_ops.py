import re

import numpy as np
import pytest
import torch

import torchkeras as keras
from torchkeras import ops


def _names(model):
    return [layer.name for layer in model.layers]


def test_two_additions_get_unique_names_and_train():
    a = keras.Input((3,))
    b = keras.Input((3,))
    s1 = a + b
    s2 = s1 + 1.0
    out = keras.layers.Dense(1)(s2 * 2.0 - b)
    model = keras.Model([a, b], out)
    adds = [n for n in _names(model) if re.fullmatch(r"add(_\d+)?", n)]
    assert len(adds) == 2 and len(set(adds)) == 2
    assert any(re.fullmatch(r"multiply(_\d+)?", n) for n in _names(model))
    assert any(re.fullmatch(r"subtract(_\d+)?", n) for n in _names(model))
    model.compile(optimizer="sgd", loss="mse")
    x = [np.ones((4, 3), "float32"), np.full((4, 3), 2.0, "float32")]
    hist = model.fit(x, np.zeros((4, 1), "float32"), epochs=1, batch_size=4, verbose=0)
    assert np.isfinite(hist.history["loss"][0])
    model.summary(print_fn=lambda *a, **k: None)
    pred = model.predict(x, verbose=0)
    w, bias = model.layers[-1].get_weights()
    np.testing.assert_allclose(pred, (2 * (3 + 1) - 2) * np.ones((4, 3)) @ w + bias, rtol=1e-5)


def test_operators_map_to_ops_with_keras_names():
    x = keras.Input((2, 3))
    checks = {
        "add": x + 1, "subtract": 1 - x, "multiply": x * x, "true_divide": x / 2,
        "floor_divide": x // 2, "mod": x % 2, "power": x ** 2, "negative": -x,
        "absolute": abs(x), "less": x < 0, "greater_equal": x >= 0, "not_equal": x != 0,
        "logical_and": (x > 0) & (x < 1), "logical_or": (x > 0) | (x < 1),
        "logical_not": ~(x > 0), "get_item": x[:, 0], "matmul": x @ keras.Input((3, 4)),
    }
    for base, kt in checks.items():
        layer = kt._keras_history[0]
        assert re.fullmatch(base + r"(_\d+)?", layer.name), (base, layer.name)
    assert checks["get_item"].shape == (None, 3)
    assert checks["less"].dtype == "bool"
    assert checks["matmul"].shape == (None, 2, 4)
    assert x in {x: 1}    # hashing stays identity-based


def test_getitem_model_runs_eagerly():
    x = keras.Input((4,))
    model = keras.Model(x, x[:, 1:3] * 2)
    out = model(torch.arange(8.0).reshape(2, 4))
    torch.testing.assert_close(out, torch.tensor([[2.0, 4.0], [10.0, 12.0]]))
