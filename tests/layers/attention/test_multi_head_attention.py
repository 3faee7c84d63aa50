"""MultiHeadAttention: Keras layouts, SDPA inside, masks, configs and Keras oracle."""
import numpy as np
import pytest
import torch
import torch.nn.functional as F

import torchkeras
from torchkeras import layers

RNG = np.random.default_rng(0)
Q = RNG.normal(size=(2, 5, 8)).astype("float32")
V = RNG.normal(size=(2, 7, 6)).astype("float32")
K = RNG.normal(size=(2, 7, 3)).astype("float32")


@pytest.mark.parametrize("kwargs,call,q,v,out", [
    ({"num_heads": 2, "key_dim": 4}, {}, (2, 5, 8), (2, 7, 6), (2, 5, 8)),
    ({"num_heads": 3, "key_dim": 2, "value_dim": 5, "output_shape": (2, 3), "use_bias": False},
     {"return_attention_scores": True}, (2, 5, 8), (2, 7, 6), (2, 5, 2, 3)),
    ({"num_heads": 2, "key_dim": 3, "attention_axes": (1, 2), "dropout": 0.3},
     {}, (2, 3, 4, 6), (2, 3, 4, 6), (2, 3, 4, 6)),
    ({"num_heads": 2, "key_dim": 4, "use_gate": True, "sliding_window": 2,
      "kernel_regularizer": "l2"}, {"use_causal_mask": True}, (2, 5, 8), (2, 5, 8), (2, 5, 8)),
])
def test_mha_layer_test(two_input_layer_test, kwargs, call, q, v, out):
    n = (4 if not kwargs.get("use_bias", True) else 8) + (2 if kwargs.get("use_gate") else 0)
    layer = two_input_layer_test(layers.MultiHeadAttention, kwargs, q, v, call, out, n)
    if "kernel_regularizer" in kwargs:
        assert len(layer.losses) == 5


def test_mha_storage_and_validation():
    mha = layers.MultiHeadAttention(2, 4, value_dim=3)
    mha(torch.tensor(Q), torch.tensor(V), key=torch.tensor(K))
    assert [tuple(w.shape) for w in mha.get_weights()] == [
        (8, 2, 4), (2, 4), (3, 2, 4), (2, 4), (6, 2, 3), (2, 3), (2, 3, 8), (8,)]
    # As Keras: the outer layer's name prefixes its sublayers' weights.
    assert [w.path for w in mha.weights] == ["%s/%s/%s" % (mha.name, d, v) for d in
                                             ("query", "key", "value", "attention_output")
                                             for v in ("kernel", "bias")]
    assert list(mha.state_dict())[:2] == ["query_dense.weight", "query_dense.bias"]
    assert mha.query_dense.weight.shape == (8, 8)      # nn.Linear layout (out, in)
    with pytest.raises(ValueError, match="num_heads"):
        layers.MultiHeadAttention(0, 4)
    with pytest.raises(ValueError, match="key_dim"):
        layers.MultiHeadAttention(2, 1.5)
    with pytest.raises(ValueError, match="sliding_window"):
        layers.MultiHeadAttention(2, 4, sliding_window=0)
    with pytest.raises(ValueError, match="key"):
        layers.MultiHeadAttention(2, 4)(torch.randn(1, 2, 3), torch.randn(1, 4, 3),
                                        key=torch.randn(1, 5, 3))


def test_mha_uses_sdpa_unless_scores_requested(monkeypatch):
    calls = []
    real = F.scaled_dot_product_attention

    def spy(*args, **kwargs):
        calls.append(kwargs.get("is_causal"))
        return real(*args, **kwargs)
    monkeypatch.setattr(F, "scaled_dot_product_attention", spy)
    mha = layers.MultiHeadAttention(2, 4)
    q = torch.tensor(Q)
    mha(q, q)
    mha(q, q, use_causal_mask=True)
    mha(q, q, attention_mask=torch.ones(2, 5, 5, dtype=torch.bool))
    assert calls == [False, True, False]
    mha(q, q, return_attention_scores=True)
    assert len(calls) == 3


def test_mha_output_mask_and_symbolic_scores():
    x = torch.tensor(Q)
    x._keras_mask = torch.tensor([[True] * 3 + [False] * 2, [True] * 5])
    out = layers.MultiHeadAttention(2, 4)(x, x)
    assert out._keras_mask is x._keras_mask
    q, v = layers.Input((5, 8)), layers.Input((7, 6))
    out, scores = layers.MultiHeadAttention(2, 4)(q, v, return_attention_scores=True)
    assert out.shape == (None, 5, 8) and scores.shape == (None, 2, 5, 7)


@pytest.mark.keras_oracle
@pytest.mark.parametrize("kwargs,call", [
    ({}, {}),
    ({}, {"key": K}),
    ({"value_dim": 3, "output_shape": 5, "use_bias": False}, {"return_attention_scores": True}),
    ({"dropout": 0.5}, {"attention_mask": RNG.random((2, 5, 7)) > 0.4}),
    ({"use_gate": True}, {"attention_mask": RNG.random((2, 5, 7)) > 0.4,
                          "return_attention_scores": True}),
    ({"attention_axes": 1, "output_shape": (2, 2)}, {}),
])
def test_mha_matches_keras(keras, oracle, kwargs, call):
    k, ours = keras.layers.MultiHeadAttention(2, 4, **kwargs), \
        layers.MultiHeadAttention(2, 4, **kwargs)
    t_call = {a: (torch.tensor(b) if isinstance(b, np.ndarray) else b) for a, b in call.items()}
    k(Q, V, **call)
    ours(torch.tensor(Q), torch.tensor(V), **t_call)
    oracle.randomize(k)
    ours.set_weights(k.get_weights())
    oracle.assert_close(ours(torch.tensor(Q), torch.tensor(V), **t_call), k(Q, V, **call))
    assert {a: b for a, b in ours.get_config().items() if a != "name"} == \
        {a: b for a, b in k.get_config().items() if a != "name"}


@pytest.mark.keras_oracle
@pytest.mark.parametrize("kwargs,call", [
    ({}, {"use_causal_mask": True}),
    ({"sliding_window": 2}, {"use_causal_mask": True}),
    ({}, {"return_attention_scores": True}),
    ({"attention_axes": (1, 2)}, {}),
])
def test_mha_self_attention_and_axes_match_keras(keras, oracle, kwargs, call):
    x = Q if "attention_axes" not in kwargs else RNG.normal(size=(2, 3, 4, 8)).astype(
        "float32")
    k, ours = keras.layers.MultiHeadAttention(3, 2, **kwargs), \
        layers.MultiHeadAttention(3, 2, **kwargs)
    k(x, x, **call)
    ours(torch.tensor(x), torch.tensor(x), **call)
    oracle.randomize(k)
    ours.set_weights(k.get_weights())
    oracle.assert_close(ours(torch.tensor(x), torch.tensor(x), **call), k(x, x, **call))


@pytest.mark.keras_oracle
@pytest.mark.parametrize("dropout", [0.0, 0.2])
def test_mha_keras_masks_and_weight_files(keras, oracle, tmp_path, dropout):
    ids = np.array([[1, 2, 3, 0, 0], [4, 5, 6, 7, 8]], "int32")

    def build(lib):
        inp = lib.Input((5,), dtype="int32")
        x = lib.layers.Embedding(10, 8, mask_zero=True)(inp)
        x = lib.layers.MultiHeadAttention(2, 4, dropout=dropout)(x, x)
        x = lib.layers.MultiHeadAttention(2, 4)(x, x, use_causal_mask=True)
        return lib.Model(inp, x)
    km, tm = build(keras), build(torchkeras)
    oracle.randomize(km)
    km.save_weights(str(tmp_path / "k.weights.h5"))
    tm.load_weights(str(tmp_path / "k.weights.h5"))
    oracle.assert_close(tm.predict(ids, verbose=0), km.predict(ids, verbose=0))
