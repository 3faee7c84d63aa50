"""SimpleRNN / SimpleRNNCell: nn.RNN storage, fused tanh/relu kernels, Keras oracle."""
import numpy as np
import pytest
import torch

from torchkeras import layers
from torchkeras.testing import run_layer_test

X = np.random.default_rng(0).normal(size=(3, 6, 5)).astype("float32")


@pytest.mark.parametrize("kwargs,out_shape", [
    ({"units": 4}, (2, 4)),
    ({"units": 4, "activation": "relu", "return_sequences": True}, (2, 5, 4)),
    ({"units": 3, "dropout": 0.3, "recurrent_dropout": 0.2, "activation": "sigmoid"}, (2, 3)),
])
def test_simple_rnn_layer_test(kwargs, out_shape):
    run_layer_test(layers.SimpleRNN, kwargs, input_shape=(2, 5, 3),
                   expected_output_shape=out_shape, expected_num_trainable_weights=3,
                   expected_num_non_trainable_weights=0, supports_masking=True)


def test_simple_rnn_state_dict_and_fused(forbid_step_loop):
    x = torch.randn(2, 5, 3)
    for act in ("tanh", "relu"):
        layer = layers.SimpleRNN(4, activation=act, return_sequences=True)
        out = layer(x)
        ref = torch.nn.RNN(3, 4, nonlinearity=act, batch_first=True)
        ref.load_state_dict(layer.state_dict())
        torch.testing.assert_close(ref(x)[0], out)
    with pytest.raises(AssertionError, match="fallback"):
        layers.SimpleRNN(4, activation="sigmoid")(x)


def test_simple_rnn_cell_standalone():
    cell = layers.SimpleRNNCell(4)
    out, new = cell(torch.randn(2, 3), torch.zeros(2, 4))
    assert out is new and out.shape == (2, 4)
    ref = torch.nn.RNNCell(3, 4)
    ref.load_state_dict(cell.state_dict())
    x, h = torch.randn(2, 3), torch.randn(2, 4)
    torch.testing.assert_close(ref(x, h), cell(x, [h])[0])


@pytest.mark.keras_oracle
@pytest.mark.parametrize("kwargs", [
    {}, {"activation": "relu", "return_sequences": True}, {"activation": "sigmoid"},
    {"go_backwards": True, "return_state": True}, {"use_bias": False},
])
def test_simple_rnn_matches_keras(keras, oracle, kwargs):
    k, ours = keras.layers.SimpleRNN(4, **kwargs), layers.SimpleRNN(4, **kwargs)
    oracle.pair(k, ours, X)
    oracle.assert_close(ours(torch.tensor(X)), k(X))
    assert {a: b for a, b in ours.get_config().items() if a != "name"} == \
        {a: b for a, b in k.get_config().items() if a != "name"}
    assert {a: b for a, b in layers.SimpleRNNCell(3).get_config().items() if a != "name"} == \
        {a: b for a, b in keras.layers.SimpleRNNCell(3).get_config().items() if a != "name"}
