"""GRU / GRUCell: torch-order storage, fused path, masks and Keras oracle."""
import numpy as np
import pytest
import torch

from torchkeras import layers
from torchkeras.testing import run_layer_test

X = np.random.default_rng(0).normal(size=(3, 6, 5)).astype("float32")


@pytest.mark.parametrize("kwargs,out_shape", [
    ({"units": 4}, (2, 4)),
    ({"units": 4, "reset_after": False, "return_sequences": True}, (2, 5, 4)),
    ({"units": 3, "dropout": 0.3, "recurrent_dropout": 0.2, "go_backwards": True}, (2, 3)),
    ({"units": 3, "use_bias": False, "activation": "relu"}, (2, 3)),
])
def test_gru_layer_test(kwargs, out_shape):
    run_layer_test(layers.GRU, kwargs, input_shape=(2, 5, 3), expected_output_shape=out_shape,
                   expected_num_trainable_weights=2 if kwargs.get("use_bias") is False else 3,
                   expected_num_non_trainable_weights=0, supports_masking=True)


def test_gru_state_dict_is_nn_gru():
    layer = layers.GRU(4, return_sequences=True)
    x = torch.randn(2, 6, 3)
    layer(x)
    torch.nn.init.normal_(layer.bias_ih_hh_l0)
    out = layer(x)
    assert list(layer.state_dict()) == ["weight_ih_l0", "weight_hh_l0", "bias_ih_l0",
                                        "bias_hh_l0"]
    ref = torch.nn.GRU(3, 4, batch_first=True)
    ref.load_state_dict(layer.state_dict())
    torch.testing.assert_close(ref(x)[0], out)
    for p in ref.parameters():
        torch.nn.init.normal_(p)
    layer.load_state_dict(ref.state_dict())
    torch.testing.assert_close(layer(x), ref(x)[0])
    assert [tuple(w.shape) for w in layer.get_weights()] == [(3, 12), (4, 12), (2, 12)]
    cell = layers.GRUCell(4)
    cell(torch.randn(2, 3), torch.zeros(2, 4))
    assert list(cell.state_dict()) == ["weight_ih", "weight_hh", "bias_ih", "bias_hh"]
    ref = torch.nn.GRUCell(3, 4)
    ref.load_state_dict(cell.state_dict())
    xs, hs = torch.randn(2, 3), torch.randn(2, 4)
    torch.testing.assert_close(ref(xs, hs), cell(xs, hs)[0])


def test_gru_default_config_takes_fused_path(forbid_step_loop):
    x = torch.randn(2, 5, 3, requires_grad=True)
    layers.GRU(4, return_sequences=True)(x).sum().backward()
    layers.GRU(4, go_backwards=True, dropout=0.4)(x, training=True)
    mask = torch.tensor([[1, 1, 0, 0, 0], [1, 1, 1, 1, 0]], dtype=torch.bool)
    layers.GRU(4, return_state=True, go_backwards=True)(x, mask=mask)
    with pytest.raises(AssertionError, match="fallback"):
        layers.GRU(4, reset_after=False)(x)


@pytest.mark.keras_oracle
@pytest.mark.parametrize("kwargs", [
    {}, {"return_sequences": True, "go_backwards": True}, {"return_state": True},
    {"reset_after": False, "return_sequences": True}, {"reset_after": False, "use_bias": False},
    {"activation": "relu", "recurrent_activation": "hard_sigmoid"},
])
def test_gru_matches_keras(keras, oracle, kwargs):
    k, ours = keras.layers.GRU(4, **kwargs), layers.GRU(4, **kwargs)
    oracle.pair(k, ours, X)
    oracle.assert_close(ours(torch.tensor(X)), k(X))
    assert {a: b for a, b in ours.get_config().items() if a != "name"} == \
        {a: b for a, b in k.get_config().items() if a != "name"}
    cell_k, cell = keras.layers.GRUCell(4, **{a: b for a, b in kwargs.items()
                                               if a in ("reset_after", "use_bias")}), \
        layers.GRUCell(4, **{a: b for a, b in kwargs.items() if a in ("reset_after", "use_bias")})
    h = np.random.default_rng(3).normal(size=(3, 4)).astype("float32")
    oracle.pair(cell_k, cell, X[:, 0], states=[h])
    oracle.assert_close(cell(torch.tensor(X[:, 0]), [torch.tensor(h)]), cell_k(X[:, 0], [h]))


@pytest.mark.keras_oracle
@pytest.mark.parametrize("go_backwards", [False, True])
def test_gru_masks_match_keras(keras, oracle, go_backwards):
    mask = np.array([[1, 1, 1, 1, 0, 0], [1] * 6, [1, 0, 1, 0, 1, 0]], dtype=bool)
    k = keras.layers.GRU(3, return_sequences=True, go_backwards=go_backwards)
    ours = layers.GRU(3, return_sequences=True, go_backwards=go_backwards)
    oracle.pair(k, ours, X)
    oracle.assert_close(ours(torch.tensor(X), mask=torch.tensor(mask)), k(X, mask=mask))
    oracle.assert_close(ours(torch.tensor(X), mask=torch.tensor(mask[:2])[[0, 1, 1]]),
                        k(X, mask=mask[:2][[0, 1, 1]]))
