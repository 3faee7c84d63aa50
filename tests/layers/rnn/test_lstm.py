"""LSTM / LSTMCell: storage, fused path, masks, states, configs and Keras oracle."""
import numpy as np
import pytest
import torch

from torchkeras import layers
from torchkeras.testing import run_layer_test

X = np.random.default_rng(0).normal(size=(3, 6, 5)).astype("float32")


@pytest.mark.parametrize("kwargs,out_shape,losses", [
    ({"units": 4}, (2, 4), 0),
    ({"units": 4, "return_sequences": True, "go_backwards": True}, (2, 5, 4), 0),
    ({"units": 3, "return_sequences": True, "dropout": 0.3, "recurrent_dropout": 0.2},
     (2, 5, 3), 0),
    ({"units": 3, "use_bias": False, "unit_forget_bias": False, "activation": "relu"}, (2, 3),
     0),
    ({"units": 3, "kernel_regularizer": "l2", "recurrent_regularizer": "l1",
      "bias_regularizer": "l2"}, (2, 3), 3),
])
def test_lstm_layer_test(kwargs, out_shape, losses):
    run_layer_test(layers.LSTM, kwargs, input_shape=(2, 5, 3), expected_output_shape=out_shape,
                   expected_num_trainable_weights=2 if kwargs.get("use_bias") is False else 3,
                   expected_num_non_trainable_weights=0, expected_num_losses=losses,
                   supports_masking=True)


def test_lstm_return_state_shapes_and_symbolic():
    layer = layers.LSTM(4, return_state=True, return_sequences=True)
    out, h, c = layer(torch.randn(2, 5, 3))
    assert out.shape == (2, 5, 4) and h.shape == (2, 4) and c.shape == (2, 4)
    torch.testing.assert_close(out[:, -1], h)
    sym = layers.LSTM(4, return_state=True)(layers.Input((None, 3)))
    assert [s.shape for s in sym] == [(None, 4), (None, 4), (None, 4)]


def test_lstm_cell_layer_test_and_storage():
    cell = layers.LSTMCell(4)
    h, (h2, c) = cell(torch.randn(2, 3), [torch.zeros(2, 4), torch.zeros(2, 4)])
    assert h is h2 and c.shape == (2, 4)
    assert [tuple(w.shape) for w in cell.get_weights()] == [(3, 16), (4, 16), (16,)]
    assert [w.name for w in cell.weights] == ["kernel", "recurrent_kernel", "bias"]
    assert list(cell.state_dict()) == ["weight_ih", "weight_hh", "bias_ih", "bias_hh"]
    ref = torch.nn.LSTMCell(3, 4)
    ref.load_state_dict(cell.state_dict())
    x, s = torch.randn(2, 3), [torch.randn(2, 4), torch.randn(2, 4)]
    torch.testing.assert_close(ref(x, tuple(s))[0], cell(x, s)[0])
    # unit_forget_bias: the forget gate's bias starts at one
    np.testing.assert_array_equal(cell.get_weights()[2], [0] * 4 + [1] * 4 + [0] * 8)


def test_lstm_state_dict_is_nn_lstm():
    layer = layers.LSTM(4, return_sequences=True)
    x = torch.randn(2, 6, 3)
    out = layer(x)
    assert list(layer.state_dict()) == ["weight_ih_l0", "weight_hh_l0", "bias_ih_l0",
                                        "bias_hh_l0"]
    ref = torch.nn.LSTM(3, 4, batch_first=True)
    ref.load_state_dict(layer.state_dict())
    torch.testing.assert_close(ref(x)[0], out)
    # and back: torch's two biases fold into one, exactly
    torch.nn.init.normal_(ref.bias_hh_l0)
    layer.load_state_dict(ref.state_dict())
    torch.testing.assert_close(layer(x), ref(x)[0])
    assert not layer.bias_hh_l0.any()
    again = layers.LSTM(4, return_sequences=True)
    again(x)
    again.set_weights(layer.get_weights())
    for a, b in zip(again.get_weights(), layer.get_weights()):
        np.testing.assert_array_equal(a, b)
    # the layer's cell reads the adopted weights: one set of parameters, Keras names
    assert layer.cell.weight_ih is layer.weight_ih_l0
    assert len(list(layer.parameters())) == 3
    # As Keras: the RNN layer's name prefixes its cell's weights.
    assert [w.path for w in layer.weights] == ["%s/lstm_cell/%s" % (layer.name, v) for v in
                                               ("kernel", "recurrent_kernel", "bias")]
    torch.testing.assert_close(layer.cell.kernel, layer.weight_ih_l0.t())


def test_lstm_default_config_takes_fused_path(forbid_step_loop):
    x = torch.randn(2, 5, 3, requires_grad=True)
    for kwargs in [{}, {"return_sequences": True, "go_backwards": True},
                   {"return_state": True, "dropout": 0.5}, {"use_bias": False}]:
        out = layers.LSTM(4, **kwargs)(x, training=True)
        (out[0] if isinstance(out, tuple) else out).sum().backward()
    mask = torch.tensor([[1, 1, 1, 0, 0], [1, 1, 1, 1, 1]], dtype=torch.bool)
    layers.LSTM(4, return_sequences=True)(x, mask=mask)
    with pytest.raises(AssertionError, match="fallback"):
        layers.LSTM(4, recurrent_dropout=0.2)(x, training=True)


def test_lstm_fused_and_loop_agree_with_gradients():
    x = torch.randn(3, 7, 4)
    mask = torch.tensor([[1] * 7, [1] * 3 + [0] * 4, [0] * 7], dtype=torch.bool)
    for kwargs in [{"return_sequences": True}, {"go_backwards": True, "return_state": True},
                   {"return_sequences": True, "zero_output_for_mask": True}]:
        fused = layers.LSTM(5, **kwargs)
        loop = layers.LSTM(5, use_cudnn=False, **kwargs)
        fused(x)
        loop(x)
        loop.set_weights(fused.get_weights())
        for m in (None, mask):
            xa, xb = x.clone().requires_grad_(), x.clone().requires_grad_()
            a, b = fused(xa, mask=m), loop(xb, mask=m)
            a, b = (a if isinstance(a, tuple) else (a,)), (b if isinstance(b, tuple) else (b,))
            for ta, tb in zip(a, b):
                torch.testing.assert_close(ta, tb, rtol=1e-5, atol=1e-6)
            sum(t.sum() for t in a).backward()
            sum(t.sum() for t in b).backward()
            torch.testing.assert_close(xa.grad, xb.grad, rtol=1e-5, atol=1e-6)
    for p, q in zip(fused.parameters(), loop.parameters()):
        torch.testing.assert_close(p.grad, q.grad, rtol=1e-4, atol=1e-5)


def test_lstm_use_cudnn_argument():
    with pytest.raises(ValueError, match="use_cudnn"):
        layers.LSTM(2, use_cudnn="yes")
    with pytest.raises(ValueError, match="cuDNN is not supported"):
        layers.LSTM(2, activation="relu", use_cudnn=True)(torch.randn(1, 2, 3))
    with pytest.raises(ValueError, match="units"):
        layers.LSTM(0)
    layer = layers.LSTM(2)
    x = torch.randn(1, 3, 2)
    fused = layer(x)
    assert layer._fused_mode() == "LSTM"
    layer.use_cudnn = False                    # switching it later takes effect
    assert layer._fused_mode() is None
    torch.testing.assert_close(layer(x), fused)


def test_lstm_symbolic_explicit_mask_and_functional():
    import torchkeras
    xi, mi = layers.Input((5, 3)), layers.Input((5,), dtype="bool")
    model = torchkeras.Model([xi, mi], layers.LSTM(4, return_sequences=True)(xi, mask=mi))
    x = np.random.default_rng(0).normal(size=(2, 5, 3)).astype("float32")
    m = np.array([[1, 1, 1, 0, 0], [1] * 5], bool)
    out = model.predict([x, m], verbose=0)
    ref = layers.LSTM(4, return_sequences=True)
    ref(torch.tensor(x))
    ref.set_weights(model.layers[-1].get_weights())
    np.testing.assert_allclose(out, ref(torch.tensor(x), mask=torch.tensor(m)).detach().numpy(),
                               rtol=1e-5, atol=1e-6)


def test_lstm_stateful_and_reset():
    layer = layers.LSTM(3, stateful=True)
    x = torch.randn(2, 4, 3)
    first = layer(x)
    second = layer(x)
    assert not torch.allclose(first, second)
    layer.reset_state()
    torch.testing.assert_close(layer(x), first)
    layer.reset_states()
    assert all(not s.any() for s in layer.states)
    with pytest.raises(ValueError, match="batch size"):
        layer(torch.randn(3, 4, 3))
    assert "state_0" not in layer.state_dict()


@pytest.mark.keras_oracle
@pytest.mark.parametrize("kwargs", [
    {}, {"return_sequences": True}, {"return_sequences": True, "go_backwards": True},
    {"return_state": True}, {"activation": "relu"}, {"use_bias": False},
    {"recurrent_activation": "hard_sigmoid", "return_sequences": True},
    {"unroll": True, "return_sequences": True},
])
def test_lstm_matches_keras(keras, oracle, kwargs):
    k, ours = keras.layers.LSTM(4, **kwargs), layers.LSTM(4, **kwargs)
    oracle.pair(k, ours, X)
    oracle.assert_close(ours(torch.tensor(X)), k(X))
    cfg, kcfg = ours.get_config(), k.get_config()
    assert {key: v for key, v in cfg.items() if key != "name"} == \
        {key: v for key, v in kcfg.items() if key != "name"}


@pytest.mark.keras_oracle
@pytest.mark.parametrize("kwargs", [
    {"return_sequences": True}, {"return_sequences": True, "go_backwards": True},
    {"return_state": True}, {"return_sequences": True, "zero_output_for_mask": True},
])
@pytest.mark.parametrize("ids", [
    [[1, 2, 3, 0, 0, 0], [4, 5, 6, 7, 8, 9], [3, 0, 0, 0, 0, 0]],     # right-padded: packed
    [[0, 0, 1, 2, 3, 4], [4, 0, 6, 0, 8, 9], [0, 0, 0, 0, 0, 0]],     # anything else: loop
])
def test_lstm_masks_match_keras(keras, oracle, kwargs, ids):
    ids = np.array(ids, dtype="int64")
    k_emb, emb = keras.layers.Embedding(10, 5, mask_zero=True), layers.Embedding(10, 5,
                                                                                  mask_zero=True)
    k_emb(ids)
    emb(torch.tensor(ids))
    emb.set_weights(k_emb.get_weights())
    k, ours = keras.layers.LSTM(3, **kwargs), layers.LSTM(3, **kwargs)
    oracle.pair(k, ours, X[:, :, :5])
    oracle.assert_close(ours(emb(torch.tensor(ids))), k(k_emb(ids)))


@pytest.mark.keras_oracle
def test_lstm_initial_state_and_stateful_match_keras(keras, oracle):
    h0, c0 = (np.random.default_rng(2).normal(size=(3, 4)).astype("float32") for _ in range(2))
    k, ours = keras.layers.LSTM(4, return_state=True), layers.LSTM(4, return_state=True)
    oracle.pair(k, ours, X)
    oracle.assert_close(ours(torch.tensor(X), initial_state=[torch.tensor(h0),
                                                             torch.tensor(c0)]),
                        k(X, initial_state=[h0, c0]))
    k, ours = keras.layers.LSTM(4, stateful=True), layers.LSTM(4, stateful=True)
    oracle.pair(k, ours, X)
    k.reset_state()
    ours.reset_state()
    for _ in range(2):
        oracle.assert_close(ours(torch.tensor(X)), k(X))
    oracle.assert_close(ours.states, k.states)
