"""CategoryEncoding and Discretization: shapes, configs, errors and Keras 3 parity."""
import numpy as np
import pytest
import torch

from torchkeras import layers
from torchkeras.testing import run_layer_test

INPUTS = [np.array([3, 2, 0, 1]), np.array([[0, 1], [3, 3]]), np.array([[1], [2]]),
          np.array(2)]


@pytest.mark.keras_oracle
@pytest.mark.parametrize("mode", ["one_hot", "multi_hot", "count"])
@pytest.mark.parametrize("x", INPUTS, ids=lambda x: str(x.shape))
def test_category_encoding_matches_keras(keras, mode, x):
    want = keras.layers.CategoryEncoding(4, output_mode=mode)(x)
    got = layers.CategoryEncoding(4, output_mode=mode)(x)
    assert tuple(got.shape) == tuple(want.shape)
    assert got.dtype == want.dtype
    np.testing.assert_array_equal(got.numpy(), want.cpu().numpy())
    if x.ndim:   # Keras's own compute_output_shape disagrees with its output for scalars
        assert layers.CategoryEncoding(4, output_mode=mode).compute_output_shape(x.shape) == \
            tuple(want.shape)


@pytest.mark.keras_oracle
def test_category_encoding_count_weights_and_config(keras):
    x, w = np.array([[0, 1], [3, 3]]), np.array([[0.1, 0.2], [0.3, 0.4]], "float32")
    want = keras.layers.CategoryEncoding(4, output_mode="count")(x, count_weights=w)
    got = layers.CategoryEncoding(4, output_mode="count")(x, count_weights=w)
    np.testing.assert_allclose(got.numpy(), want.cpu().numpy(), rtol=1e-6)
    k_cfg = keras.layers.CategoryEncoding(4, output_mode="count", name="c").get_config()
    ours = layers.CategoryEncoding(4, output_mode="count", name="c").get_config()
    assert {k: ours[k] for k in ("num_tokens", "output_mode", "name")} == \
        {k: k_cfg[k] for k in ("num_tokens", "output_mode", "name")}


def test_category_encoding_layer_test():
    run_layer_test(layers.CategoryEncoding, {"num_tokens": 5}, input_shape=(3, 4),
                   input_dtype="int64", expected_output_shape=(3, 5),
                   expected_num_trainable_weights=0, run_training_check=False)


def test_category_encoding_bad_input():
    with pytest.raises(ValueError, match="output_mode"):
        layers.CategoryEncoding(4, output_mode="tf_idf")
    with pytest.raises(ValueError, match="num_tokens"):
        layers.CategoryEncoding()
    with pytest.raises(ValueError, match="range"):
        layers.CategoryEncoding(4, output_mode="one_hot")(np.array([5, 1]))
    with pytest.raises(ValueError, match="count_weights"):
        layers.CategoryEncoding(4)(np.array([[1]]), count_weights=np.ones((1, 1)))


def test_category_encoding_in_a_model_trains():
    import torchkeras as tk
    inp = tk.Input((3,), dtype="int64")
    out = tk.layers.Dense(1)(tk.layers.CategoryEncoding(6)(inp))
    model = tk.Model(inp, out)
    model.compile("sgd", "mse")
    x = np.random.default_rng(0).integers(0, 6, size=(32, 3))
    hist = model.fit(x, x.sum(1, keepdims=True).astype("float32"), epochs=3, verbose=0)
    assert hist.history["loss"][-1] < hist.history["loss"][0]


def test_discretization_given_boundaries():
    x = np.array([[-1.5, 1.0, 3.4, 0.5], [0.0, 3.0, 1.3, 0.0]])
    out = layers.Discretization(bin_boundaries=[0.0, 1.0, 2.0])(x)
    assert out.dtype == torch.int32
    assert out.tolist() == [[0, 2, 3, 1], [1, 3, 2, 1]]


def test_discretization_adapt_on_batches_and_config_round_trip():
    rng = np.random.default_rng(1)
    data = rng.normal(size=(300, 2)).astype("float32")
    whole = layers.Discretization(num_bins=5, epsilon=0.01)
    whole.adapt(data)
    batched = layers.Discretization(num_bins=5, epsilon=0.01)
    batched.adapt(iter([data[:150], data[150:]]))
    assert len(whole.bin_boundaries) == 4
    np.testing.assert_allclose(whole.bin_boundaries, np.quantile(data, [.2, .4, .6, .8]),
                               atol=0.1)
    np.testing.assert_allclose(batched.bin_boundaries, whole.bin_boundaries, atol=0.1)
    clone = layers.Discretization.from_config(whole.get_config())
    assert clone.bin_boundaries == whole.bin_boundaries
    assert torch.equal(clone(data), whole(data))


def test_discretization_bad_input():
    with pytest.raises(ValueError, match="either"):
        layers.Discretization()
    with pytest.raises(ValueError, match="only one"):
        layers.Discretization(bin_boundaries=[1.0], num_bins=3)
    with pytest.raises(ValueError, match="sorted"):
        layers.Discretization(bin_boundaries=[1.0, 0.0])
    with pytest.raises(ValueError, match="adapt"):
        layers.Discretization(bin_boundaries=[1.0]).adapt(np.ones(3))
    with pytest.raises(ValueError, match="output_mode"):
        layers.Discretization(bin_boundaries=[1.0], output_mode="tf_idf")
