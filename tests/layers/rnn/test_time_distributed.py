"""TimeDistributed: time folded into the batch, masks, configs and Keras oracle."""
import numpy as np
import pytest
import torch

from torchkeras import layers
from torchkeras.testing import run_layer_test


@pytest.mark.parametrize("inner,in_shape,out_shape", [
    (lambda: layers.Dense(3, activation="relu"), (2, 4, 5), (2, 4, 3)),
    (lambda: layers.Conv2D(2, 3, padding="same"), (2, 3, 6, 6, 2), (2, 3, 6, 6, 2)),
    (lambda: layers.Flatten(), (2, 3, 4, 5), (2, 3, 20)),
])
def test_time_distributed_layer_test(inner, in_shape, out_shape):
    run_layer_test(layers.TimeDistributed, {"layer": inner()}, input_shape=in_shape,
                   expected_output_shape=out_shape, supports_masking=True)


def test_time_distributed_validation_and_mask():
    with pytest.raises(ValueError, match="Layer"):
        layers.TimeDistributed("dense")
    layer = layers.TimeDistributed(layers.Dense(2))
    with pytest.raises(ValueError, match="at least 3 dimensions"):
        layer(torch.randn(2, 3))
    with pytest.raises(ValueError, match="incompatible"):
        layer(torch.randn(2, 3, 4), mask=torch.ones(2, 4, dtype=torch.bool))
    x = torch.randn(2, 3, 4)
    x._keras_mask = torch.tensor([[True, False, True], [True, True, False]])
    assert layer(x)._keras_mask is x._keras_mask


@pytest.mark.keras_oracle
def test_time_distributed_matches_keras(keras, oracle):
    x = np.random.default_rng(0).normal(size=(2, 3, 6, 6, 2)).astype("float32")
    k = keras.layers.TimeDistributed(keras.layers.Conv2D(3, 3, strides=2, padding="same"))
    ours = layers.TimeDistributed(layers.Conv2D(3, 3, strides=2, padding="same"))
    oracle.pair(k, ours, x)
    oracle.assert_close(ours(torch.tensor(x)), k(x))
    cfg = ours.get_config()
    assert cfg["layer"]["class_name"] == "Conv2D"
    assert keras.layers.TimeDistributed.from_config(cfg).layer.filters == 3
