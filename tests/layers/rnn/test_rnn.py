"""RNN wrapper and StackedRNNCells: user cells, stacking, functional models, weight files."""
import numpy as np
import pytest
import torch

import torchkeras
from torchkeras import layers
from torchkeras.saving.serialization import register_keras_serializable
from torchkeras.testing import run_layer_test

X = np.random.default_rng(0).normal(size=(3, 6, 5)).astype("float32")


@register_keras_serializable(package="rnn_tests")
class MinimalCell(layers.Layer):
    """A user cell: only ``call``, ``state_size`` and weights, nothing built in."""

    def __init__(self, units, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.state_size = units

    def build(self, input_shape):
        self.kernel = self.add_weight(shape=(input_shape[-1], self.units), name="kernel")
        self.recurrent_kernel = self.add_weight(shape=(self.units, self.units),
                                                name="recurrent_kernel")

    def call(self, inputs, states):
        out = torch.tanh(inputs @ self.kernel + states[0] @ self.recurrent_kernel)
        return out, [out]

    def get_config(self):
        return {**super().get_config(), "units": self.units}


def test_rnn_with_user_cell_layer_test():
    run_layer_test(layers.RNN, {"cell": MinimalCell(4), "return_sequences": True},
                   input_shape=(2, 5, 3), expected_output_shape=(2, 5, 4),
                   expected_num_trainable_weights=2, supports_masking=True)
    run_layer_test(layers.RNN, {"cell": [layers.LSTMCell(3), layers.GRUCell(2)]},
                   input_shape=(2, 5, 3), expected_output_shape=(2, 2),
                   expected_num_trainable_weights=6)


def test_rnn_validation():
    with pytest.raises(ValueError, match="call"):
        layers.RNN(object())
    with pytest.raises(ValueError, match="state_size"):
        layers.RNN(layers.Dense(3))
    with pytest.raises(ValueError, match="state_size"):
        layers.StackedRNNCells([layers.Dense(3)])


def test_rnn_over_lstm_cell_is_fused_and_nested_states(forbid_step_loop):
    x = torch.randn(2, 4, 3)
    layer = layers.RNN(layers.LSTMCell(5), return_state=True)
    out, h, c = layer(x)
    assert out.shape == h.shape == c.shape == (2, 5)
    assert list(layer.state_dict()) == ["cell.weight_ih", "cell.weight_hh", "cell.bias_ih",
                                        "cell.bias_hh"]


def test_stacked_states_structure():
    layer = layers.RNN([layers.LSTMCell(3), layers.GRUCell(2)], return_state=True)
    out, s1, s2 = layer(torch.randn(2, 4, 3))
    assert out.shape == (2, 2) and [t.shape for t in s1] == [(2, 3), (2, 3)]
    assert [t.shape for t in s2] == [(2, 2)]
    assert layer.compute_output_shape((None, 4, 3))[0] == (None, 2)


@pytest.mark.keras_oracle
def test_user_cell_matches_keras(keras, oracle):
    class KMinimal(keras.layers.Layer):
        def __init__(self, units, **kwargs):
            super().__init__(**kwargs)
            self.units = units
            self.state_size = units

        def build(self, input_shape):
            self.kernel = self.add_weight(shape=(input_shape[-1], self.units))
            self.recurrent_kernel = self.add_weight(shape=(self.units, self.units))

        def call(self, inputs, states):
            out = keras.ops.tanh(inputs @ self.kernel + states[0] @ self.recurrent_kernel)
            return out, [out]

    mask = np.array([[1, 1, 0, 1, 0, 0], [1] * 6, [0] * 6], dtype=bool)
    for kwargs in [{"return_sequences": True}, {"go_backwards": True, "return_state": True}]:
        k, ours = keras.layers.RNN(KMinimal(3), **kwargs), layers.RNN(MinimalCell(3), **kwargs)
        oracle.pair(k, ours, X)
        oracle.assert_close(ours(torch.tensor(X)), k(X))
        oracle.assert_close(ours(torch.tensor(X), mask=torch.tensor(mask)), k(X, mask=mask))


@pytest.mark.keras_oracle
def test_stacked_cells_match_keras_and_config(keras, oracle):
    def make(lib):
        return lib.layers.RNN([lib.layers.LSTMCell(3), lib.layers.SimpleRNNCell(2),
                               lib.layers.GRUCell(2, reset_after=False)], return_state=True,
                              return_sequences=True)
    k, ours = make(keras), make(torchkeras)
    oracle.pair(k, ours, X)
    oracle.assert_close(ours(torch.tensor(X)), k(X))
    restored = keras.layers.RNN.from_config(ours.get_config())
    assert [type(c).__name__ for c in restored.cell.cells] == ["LSTMCell", "SimpleRNNCell",
                                                               "GRUCell"]
    ours2 = layers.RNN.from_config(k.get_config())
    ours2(torch.tensor(X))
    ours2.set_weights(k.get_weights())
    oracle.assert_close(ours2(torch.tensor(X)), k(X))


@pytest.mark.keras_oracle
def test_functional_model_and_weight_files_match_keras(keras, oracle, tmp_path):
    def build(lib):
        inp = lib.Input((6,), dtype="int32")
        x = lib.layers.Embedding(12, 5, mask_zero=True)(inp)
        x = lib.layers.LSTM(4, return_sequences=True)(x)
        x = lib.layers.Bidirectional(lib.layers.GRU(3, return_sequences=True))(x)
        x = lib.layers.TimeDistributed(lib.layers.Dense(2))(x)
        x = lib.layers.RNN([lib.layers.LSTMCell(3), lib.layers.LSTMCell(2)])(x)
        return lib.Model(inp, x)
    ids = np.array([[1, 2, 3, 0, 0, 0], [4, 5, 6, 7, 8, 9], [3, 4, 0, 0, 0, 0]], "int32")
    km, tm = build(keras), build(torchkeras)
    oracle.randomize(km)
    km.save_weights(str(tmp_path / "k.weights.h5"))
    tm.load_weights(str(tmp_path / "k.weights.h5"))
    oracle.assert_close(tm.predict(ids, verbose=0), km.predict(ids, verbose=0))
    assert [w.shape for w in tm.get_weights()] == [w.shape for w in km.get_weights()]
    tm.save_weights(str(tmp_path / "t.weights.h5"))
    km2 = build(keras)
    km2.load_weights(str(tmp_path / "t.weights.h5"))
    oracle.assert_close(km2.predict(ids, verbose=0), km.predict(ids, verbose=0))


@pytest.mark.keras_oracle
@pytest.mark.parametrize("rnn", ["SimpleRNN", "GRU", "LSTM"])
def test_masking_layer_feeds_rnn_like_keras(keras, oracle, rnn):
    x = X.copy()
    x[0, 4:] = 0.0          # right padding: packed fused path
    x[1, :2] = 0.0          # left padding: stepped path
    k_model = keras.Sequential([keras.Input((6, 5)), keras.layers.Masking(0.0),
                                getattr(keras.layers, rnn)(3, return_sequences=True)])
    t_model = torchkeras.Sequential([layers.Input((6, 5)), layers.Masking(0.0),
                                     getattr(layers, rnn)(3, return_sequences=True)])
    oracle.randomize(k_model)
    t_model.set_weights(k_model.get_weights())
    oracle.assert_close(t_model(torch.tensor(x)), k_model(x))
