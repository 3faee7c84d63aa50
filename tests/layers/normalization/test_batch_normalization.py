import numpy as np
import pytest
import torch
from torch import nn

from torchkeras import layers
from torchkeras.testing import run_layer_test


@pytest.mark.parametrize("kwargs,shape", [
    ({}, (4, 3)),
    ({}, (4, 5, 3)),
    ({"axis": 1}, (4, 3, 5, 5)),
    ({"center": False, "scale": False}, (4, 6, 6, 3)),
    ({"axis": 2, "momentum": 0.9}, (2, 3, 4, 5, 2)),
    ({"renorm": True, "renorm_clipping": {"rmax": 2.0, "rmin": 0.5, "dmax": 1.0}}, (4, 5, 3)),
])
def test_layer(kwargs, shape):
    scale = kwargs.get("scale", True)
    center = kwargs.get("center", True)
    n_stats = 5 if kwargs.get("renorm") else 2
    run_layer_test(layers.BatchNormalization, kwargs, input_shape=shape,
                   expected_output_shape=shape,
                   expected_num_trainable_weights=int(scale) + int(center),
                   expected_num_non_trainable_weights=n_stats, supports_masking=True)


def test_regularizers_and_constraints():
    run_layer_test(layers.BatchNormalization,
                   {"gamma_regularizer": "l2", "beta_regularizer": "l1",
                    "gamma_constraint": "non_neg", "beta_constraint": "max_norm"},
                   input_shape=(4, 3), expected_output_shape=(4, 3), expected_num_losses=2)


def test_bad_arguments():
    with pytest.raises(ValueError, match="axis"):
        layers.BatchNormalization(axis="x")
    with pytest.raises(ValueError, match="renorm_clipping"):
        layers.BatchNormalization(renorm=True, renorm_clipping={"foo": 1})
    with pytest.raises(ValueError, match="out of bounds"):
        layers.BatchNormalization(axis=3)(torch.zeros(2, 3))


def test_state_dict_matches_torch_batchnorm():
    bn = layers.BatchNormalization(axis=1)
    x = torch.randn(4, 3, 5, 5)
    for _ in range(3):
        bn(x, training=True)
    ref = nn.BatchNorm2d(3, eps=1e-3)
    ref.load_state_dict(bn.state_dict())
    ref.eval()
    torch.testing.assert_close(ref(x), bn(x, training=False))
    back = layers.BatchNormalization(axis=1)
    back(x)
    back.load_state_dict(ref.state_dict())
    assert [w.name for w in bn.weights] == ["gamma", "beta", "moving_mean", "moving_variance"]


def test_trainable_false_runs_inference():
    bn = layers.BatchNormalization()
    x = torch.randn(8, 3) * 3 + 2
    bn(x)
    bn.trainable = False
    y = bn(x, training=True)
    torch.testing.assert_close(y, x / np.sqrt(1 + 1e-3))
    np.testing.assert_array_equal(bn.get_weights()[2], np.zeros(3, "float32"))
    assert len(bn.trainable_weights) == 0 and len(bn.non_trainable_weights) == 4


def _compare(keras, kwargs, shape, mask=None, steps=3):
    rng = np.random.default_rng(1)
    ours = layers.BatchNormalization(**kwargs)
    ref = keras.layers.BatchNormalization(**kwargs)
    x0 = rng.normal(size=shape).astype("float32")
    ours(torch.as_tensor(x0))
    ref(x0)
    ws = [w + rng.uniform(0.1, 0.5, size=w.shape).astype("float32") for w in ref.get_weights()]
    ref.set_weights(ws)
    ours.set_weights(ref.get_weights())
    for step in range(steps):
        x = (rng.normal(size=shape) * (1 + step) + step).astype("float32")
        km = None if mask is None else mask
        tm = None if mask is None else torch.as_tensor(mask)
        y_ref = ref(x, training=True, mask=km)
        y = ours(torch.as_tensor(x), training=True, mask=tm)
        np.testing.assert_allclose(y.detach().numpy(), np.asarray(y_ref.detach().cpu()),
                                   rtol=1e-4, atol=1e-4)
        for a, b in zip(ours.get_weights(), ref.get_weights()):
            np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-6)
    x = rng.normal(size=shape).astype("float32")
    np.testing.assert_allclose(ours(torch.as_tensor(x), training=False).detach().numpy(),
                               np.asarray(ref(x, training=False).detach().cpu()),
                               rtol=1e-4, atol=1e-4)


@pytest.mark.keras_oracle
@pytest.mark.parametrize("kwargs,shape", [
    ({}, (6, 4)),
    ({}, (4, 5, 5, 3)),
    ({"axis": 1, "momentum": 0.8}, (4, 3, 5, 5)),
    ({"axis": 2, "epsilon": 1e-5}, (2, 3, 4, 5, 2)),
    ({"center": False}, (4, 7, 3)),
    ({"scale": False, "momentum": 0.5}, (4, 7, 3)),
    ({"renorm": True, "momentum": 0.7, "renorm_momentum": 0.6}, (6, 5, 3)),
    ({"renorm": True, "renorm_clipping": {"rmax": 1.5, "rmin": 0.7, "dmax": 0.5}}, (6, 5, 3)),
])
def test_oracle(keras, kwargs, shape):
    _compare(keras, kwargs, shape)


@pytest.mark.keras_oracle
def test_oracle_mask(keras):
    mask = np.random.default_rng(2).uniform(size=(4, 6)) > 0.4
    _compare(keras, {"momentum": 0.6}, (4, 6, 3), mask=mask)


@pytest.mark.keras_oracle
def test_oracle_config(keras):
    kw = {"axis": 1, "momentum": 0.9, "center": False, "gamma_regularizer": "l2"}
    ours = layers.BatchNormalization(**kw, name="bn").get_config()
    ref = keras.layers.BatchNormalization(**kw, name="bn").get_config()
    assert ours == ref


def test_moving_statistics_update_after_requires_grad_is_switched_on():
    # torch users unfreeze with model.requires_grad_(True), which also reaches the moving
    # statistics (they are parameters): training must still update them, not fail.
    layer = layers.BatchNormalization(momentum=0.5)
    x = torch.randn(8, 3) * 2 + 1
    layer(x)
    layer.requires_grad_(True)
    layer(x, training=True).sum().backward()
    np.testing.assert_allclose(layer.running_mean.detach().numpy(),
                               0.5 * x.mean(0).numpy(), rtol=1e-5, atol=1e-6)
