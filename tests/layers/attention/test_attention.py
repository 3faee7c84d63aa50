"""Attention and AdditiveAttention: list inputs, masks, scores and Keras oracle."""
import numpy as np
import pytest
import torch

from torchkeras import layers
from torchkeras.testing import run_layer_test

RNG = np.random.default_rng(0)
Q = RNG.normal(size=(2, 4, 6)).astype("float32")
V = RNG.normal(size=(2, 5, 6)).astype("float32")
KEY = RNG.normal(size=(2, 5, 6)).astype("float32")


@pytest.mark.parametrize("cls,kwargs,n", [
    (layers.Attention, {}, 0),
    (layers.Attention, {"use_scale": True, "score_mode": "concat", "dropout": 0.2}, 2),
    (layers.AdditiveAttention, {}, 1),
    (layers.AdditiveAttention, {"use_scale": False}, 0),
])
def test_attention_layer_test(cls, kwargs, n):
    run_layer_test(cls, kwargs, input_shape=[(2, 4, 6), (2, 5, 6)],
                   expected_output_shape=(2, 4, 6), expected_num_trainable_weights=n,
                   supports_masking=True, run_training_check=n > 0)
    run_layer_test(cls, kwargs, input_shape=[(2, 4, 6), (2, 5, 3), (2, 5, 6)],
                   expected_output_shape=(2, 4, 3), expected_num_trainable_weights=n)


def test_attention_validation_and_masks():
    with pytest.raises(ValueError, match="score_mode"):
        layers.Attention(score_mode="add")
    with pytest.raises(ValueError, match="list of inputs"):
        layers.Attention()(torch.tensor(Q))
    with pytest.raises(ValueError, match="length 2 or 3"):
        layers.Attention()([torch.tensor(Q)])
    q = torch.tensor(Q)
    q._keras_mask = torch.tensor([[True, True, False, False], [True] * 4])
    out = layers.Attention()([q, torch.tensor(V)])
    assert out._keras_mask is q._keras_mask
    assert not out[0, 2:].any()
    out, scores = layers.Attention()([q, torch.tensor(V)], return_attention_scores=True)
    assert scores.shape == (2, 4, 5)
    torch.testing.assert_close(scores.sum(-1), torch.ones(2, 4))


@pytest.mark.keras_oracle
@pytest.mark.parametrize("cls,kwargs", [
    ("Attention", {}), ("Attention", {"use_scale": True}),
    ("Attention", {"score_mode": "concat", "use_scale": True}),
    ("Attention", {"dropout": 0.3}), ("AdditiveAttention", {}),
    ("AdditiveAttention", {"use_scale": False}),
])
@pytest.mark.parametrize("call", [
    {}, {"use_causal_mask": True}, {"return_attention_scores": True},
    {"mask": [np.array([[1, 1, 0, 1], [1] * 4], bool), np.array([[1, 0, 1, 0, 0], [0] * 5],
                                                                bool)]},
])
def test_attention_matches_keras(keras, oracle, cls, kwargs, call):
    k, ours = getattr(keras.layers, cls)(**kwargs), getattr(layers, cls)(**kwargs)
    t_call = dict(call)
    if "mask" in call:
        t_call["mask"] = [torch.tensor(m) for m in call["mask"]]
    k([Q, V, KEY], **call)
    ours([torch.tensor(Q), torch.tensor(V), torch.tensor(KEY)], **t_call)
    if k.weights:
        oracle.randomize(k)
        ours.set_weights(k.get_weights())
    oracle.assert_close(ours([torch.tensor(Q), torch.tensor(V), torch.tensor(KEY)], **t_call),
                        k([Q, V, KEY], **call))
    assert {a: b for a, b in ours.get_config().items() if a != "name"} == \
        {a: b for a, b in k.get_config().items() if a != "name"}
