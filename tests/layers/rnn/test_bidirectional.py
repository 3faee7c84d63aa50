"""Bidirectional: merge modes, states, masks, the fused two-direction kernel, Keras oracle."""
import numpy as np
import pytest
import torch

import torchkeras
from torchkeras import layers
from torchkeras.testing import run_layer_test

X = np.random.default_rng(0).normal(size=(3, 6, 5)).astype("float32")


@pytest.mark.parametrize("inner,merge,out_shape", [
    (lambda: layers.LSTM(3, return_sequences=True), "concat", (2, 5, 6)),
    (lambda: layers.GRU(3), "ave", (2, 3)),
    (lambda: layers.SimpleRNN(3, return_sequences=True, activation="sigmoid"), "mul",
     (2, 5, 3)),
])
def test_bidirectional_layer_test(inner, merge, out_shape):
    run_layer_test(layers.Bidirectional, {"layer": inner(), "merge_mode": merge},
                   input_shape=(2, 5, 3), expected_output_shape=out_shape,
                   expected_num_trainable_weights=6, supports_masking=True)


def test_bidirectional_validation_and_names():
    with pytest.raises(ValueError, match="merge mode"):
        layers.Bidirectional(layers.LSTM(2), merge_mode="max")
    with pytest.raises(ValueError, match="Layer"):
        layers.Bidirectional("lstm")
    with pytest.raises(ValueError, match="go_backwards"):
        layers.Bidirectional(layers.LSTM(2), backward_layer=layers.LSTM(2))
    with pytest.raises(ValueError, match="return_sequences"):
        layers.Bidirectional(layers.LSTM(2), backward_layer=layers.LSTM(
            2, go_backwards=True, return_sequences=True))
    layer = layers.Bidirectional(layers.LSTM(2, name="enc"))
    assert (layer.forward_layer.name, layer.backward_layer.name) == ("forward_enc",
                                                                     "backward_enc")
    assert layer.backward_layer.go_backwards


def test_bidirectional_fused_single_kernel(forbid_step_loop, monkeypatch):
    x = torch.randn(2, 5, 3, requires_grad=True)
    for inner in (layers.LSTM(4, return_sequences=True, return_state=True),
                  layers.GRU(4, return_state=True)):
        bi = layers.Bidirectional(inner)
        out = bi(x)
        fwd = bi.forward_layer(x)
        bwd = bi.backward_layer(x)
        units = 4
        if inner.return_sequences:
            torch.testing.assert_close(out[0][..., :units], fwd[0])
            torch.testing.assert_close(out[0][..., units:], bwd[0].flip(1))
        else:
            torch.testing.assert_close(out[0], torch.cat([fwd[0], bwd[0]], -1))
        for a, b in zip(out[1:], tuple(fwd[1:]) + tuple(bwd[1:])):
            torch.testing.assert_close(a, b)
        out[0].sum().backward()
    # the fused call does not go through the per-direction layers at all
    calls = []
    from torchkeras.layers.rnn.rnn import RNN
    monkeypatch.setattr(RNN, "call", lambda *a, **k: calls.append(1))
    layers.Bidirectional(layers.LSTM(2))(x)
    assert not calls


def test_bidirectional_stateful_reset():
    bi = layers.Bidirectional(layers.GRU(2, stateful=True, return_sequences=True))
    x = torch.randn(2, 3, 4)
    first = bi(x)
    assert not torch.allclose(bi(x), first)
    bi.reset_state()
    torch.testing.assert_close(bi(x), first)
    assert len(bi.states) == 2
    with pytest.raises(AttributeError, match="stateful"):
        layers.Bidirectional(layers.GRU(2)).reset_state()


@pytest.mark.keras_oracle
@pytest.mark.parametrize("merge", ["concat", "sum", "ave", "mul", None])
@pytest.mark.parametrize("inner_kwargs", [{"return_sequences": True},
                                          {"return_state": True}])
def test_bidirectional_matches_keras(keras, oracle, merge, inner_kwargs):
    k = keras.layers.Bidirectional(keras.layers.LSTM(3, **inner_kwargs), merge_mode=merge)
    ours = layers.Bidirectional(layers.LSTM(3, **inner_kwargs), merge_mode=merge)
    oracle.pair(k, ours, X)
    oracle.assert_close(ours(torch.tensor(X)), k(X))
    h = [np.random.default_rng(i).normal(size=(3, 3)).astype("float32") for i in range(4)]
    oracle.assert_close(ours(torch.tensor(X), initial_state=[torch.tensor(a) for a in h]),
                        k(X, initial_state=h))
    cfg = ours.get_config()
    restored = keras.layers.Bidirectional.from_config(cfg)
    assert restored.merge_mode == merge and restored.backward_layer.go_backwards


@pytest.mark.keras_oracle
@pytest.mark.parametrize("rnn", ["GRU", "LSTM", "SimpleRNN"])
def test_bidirectional_masks_match_keras(keras, oracle, rnn):
    ids = np.array([[1, 2, 3, 0, 0, 0], [4, 5, 6, 7, 8, 9], [0, 0, 0, 0, 0, 0]], "int64")

    def build(lib):
        inp = lib.Input((6,), dtype="int64")
        x = lib.layers.Embedding(10, 4, mask_zero=True)(inp)
        x = lib.layers.Bidirectional(getattr(lib.layers, rnn)(3, return_sequences=True))(x)
        x = lib.layers.Bidirectional(getattr(lib.layers, rnn)(2), merge_mode="sum")(x)
        return lib.Model(inp, x)
    km, tm = build(keras), build(torchkeras)
    oracle.randomize(km)
    tm.set_weights(km.get_weights())
    oracle.assert_close(tm(torch.tensor(ids)), km(ids))
