"""GroupQueryAttention (GroupedQueryAttention): shared key/value heads, SDPA, Keras oracle."""
import numpy as np
import pytest
import torch
import torch.nn.functional as F

from torchkeras import layers
from torchkeras.saving.serialization import deserialize_keras_object, serialize_keras_object

RNG = np.random.default_rng(0)
Q = RNG.normal(size=(2, 5, 8)).astype("float32")
V = RNG.normal(size=(2, 6, 8)).astype("float32")


@pytest.mark.parametrize("kwargs,call", [
    ({"head_dim": 4, "num_query_heads": 4, "num_key_value_heads": 2}, {}),
    ({"head_dim": 2, "num_query_heads": 3, "num_key_value_heads": 1, "use_bias": False,
      "dropout": 0.2}, {"return_attention_scores": True}),
    ({"head_dim": 4, "num_query_heads": 2, "num_key_value_heads": 2, "use_gate": True},
     {"use_causal_mask": True}),
])
def test_gqa_layer_test(two_input_layer_test, kwargs, call):
    n = (8 if kwargs.get("use_bias", True) else 4) + (2 if kwargs.get("use_gate") else 0)
    two_input_layer_test(layers.GroupQueryAttention, kwargs, (2, 5, 8), (2, 6, 8), call,
                         (2, 5, 8), n)


def test_gqa_names_and_validation(monkeypatch):
    assert layers.GroupedQueryAttention is layers.GroupQueryAttention
    layer = layers.GroupQueryAttention(4, 4, 2)
    assert layer.name.startswith("grouped_query_attention")
    config = serialize_keras_object(layer)
    config["class_name"] = "GroupQueryAttention"      # what Keras writes
    assert type(deserialize_keras_object(config)) is layers.GroupedQueryAttention
    with pytest.raises(ValueError, match="divisible"):
        layers.GroupQueryAttention(4, 3, 2)
    seen = []
    real = F.scaled_dot_product_attention
    monkeypatch.setattr(F, "scaled_dot_product_attention",
                        lambda *a, **k: seen.append(k.get("enable_gqa")) or real(*a, **k))
    layer(torch.tensor(Q), torch.tensor(V))
    assert seen == [True]
    out, scores = layer(torch.tensor(Q), torch.tensor(V), return_attention_scores=True)
    assert scores.shape == (2, 4, 5, 6) and len(seen) == 1


@pytest.mark.keras_oracle
@pytest.mark.parametrize("kwargs", [
    {"head_dim": 4, "num_query_heads": 4, "num_key_value_heads": 2},
    {"head_dim": 3, "num_query_heads": 6, "num_key_value_heads": 3, "use_gate": True,
     "sliding_window": 2},
    {"head_dim": 4, "num_query_heads": 2, "num_key_value_heads": 1, "use_bias": False,
     "dropout": 0.4},
])
@pytest.mark.parametrize("call", [{}, {"use_causal_mask": True},
                                  {"return_attention_scores": True},
                                  {"attention_mask": RNG.random((2, 5, 6)) > 0.3}])
def test_gqa_matches_keras(keras, oracle, kwargs, call):
    k, ours = keras.layers.GroupQueryAttention(**kwargs), layers.GroupQueryAttention(**kwargs)
    t_call = {a: (torch.tensor(b) if isinstance(b, np.ndarray) else b) for a, b in call.items()}
    k(Q, V, **call)
    ours(torch.tensor(Q), torch.tensor(V), **t_call)
    oracle.randomize(k)
    ours.set_weights(k.get_weights())
    oracle.assert_close(ours(torch.tensor(Q), torch.tensor(V), **t_call), k(Q, V, **call))
    assert {a: b for a, b in ours.get_config().items() if a != "name"} == \
        {a: b for a, b in k.get_config().items() if a != "name"}


@pytest.mark.keras_oracle
def test_gqa_keras_model_file_loads(keras, oracle, tmp_path):
    import torchkeras

    def build(lib):
        inp = lib.Input((5, 8))
        x = lib.layers.GroupQueryAttention(4, 4, 2)(inp, inp)
        return lib.Model(inp, lib.layers.Attention()([x, inp]))
    km = build(keras)
    oracle.randomize(km)
    km.save(str(tmp_path / "k.keras"))
    tm = torchkeras.saving.load_model(str(tmp_path / "k.keras"))
    oracle.assert_close(tm.predict(Q, verbose=0), km.predict(Q, verbose=0))
    assert type(tm.layers[1]) is layers.GroupedQueryAttention
