"""Identity layer."""
import numpy as np
import pytest
import torch

from torchkeras import layers
from torchkeras.testing import run_layer_test


def test_identity_layer_test():
    run_layer_test(layers.Identity, {}, input_shape=(2, 3, 4), expected_output_shape=(2, 3, 4),
                   expected_num_trainable_weights=0, supports_masking=True)


def test_identity_returns_input_and_keeps_mask():
    x = torch.randn(2, 3)
    x._keras_mask = torch.tensor([[True, False, True]] * 2)
    y = layers.Identity()(x)
    assert y is x
    assert torch.equal(y._keras_mask, x._keras_mask)
    assert layers.Identity().compute_output_shape((None, 5)) == (None, 5)


@pytest.mark.keras_oracle
def test_identity_config_matches_keras(keras):
    k = keras.layers.Identity(name="ident")
    ours = layers.Identity(name="ident")
    assert ours.get_config() == k.get_config()
    x = np.ones((2, 2), "float32")
    np.testing.assert_array_equal(ours(torch.as_tensor(x)).numpy(), np.asarray(k(x).cpu()))
