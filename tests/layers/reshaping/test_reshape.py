"""Reshape layer."""
import numpy as np
import pytest
import torch

from torchkeras import layers
from torchkeras.testing import run_layer_test


@pytest.mark.parametrize("target,in_shape,out_shape", [
    ((3, 4), (2, 12), (2, 3, 4)),
    ((-1, 2), (2, 3, 4), (2, 6, 2)),
    ((24,), (2, 2, 3, 4), (2, 24)),
])
def test_reshape_layer_test(target, in_shape, out_shape):
    run_layer_test(layers.Reshape, {"target_shape": target}, input_shape=in_shape,
                   expected_output_shape=out_shape, expected_num_trainable_weights=0)


def test_reshape_shapes_and_errors():
    layer = layers.Reshape((-1, 4))
    assert layer.compute_output_shape((None, 3, 8)) == (None, 6, 4)
    assert layer.compute_output_shape((None, None, 8)) == (None, None, 4)
    with pytest.raises(ValueError, match="total size"):
        layers.Reshape((5,))(torch.zeros(2, 6))
    with pytest.raises(ValueError, match="at most one"):
        layers.Reshape((-1, -1))
    with pytest.raises(ValueError, match="non-negative"):
        layers.Reshape((-2, 3))


@pytest.mark.keras_oracle
def test_reshape_matches_keras(keras):
    x = np.arange(48, dtype="float32").reshape(2, 4, 6)
    k = keras.layers.Reshape((3, -1))
    ours = layers.Reshape((3, -1))
    np.testing.assert_array_equal(ours(torch.as_tensor(x)).numpy(), np.asarray(k(x).cpu()))
    assert {a: b for a, b in ours.get_config().items() if a != "name"} == \
        {a: b for a, b in k.get_config().items() if a != "name"}
