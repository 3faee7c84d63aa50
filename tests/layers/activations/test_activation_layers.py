"""ReLU, LeakyReLU, PReLU, ELU, Softmax layers: run_layer_test and Keras oracle."""
import numpy as np
import pytest
import torch

from torchkeras import layers
from torchkeras.testing import run_layer_test

CASES = [
    ("ReLU", {}),
    ("ReLU", {"max_value": 1.0, "negative_slope": 0.1, "threshold": 0.2}),
    ("ReLU", {"max_value": 6.0}),
    ("ReLU", {"negative_slope": 0.5}),
    ("ReLU", {"threshold": 0.5}),
    ("LeakyReLU", {}),
    ("LeakyReLU", {"negative_slope": 0.05}),
    ("ELU", {}),
    ("ELU", {"alpha": 0.5}),
    ("Softmax", {}),
    ("Softmax", {"axis": 1}),
    ("Softmax", {"axis": (1, 2)}),
    ("PReLU", {}),
    ("PReLU", {"shared_axes": [1, 2], "alpha_initializer": "random_normal"}),
    ("PReLU", {"shared_axes": 1, "alpha_regularizer": "l2", "alpha_constraint": "non_neg",
               "alpha_initializer": "ones"}),
]
IDS = ["%s-%d" % (c[0], i) for i, c in enumerate(CASES)]


@pytest.mark.parametrize("name,kwargs", CASES, ids=IDS)
def test_layer_test(name, kwargs):
    prelu = name == "PReLU"
    run_layer_test(getattr(layers, name), kwargs, input_shape=(2, 3, 4, 5),
                   expected_output_shape=(2, 3, 4, 5),
                   expected_num_trainable_weights=1 if prelu else 0,
                   expected_num_non_trainable_weights=0, supports_masking=True,
                   expected_num_losses=1 if "alpha_regularizer" in kwargs else 0)


@pytest.mark.keras_oracle
@pytest.mark.parametrize("name,kwargs", CASES, ids=IDS)
def test_matches_keras(keras, name, kwargs):
    x = np.random.default_rng(0).normal(size=(2, 3, 4, 5)).astype("float32")
    k = getattr(keras.layers, name)(**kwargs)
    k_out = k(x)
    ours = getattr(layers, name)(**kwargs)
    ours(torch.as_tensor(x))
    assert [w.shape for w in ours.get_weights()] == [w.shape for w in k.get_weights()]
    if k.get_weights():
        ours.set_weights([w + 0.25 for w in k.get_weights()])
        k.set_weights([w + 0.25 for w in k.get_weights()])
        k_out = k(x)
    np.testing.assert_allclose(ours(torch.as_tensor(x)).detach().numpy(),
                               np.asarray(k_out.detach().cpu()), rtol=1e-5, atol=1e-6)
    kc = {a: b for a, b in k.get_config().items() if a != "name"}
    oc = {a: b for a, b in ours.get_config().items() if a != "name"}
    assert oc == kc


@pytest.mark.keras_oracle
@pytest.mark.parametrize("mask_shape", [(2, 3, 4), (2, 1, 4), (4,)])
def test_softmax_mask_matches_keras(keras, mask_shape):
    rng = np.random.default_rng(1)
    x = rng.normal(size=(2, 3, 4)).astype("float32")
    mask = rng.random(size=mask_shape) > 0.4
    mask[..., 0] = False
    if len(mask_shape) == 3:
        mask[0, 0, :] = False   # a fully masked row gives zeros
    k_out = keras.layers.Softmax()(x, mask=keras.ops.convert_to_tensor(mask))
    out = layers.Softmax()(torch.as_tensor(x), mask=torch.as_tensor(mask))
    np.testing.assert_allclose(out.numpy(), np.asarray(k_out.cpu()), rtol=1e-5, atol=1e-7)
    k_float = keras.layers.Softmax()(x, mask=keras.ops.convert_to_tensor(mask.astype("float32")))
    out_float = layers.Softmax()(torch.as_tensor(x), mask=torch.as_tensor(mask.astype("float32")))
    np.testing.assert_allclose(out_float.numpy(), np.asarray(k_float.cpu()), rtol=1e-5, atol=1e-7)


def test_softmax_uses_carried_mask_and_checks_shape():
    x = torch.zeros(1, 3)
    x._keras_mask = torch.tensor([[True, True, False]])
    out = layers.Softmax()(x)
    torch.testing.assert_close(out, torch.tensor([[0.5, 0.5, 0.0]]))
    with pytest.raises(ValueError, match="broadcastable"):
        layers.Softmax()(torch.zeros(2, 3), mask=torch.ones(2, 4, dtype=torch.bool))


def test_prelu_weight_and_gradient():
    layer = layers.PReLU(shared_axes=[1, 2], alpha_initializer="ones")
    x = torch.randn(2, 4, 4, 3)
    layer(x)
    assert tuple(layer.alpha.shape) == (1, 1, 3)
    torch.testing.assert_close(layer(x), x)  # alpha=1 is the identity
    with pytest.raises(ValueError):
        layers.PReLU(shared_axes=[0])
    with pytest.raises(ValueError, match="out of range"):
        layers.PReLU(shared_axes=[3])(torch.zeros(2, 3))


@pytest.mark.parametrize("make", [
    lambda: layers.ReLU(max_value=-1.0), lambda: layers.ReLU(negative_slope=-0.1),
    lambda: layers.ReLU(threshold=None), lambda: layers.LeakyReLU(-0.1),
])
def test_validation(make):
    with pytest.raises(ValueError):
        make()


def test_leaky_relu_alpha_alias():
    with pytest.warns(UserWarning):
        layer = layers.LeakyReLU(alpha=0.1)
    assert layer.negative_slope == 0.1
    assert layers.LeakyReLU().negative_slope == 0.3
