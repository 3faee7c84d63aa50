"""ReversibleEmbedding: tied/untied projection, soft cap, dtypes, masks, Keras oracle."""
import numpy as np
import pytest
import torch

import torchkeras
from torchkeras import layers
from torchkeras.testing import run_layer_test


@pytest.mark.parametrize("kwargs,n_weights", [
    ({"input_dim": 7, "output_dim": 3}, 1),
    ({"input_dim": 7, "output_dim": 3, "tie_weights": False}, 2),
    ({"input_dim": 7, "output_dim": 3, "mask_zero": True, "logit_soft_cap": 5.0}, 1),
])
def test_reversible_embedding_layer_test(kwargs, n_weights):
    run_layer_test(layers.ReversibleEmbedding, kwargs, input_shape=(2, 4), input_dtype="int64",
                   expected_output_shape=(2, 4, 3), expected_num_trainable_weights=n_weights,
                   expected_num_non_trainable_weights=0,
                   supports_masking=kwargs.get("mask_zero", False),
                   # a forward call leaves reverse_embeddings without a gradient: the
                   # reverse path's gradients are checked below
                   run_training_check=kwargs.get("tie_weights", True))


@pytest.mark.parametrize("tie", [True, False])
def test_reverse_call_shapes_and_gradients(tie):
    layer = layers.ReversibleEmbedding(11, 5, tie_weights=tie)
    hidden = layer(torch.tensor([[1, 2, 3]]))
    logits = layer(hidden, reverse=True)
    assert tuple(logits.shape) == (1, 3, 11) == layer.compute_output_shape((1, 3, 5), True)
    table = layer.embeddings if tie else layer.reverse_embeddings.t()
    torch.testing.assert_close(logits, hidden @ table.t())
    logits.sum().backward()
    assert all(w.grad is not None for w in layer.trainable_weights)
    assert [w.name for w in layer.weights] == (["embeddings"] if tie else
                                               ["embeddings", "reverse_embeddings"])


def test_reverse_symbolic_and_mask():
    layer = layers.ReversibleEmbedding(9, 4, mask_zero=True)
    ids = torchkeras.Input((5,), dtype="int32")
    hidden = layer(ids)
    logits = layer(hidden, reverse=True)
    assert tuple(hidden.shape) == (None, 5, 4) and tuple(logits.shape) == (None, 5, 9)
    model = torchkeras.Model(ids, logits)
    out = model(torch.tensor([[1, 2, 0, 0, 3]]))
    assert tuple(out.shape) == (1, 5, 9)
    # forward calls carry the padding mask, reverse calls none
    assert layer.compute_mask(torch.tensor([[1, 0]])).tolist() == [[True, False]]
    assert layer.compute_mask(torch.randn(1, 2, 4)) is None


def test_soft_cap_and_reverse_dtype():
    layer = layers.ReversibleEmbedding(6, 2, logit_soft_cap=0.5, reverse_dtype="bfloat16",
                                       embeddings_initializer="ones")
    layer(torch.tensor([0]))
    out = layer(torch.full((1, 2), 10.0), reverse=True).detach()
    assert out.dtype == torch.bfloat16
    assert float(out.float().abs().max()) <= 0.5
    torch.testing.assert_close(out.float(), torch.full((1, 6), 0.5), atol=1e-2, rtol=0)


@pytest.mark.parametrize("kwargs,word", [
    ({"reverse_dtype": "int32"}, "reverse_dtype"), ({"reverse_dtype": "nope"}, "reverse_dtype"),
    ({"logit_soft_cap": -1.0}, "logit_soft_cap"), ({"logit_soft_cap": "big"}, "logit_soft_cap"),
])
def test_bad_arguments(kwargs, word):
    with pytest.raises(ValueError, match=word):
        layers.ReversibleEmbedding(5, 2, **kwargs)


def test_reverse_wrong_width():
    layer = layers.ReversibleEmbedding(5, 2)
    with pytest.raises(ValueError, match="output_dim"):
        layer(torch.randn(1, 3), reverse=True)


@pytest.mark.keras_oracle
@pytest.mark.parametrize("kwargs", [
    {"input_dim": 10, "output_dim": 4},
    {"input_dim": 10, "output_dim": 4, "tie_weights": False, "logit_soft_cap": 2.0,
     "mask_zero": True},
    {"input_dim": 10, "output_dim": 4, "reverse_dtype": "float16", "tie_weights": False},
])
def test_reversible_embedding_matches_keras(keras, kwargs):
    ref = keras.layers.ReversibleEmbedding(**kwargs)
    ours = layers.ReversibleEmbedding(**kwargs)
    ids = np.array([[1, 2, 0], [9, 4, 4]])
    ref(ids)
    ours(torch.tensor(ids))
    assert [w.path.split("/")[-1] for w in ref.weights] == [w.name for w in ours.weights]
    assert [tuple(w.shape) for w in ref.weights] == [tuple(w.shape) for w in ours.weights]
    ours.set_weights(ref.get_weights())
    np.testing.assert_allclose(ours(torch.tensor(ids)).detach().numpy(),
                               keras.ops.convert_to_numpy(ref(ids)))
    hidden = np.random.default_rng(0).normal(size=(2, 3, 4)).astype("float32")
    want = keras.ops.convert_to_numpy(ref(hidden, reverse=True))
    got = ours(torch.tensor(hidden), reverse=True).detach()
    assert str(got.dtype).replace("torch.", "") == str(want.dtype)
    np.testing.assert_allclose(got.float().numpy(), want.astype("float32"), rtol=1e-3,
                               atol=1e-3 if kwargs.get("reverse_dtype") else 1e-6)
    strip = ("name",)
    assert {k: v for k, v in ours.get_config().items() if k not in strip} == \
        {k: v for k, v in ref.get_config().items() if k not in strip}
