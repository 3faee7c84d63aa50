"""A float32 layer inside a mixed-policy model leaves autocast and computes in float32."""
import numpy as np
import pytest
import torch

import torchkeras as tk
from torchkeras import layers, mixed_precision

POLICIES = ["mixed_float16", "mixed_bfloat16"]


@pytest.fixture
def reset_policy():
    yield
    mixed_precision.set_global_policy(None)


def _sequential(lib):
    return lib.Sequential([lib.Input((8,)), lib.layers.Dense(16, activation="relu"),
                           lib.layers.Dense(4),
                           lib.layers.Activation("softmax", dtype="float32")])


def _functional(lib):
    inp = lib.Input((8,))
    x = lib.layers.Dense(16)(inp)
    out = lib.layers.Dense(4, dtype="float32")(x)
    return lib.Model(inp, out)


def _dtype_name(t):
    return str(t.dtype).replace("torch.", "")


@pytest.mark.keras_oracle
@pytest.mark.parametrize("policy", POLICIES)
@pytest.mark.parametrize("build", [_sequential, _functional])
def test_float32_final_layer_matches_keras(keras, reset_policy, policy, build):
    x = np.random.default_rng(0).normal(size=(5, 8)).astype("float32")
    results = []
    for lib in (keras, tk):
        lib.mixed_precision.set_global_policy(policy)
        try:
            model = build(lib)
            first = [l for l in model.layers if type(l).__name__ == "Dense"][0]
            hidden = first(x)
            results.append((_dtype_name(model(x)), _dtype_name(hidden)))
        finally:
            lib.mixed_precision.set_global_policy("float32")
    assert results[0] == results[1] == ("float32", policy.split("_")[1])


@pytest.mark.parametrize("policy", POLICIES)
def test_float32_softmax_leaves_autocast_in_predict_and_fit(reset_policy, policy):
    mixed_precision.set_global_policy(policy)
    model = tk.Sequential([tk.Input((8,)), layers.Dense(16), layers.Dense(4, dtype="float32")])
    x = np.random.default_rng(0).normal(size=(32, 8)).astype("float32")
    assert model.predict(x, verbose=0).dtype == np.float32
    out = model(torch.as_tensor(x))
    assert out.dtype == torch.float32
    # The float32 layer really computed in float32: same result as a float32 matmul of
    # the (half-precision) hidden activations.
    hidden = model.layers[0](torch.as_tensor(x))
    dense = model.layers[1]
    expected = dense(hidden.float())
    torch.testing.assert_close(out, expected)
    model.compile(optimizer="adam", loss="mse")
    hist = model.fit(x, np.zeros((32, 4), "float32"), epochs=1, verbose=0).history
    assert np.isfinite(hist["loss"][0])


def test_user_autocast_around_float32_model_is_left_alone():
    model = tk.Sequential([tk.Input((8,)), layers.Dense(4)])
    with torch.autocast("cpu", dtype=torch.bfloat16):
        assert model(torch.randn(2, 8)).dtype == torch.bfloat16
