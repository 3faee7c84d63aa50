"""Dense: run_layer_test coverage and Keras 3 oracle comparisons."""
import numpy as np
import pytest
import torch

import torchkeras
from torchkeras import layers
from torchkeras.testing import run_layer_test


@pytest.mark.parametrize("kwargs,in_shape,out_shape,n_train", [
    ({"units": 4}, (2, 3), (2, 4), 2),
    ({"units": 5, "activation": "relu", "use_bias": False}, (2, 6), (2, 5), 1),
    ({"units": 3, "activation": "tanh"}, (2, 4, 6), (2, 4, 3), 2),
    ({"units": 2, "kernel_initializer": "he_normal", "bias_initializer": "ones"},
     (3, 2, 2, 5), (3, 2, 2, 2), 2),
])
def test_dense_layer_test(kwargs, in_shape, out_shape, n_train):
    run_layer_test(layers.Dense, kwargs, input_shape=in_shape, expected_output_shape=out_shape,
                   expected_num_trainable_weights=n_train, expected_num_non_trainable_weights=0,
                   supports_masking=True)


def test_dense_regularizers_in_layer_test():
    run_layer_test(layers.Dense, {"units": 3, "kernel_regularizer": "l2",
                                  "bias_regularizer": "l1", "activity_regularizer": "l2"},
                   input_shape=(2, 4), expected_output_shape=(2, 3),
                   expected_num_trainable_weights=2, expected_num_losses=3)


def test_dense_rejects_bad_units():
    with pytest.raises(ValueError, match="units"):
        layers.Dense(0)
    with pytest.raises(ValueError, match="units"):
        layers.Dense(2.5)


def test_dense_weights_layout_and_state_dict():
    layer = layers.Dense(4)
    layer(torch.zeros(2, 3))
    kernel, bias = layer.get_weights()
    assert kernel.shape == (3, 4) and bias.shape == (4,)
    lin = torch.nn.Linear(3, 4)
    lin.load_state_dict(layer.state_dict())
    x = torch.randn(5, 3)
    torch.testing.assert_close(lin(x), layer(x))


@pytest.mark.keras_oracle
@pytest.mark.parametrize("kwargs,in_shape", [
    ({"units": 4}, (3, 5)),
    ({"units": 3, "activation": "relu", "use_bias": False}, (2, 4, 6)),
    ({"units": 2, "activation": "softmax"}, (3, 7)),
])
def test_dense_matches_keras(keras, kwargs, in_shape):
    x = np.random.default_rng(1).normal(size=in_shape).astype("float32")
    k = keras.layers.Dense(**kwargs)
    k_out = np.asarray(k(x).detach().cpu())
    ours = layers.Dense(**kwargs)
    ours(torch.as_tensor(x))
    assert [w.shape for w in ours.get_weights()] == [w.shape for w in k.get_weights()]
    ours.set_weights(k.get_weights())
    np.testing.assert_allclose(ours(torch.as_tensor(x)).detach().numpy(), k_out,
                               rtol=1e-4, atol=1e-5)
    assert {kk: v for kk, v in ours.get_config().items() if kk != "name"} == \
        {kk: v for kk, v in k.get_config().items() if kk != "name"}


@pytest.mark.keras_oracle
def test_dense_regularizers_constraints_match_keras(keras):
    kw = dict(units=3, kernel_regularizer={"class_name": "L1L2",
                                           "config": {"l1": 0.01, "l2": 0.02}},
              bias_regularizer="l2",
              kernel_constraint="max_norm", bias_constraint="non_neg",
              bias_initializer="random_normal")
    x = np.random.default_rng(2).normal(size=(4, 5)).astype("float32")
    k = keras.layers.Dense(**kw)
    k(x)
    k_losses = sorted(float(v.detach()) for v in k.losses)
    ours = layers.Dense(**kw)
    ours(torch.as_tensor(x))
    ours.set_weights(k.get_weights())
    ours(torch.as_tensor(x))
    losses = sorted(float(v.detach()) for v in ours.losses)
    assert len(losses) == 2
    np.testing.assert_allclose(losses, k_losses, rtol=1e-4)
    # constraints project the Keras-layout kernel, whatever the storage layout
    k_kernel = k.kernel_constraint(k.kernel)
    ours_kernel = ours.weight.constraint(ours.weight).t()
    np.testing.assert_allclose(ours_kernel.detach().numpy(), np.asarray(k_kernel.detach().cpu()),
                               rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(ours.bias.constraint(ours.bias).detach().numpy(),
                               np.asarray(k.bias_constraint(k.bias).detach().cpu()))


def test_activity_regularizer_adds_loss_each_call():
    layer = layers.Dense(2, activity_regularizer=torchkeras.regularizers.L2(0.5))
    x = torch.ones(3, 4)
    layer(x)
    assert len(layer.losses) == 1
    assert layer.losses[0].ndim == 0 and float(layer.losses[0].detach()) > 0
    layer(x)
    assert len(layer.losses) == 1   # reset at each top-level call


@pytest.mark.keras_oracle
def test_activity_regularizer_matches_keras(keras):
    x = np.random.default_rng(3).normal(size=(4, 5)).astype("float32")
    k = keras.layers.Dense(3, activity_regularizer="l1")
    k(x)
    ours = layers.Dense(3, activity_regularizer="l1")
    ours(torch.as_tensor(x))
    ours.set_weights(k.get_weights())
    ours(torch.as_tensor(x))
    np.testing.assert_allclose(float(ours.losses[0].detach()), float(k.losses[0].detach()),
                               rtol=1e-4)


def test_dense_in_functional_model():
    inp = layers.Input((4,))
    out = layers.Dense(3)(inp)
    assert out.shape == (None, 3)


def test_numpy_integer_sizes_are_accepted_like_keras():
    # Keras's application builders pass numpy integers (e.g. from a computed width).
    import numpy as np
    import torchkeras as tk
    dense = tk.layers.Dense(np.int64(4))
    conv = tk.layers.Conv2D(np.int32(3), 3)
    assert dense.units == 4 and type(dense.units) is int
    assert conv.filters == 3 and type(conv.filters) is int
    assert tk.layers.LSTM(np.int64(2)).units == 2
    with pytest.raises(ValueError):
        tk.layers.Dense(np.int64(0))


def test_quantization_and_lora_are_refused_clearly():
    import torchkeras as tk
    with pytest.raises(ValueError, match="quantization_config"):
        tk.layers.Dense(2, quantization_config={"mode": "int8"})
    with pytest.raises(ValueError, match="lora_rank"):
        tk.layers.Dense(2, lora_rank=4)
    assert tk.layers.Dense(2).get_config()["quantization_config"] is None
