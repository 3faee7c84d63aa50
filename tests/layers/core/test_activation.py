"""Activation layer: run_layer_test coverage and Keras 3 oracle comparisons."""
import numpy as np
import pytest
import torch

from torchkeras import layers
from torchkeras.testing import run_layer_test


@pytest.mark.parametrize("act", ["relu", "tanh", "softmax", "gelu", "linear"])
def test_activation_layer_test(act):
    run_layer_test(layers.Activation, {"activation": act}, input_shape=(2, 3, 4),
                   expected_output_shape=(2, 3, 4), expected_num_trainable_weights=0,
                   supports_masking=True)


def test_activation_callable():
    layer = layers.Activation(torch.sigmoid)
    torch.testing.assert_close(layer(torch.zeros(2)), torch.full((2,), 0.5))


@pytest.mark.keras_oracle
@pytest.mark.parametrize("act", ["relu", "sigmoid", "softmax", "elu", "selu", "swish"])
def test_activation_matches_keras(keras, act):
    x = np.random.default_rng(0).normal(size=(3, 5)).astype("float32")
    k = keras.layers.Activation(act)
    ours = layers.Activation(act)
    np.testing.assert_allclose(ours(torch.as_tensor(x)).numpy(),
                               np.asarray(k(x).detach().cpu()), rtol=1e-4, atol=1e-6)
    assert {kk: v for kk, v in ours.get_config().items() if kk != "name"} == \
        {kk: v for kk, v in k.get_config().items() if kk != "name"}
