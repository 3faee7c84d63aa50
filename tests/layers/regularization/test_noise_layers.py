"""SpatialDropout*, GaussianNoise, GaussianDropout, AlphaDropout, ActivityRegularization."""
import numpy as np
import pytest
import torch

from torchkeras import layers
from torchkeras.testing import run_layer_test

CF = "channels_first"
CASES = [
    ("SpatialDropout1D", {"rate": 0.5}, (2, 3, 4)),
    ("SpatialDropout2D", {"rate": 0.5}, (2, 3, 4, 5)),
    ("SpatialDropout2D", {"rate": 0.3, "data_format": CF, "seed": 2}, (2, 3, 4, 5)),
    ("SpatialDropout3D", {"rate": 0.5}, (2, 3, 4, 5, 2)),
    ("SpatialDropout3D", {"rate": 0.5, "data_format": CF}, (2, 3, 4, 5, 2)),
    ("GaussianNoise", {"stddev": 0.2}, (2, 3, 4)),
    ("GaussianNoise", {"stddev": 0.5, "seed": 3}, (2, 5)),
    ("GaussianDropout", {"rate": 0.3}, (2, 3, 4)),
    ("AlphaDropout", {"rate": 0.2}, (2, 3, 4)),
    ("AlphaDropout", {"rate": 0.2, "noise_shape": (None, 1, 4), "seed": 1}, (2, 3, 4)),
    ("ActivityRegularization", {"l1": 0.1, "l2": 0.2}, (2, 3)),
]
IDS = ["%s-%d" % (c[0], i) for i, c in enumerate(CASES)]


@pytest.mark.parametrize("name,kwargs,shape", CASES, ids=IDS)
def test_layer_test(name, kwargs, shape):
    run_layer_test(getattr(layers, name), kwargs, input_shape=shape, expected_output_shape=shape,
                   expected_num_trainable_weights=0, expected_num_non_trainable_weights=0,
                   supports_masking=True,
                   expected_num_losses=1 if name == "ActivityRegularization" else 0)


@pytest.mark.parametrize("name,kwargs,shape", CASES[:-1], ids=IDS[:-1])
def test_identity_at_inference_and_random_in_training(name, kwargs, shape):
    layer = getattr(layers, name)(**kwargs)
    x = torch.randn(*shape)
    assert layer(x) is x
    assert layer(x, training=False) is x
    assert not torch.equal(layer(x, training=True), x)


@pytest.mark.keras_oracle
@pytest.mark.parametrize("name,kwargs,shape", CASES, ids=IDS)
def test_config_and_inference_match_keras(keras, name, kwargs, shape):
    k = getattr(keras.layers, name)(**kwargs)
    ours = getattr(layers, name)(**kwargs)
    kc = {a: b for a, b in k.get_config().items() if a != "name"}
    oc = {a: b for a, b in ours.get_config().items() if a != "name"}
    assert oc == kc
    x = np.random.default_rng(0).normal(size=shape).astype("float32")
    np.testing.assert_array_equal(ours(torch.as_tensor(x)).numpy(), np.asarray(k(x).cpu()))
    assert len(ours.weights) == len(k.weights) == 0


def test_spatial_dropout_shares_mask_over_space():
    y = layers.SpatialDropout2D(0.5, seed=0)(torch.ones(4, 5, 6, 8), training=True)
    assert torch.equal(y, y[:, :1, :1, :].expand_as(y))
    y = layers.SpatialDropout2D(0.5, data_format=CF, seed=0)(torch.ones(4, 8, 5, 6),
                                                               training=True)
    assert torch.equal(y, y[:, :, :1, :1].expand_as(y))
    y = layers.SpatialDropout1D(0.5, seed=0)(torch.ones(4, 7, 8), training=True)
    assert torch.equal(y, y[:, :1].expand_as(y))
    assert set(y.unique().tolist()) <= {0.0, 2.0}
    with pytest.raises(ValueError, match="rank"):
        layers.SpatialDropout2D(0.5)(torch.ones(2, 3, 4))


def test_noise_statistics():
    torch.manual_seed(0)
    x = torch.zeros(400, 500)
    n = layers.GaussianNoise(0.3)(x, training=True)
    assert abs(n.std().item() - 0.3) < 0.01 and abs(n.mean().item()) < 0.01
    g = layers.GaussianDropout(0.2)(torch.ones(400, 500), training=True)
    assert abs(g.mean().item() - 1.0) < 0.01 and abs(g.std().item() - 0.5) < 0.01
    # AlphaDropout keeps zero mean / unit variance of standardized inputs
    a = layers.AlphaDropout(0.2)(torch.randn(400, 500), training=True)
    assert abs(a.mean().item()) < 0.02 and abs(a.std().item() - 1.0) < 0.02


def test_activity_regularization_loss_value():
    layer = layers.ActivityRegularization(l1=0.1, l2=0.01)
    x = torch.tensor([[1.0, -2.0], [3.0, 0.0]])
    assert layer(x) is x
    assert len(layer.losses) == 1


@pytest.mark.keras_oracle
def test_activity_regularization_loss_matches_keras(keras):
    x = np.array([[1.0, -2.0], [3.0, 0.0]], "float32")
    k = keras.layers.ActivityRegularization(l1=0.1, l2=0.01)
    k(x)
    ours = layers.ActivityRegularization(l1=0.1, l2=0.01)
    ours(torch.as_tensor(x))
    np.testing.assert_allclose(float(ours.losses[0]), float(k.losses[0]), rtol=1e-6)


@pytest.mark.parametrize("make", [
    lambda: layers.GaussianNoise(1.5), lambda: layers.GaussianDropout(-0.1),
    lambda: layers.AlphaDropout(2), lambda: layers.SpatialDropout1D(1.1),
    lambda: layers.ActivityRegularization(l1=-1.0),
])
def test_validation(make):
    with pytest.raises(ValueError):
        make()
