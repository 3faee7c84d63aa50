"""Flatten layer."""
import numpy as np
import pytest
import torch

from torchkeras import layers
from torchkeras.testing import run_layer_test


@pytest.mark.parametrize("data_format,in_shape,out_shape", [
    ("channels_last", (2, 3, 4), (2, 12)),
    ("channels_first", (2, 3, 4, 5), (2, 60)),
    ("channels_last", (3,), (3, 1)),
    ("channels_last", (2, 5), (2, 5)),
])
def test_flatten_layer_test(data_format, in_shape, out_shape):
    run_layer_test(layers.Flatten, {"data_format": data_format}, input_shape=in_shape,
                   expected_output_shape=out_shape, expected_num_trainable_weights=0,
                   run_symbolic_check=len(in_shape) > 1)


def test_flatten_symbolic_unknown_dims():
    assert layers.Flatten().compute_output_shape((None, None, 3)) == (None, None)
    assert layers.Flatten()(layers.Input((4, 5))).shape == (None, 20)


@pytest.mark.keras_oracle
@pytest.mark.parametrize("data_format", ["channels_last", "channels_first"])
def test_flatten_matches_keras(keras, data_format):
    x = np.random.default_rng(0).normal(size=(2, 3, 4, 5)).astype("float32")
    k = keras.layers.Flatten(data_format=data_format)
    ours = layers.Flatten(data_format=data_format)
    np.testing.assert_array_equal(ours(torch.as_tensor(x)).numpy(), np.asarray(k(x).cpu()))
    assert {a: b for a, b in ours.get_config().items() if a != "name"} == \
        {a: b for a, b in k.get_config().items() if a != "name"}
