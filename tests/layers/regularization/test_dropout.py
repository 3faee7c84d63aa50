"""Dropout: training-only noise, noise_shape, seeds, config."""
import numpy as np
import pytest
import torch

from torchkeras import layers
from torchkeras.testing import run_layer_test


@pytest.mark.parametrize("kwargs", [{"rate": 0.5}, {"rate": 0.3, "seed": 3},
                                    {"rate": 0.2, "noise_shape": (None, 1, 4)}])
def test_dropout_layer_test(kwargs):
    run_layer_test(layers.Dropout, kwargs, input_shape=(2, 3, 4), expected_output_shape=(2, 3, 4),
                   expected_num_trainable_weights=0, expected_num_non_trainable_weights=0,
                   supports_masking=True)


def test_dropout_identity_outside_training():
    x = torch.randn(8, 16)
    assert layers.Dropout(0.5)(x) is x
    assert layers.Dropout(0.5)(x, training=False) is x


@pytest.mark.parametrize("seed", [None, 7])
def test_dropout_training_statistics(seed):
    x = torch.ones(200, 100)
    y = layers.Dropout(0.25, seed=seed)(x, training=True)
    kept = y != 0
    assert 0.7 < kept.float().mean().item() < 0.8
    torch.testing.assert_close(y[kept], torch.full_like(y[kept], 1 / 0.75))


def test_dropout_rate_edges():
    x = torch.randn(3, 4)
    assert torch.equal(layers.Dropout(1.0)(x, training=True), torch.zeros_like(x))
    assert layers.Dropout(0.0)(x, training=True) is x


def test_dropout_noise_shape_broadcasts():
    y = layers.Dropout(0.5, noise_shape=(None, 1, 6), seed=1)(torch.ones(4, 5, 6), training=True)
    assert torch.equal(y, y[:, :1, :].expand_as(y))


def test_dropout_seed_reproducible():
    x = torch.ones(10, 10)
    a = layers.Dropout(0.5, seed=42)(x, training=True)
    b = layers.Dropout(0.5, seed=42)(x, training=True)
    assert torch.equal(a, b)
    layer = layers.Dropout(0.5, seed=42)
    assert not torch.equal(layer(x, training=True), layer(x, training=True))


@pytest.mark.parametrize("bad", [{"rate": 1.5}, {"rate": -0.1}, {"rate": 0.5, "noise_shape": "x"},
                                 {"rate": 0.5, "noise_shape": (2, 0)},
                                 {"rate": 0.5, "noise_shape": (2, 1.5)}])
def test_dropout_validation(bad):
    with pytest.raises(ValueError):
        layers.Dropout(**bad)


@pytest.mark.keras_oracle
def test_dropout_matches_keras(keras):
    kw = {"rate": 0.4, "noise_shape": (None, 1, 3), "seed": 5}
    k = keras.layers.Dropout(**kw)
    ours = layers.Dropout(**kw)
    assert {a: b for a, b in ours.get_config().items() if a != "name"} == \
        {a: b for a, b in k.get_config().items() if a != "name"}
    x = np.random.default_rng(0).normal(size=(2, 4, 3)).astype("float32")
    np.testing.assert_array_equal(ours(torch.as_tensor(x)).numpy(), np.asarray(k(x).cpu()))
    assert len(k.weights) == len(ours.weights) == 0
