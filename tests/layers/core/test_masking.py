"""Masking layer."""
import numpy as np
import pytest
import torch

from torchkeras import layers
from torchkeras.testing import run_layer_test


@pytest.mark.parametrize("mask_value", [0.0, -1.0])
def test_masking_layer_test(mask_value):
    run_layer_test(layers.Masking, {"mask_value": mask_value}, input_shape=(2, 3, 4),
                   expected_output_shape=(2, 3, 4), expected_num_trainable_weights=0,
                   supports_masking=True)


def test_masking_zeroes_and_masks_steps():
    x = torch.tensor([[[1.0, -1.0], [-1.0, -1.0], [-1.0, 2.0]]])
    out = layers.Masking(mask_value=-1.0)(x)
    assert out._keras_mask.tolist() == [[True, False, True]]
    assert out[0, 1].tolist() == [0.0, 0.0]
    assert out[0, 2].tolist() == [-1.0, 2.0]


def test_masking_feeds_mask_to_merge_layers():
    x = torch.tensor([[[1.0], [0.0]]])
    masked = layers.Masking()(x)
    summed = layers.Add()([masked, masked])
    assert summed._keras_mask.tolist() == [[True, False]]


@pytest.mark.keras_oracle
def test_masking_matches_keras(keras):
    from keras.src import backend as kb
    x = np.random.default_rng(0).normal(size=(2, 5, 3)).astype("float32")
    x[0, 1] = 0.5
    x[1, 3:] = 0.5
    k = keras.layers.Masking(mask_value=0.5)
    ours = layers.Masking(mask_value=0.5)
    k_out = k(x)
    out = ours(torch.as_tensor(x))
    np.testing.assert_array_equal(out.numpy(), np.asarray(k_out.cpu()))
    np.testing.assert_array_equal(out._keras_mask.numpy(), np.asarray(kb.get_keras_mask(k_out).cpu()))
    assert {a: b for a, b in ours.get_config().items() if a != "name"} == \
        {a: b for a, b in k.get_config().items() if a != "name"}
