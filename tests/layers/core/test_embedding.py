"""Embedding layer: storage, masks, configs and Keras oracle."""
import numpy as np
import pytest
import torch

from torchkeras import layers
from torchkeras.testing import run_layer_test


@pytest.mark.parametrize("kwargs,in_shape,out_shape", [
    ({"input_dim": 5, "output_dim": 4}, (2, 3), (2, 3, 4)),
    ({"input_dim": 6, "output_dim": 2, "mask_zero": True}, (2, 3, 4), (2, 3, 4, 2)),
    ({"input_dim": 5, "output_dim": 3, "embeddings_regularizer": "l2"}, (3,), (3, 3)),
])
def test_embedding_layer_test(kwargs, in_shape, out_shape):
    run_layer_test(layers.Embedding, kwargs, input_shape=in_shape, input_dtype="int64",
                   expected_output_shape=out_shape, expected_num_trainable_weights=1,
                   expected_num_non_trainable_weights=0,
                   expected_num_losses=1 if "embeddings_regularizer" in kwargs else 0,
                   supports_masking=kwargs.get("mask_zero", False),
                   run_symbolic_check=len(in_shape) > 1)


def test_embedding_storage_is_nn_embedding():
    layer = layers.Embedding(7, 3)
    x = torch.tensor([[1, 6, 0]])
    out = layer(x)
    assert list(layer.state_dict()) == ["weight"]
    ref = torch.nn.Embedding(7, 3)
    ref.load_state_dict(layer.state_dict())
    torch.testing.assert_close(ref(x), out)
    assert layer.embeddings is layer.weight and layer.weights[0].name == "embeddings"
    torch.testing.assert_close(layer(x.to(torch.int32)), out)
    torch.testing.assert_close(layer(x.float()), out)


def test_embedding_mask_and_initial_weights():
    table = np.arange(12, dtype="float32").reshape(4, 3)
    layer = layers.Embedding(4, 3, mask_zero=True, weights=[table])
    assert layer.built
    out = layer(torch.tensor([[0, 3, 1]]))
    np.testing.assert_array_equal(out[0].detach().numpy(), table[[0, 3, 1]])
    assert out._keras_mask.tolist() == [[False, True, True]]
    assert layers.Embedding(4, 3).compute_mask(torch.tensor([1]), None) is None


def test_embedding_validation():
    with pytest.raises(ValueError, match="input_dim"):
        layers.Embedding(0, 3)
    with pytest.raises(ValueError, match="output_dim"):
        layers.Embedding(3, -1)
    with pytest.raises(AttributeError):
        layers.Embedding(3, 2).embeddings


@pytest.mark.keras_oracle
@pytest.mark.parametrize("kwargs", [{"input_dim": 8, "output_dim": 4},
                                    {"input_dim": 5, "output_dim": 2, "mask_zero": True}])
def test_embedding_matches_keras(keras, kwargs):
    x = np.random.default_rng(0).integers(0, kwargs["input_dim"], size=(3, 6))
    k = keras.layers.Embedding(**kwargs)
    k_out = k(x)
    ours = layers.Embedding(**kwargs)
    ours(torch.as_tensor(x))
    assert [w.shape for w in ours.get_weights()] == [w.shape for w in k.get_weights()]
    ours.set_weights(k.get_weights())
    out = ours(torch.as_tensor(x))
    np.testing.assert_allclose(out.detach().numpy(), np.asarray(k_out.detach().cpu()), rtol=1e-6)
    if kwargs.get("mask_zero"):
        np.testing.assert_array_equal(out._keras_mask.numpy(),
                                      np.asarray(k.compute_mask(x).cpu()))
    assert {a: b for a, b in ours.get_config().items() if a != "name"} == \
        {a: b for a, b in k.get_config().items() if a != "name"}
    # Keras's initializer draws within the same range
    fresh = layers.Embedding(**kwargs)
    fresh.build(None)
    assert np.abs(fresh.get_weights()[0]).max() <= 0.05
