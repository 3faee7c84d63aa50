"""Sequential: construction forms, add/pop, build, get_layer, configs, Keras oracle."""
import io
import contextlib

import numpy as np
import pytest
import torch

import torchkeras as tk
from torchkeras import layers


def test_construction_forms_and_shapes():
    m = tk.Sequential([tk.Input((8,)), layers.Dense(16, activation="relu", name="h"),
                       layers.Dense(1, name="o")], name="reg")
    assert [l.name for l in m.layers] == ["h", "o"]
    assert m.input_shape == (None, 8) and m.output_shape == (None, 1)
    assert m.get_layer("h") is m.layers[0] and m.get_layer(index=1) is m.layers[1]
    with pytest.raises(ValueError, match="No such layer"):
        m.get_layer("nope")
    m2 = tk.Sequential([layers.Dense(4, input_shape=(6,)), layers.Dense(2)])
    assert m2.built and m2.output_shape == (None, 2) and m2.count_params() == 6 * 4 + 4 + 10


def test_add_pop_and_lazy_build():
    m = tk.Sequential()
    m.add(tk.Input((6,)))
    m.add(layers.Dense(4))
    m.add(layers.Dense(3))
    assert m.output_shape == (None, 3)
    popped = m.pop()
    assert popped.name and m.output_shape == (None, 4) and len(m.layers) == 1
    lazy = tk.Sequential([layers.Dense(5), layers.Dense(2)])
    assert not lazy.built and lazy.weights == []
    with pytest.raises(ValueError, match="isn't built"):
        lazy.count_params()
    out = lazy(np.ones((3, 7), "float32"))
    assert tuple(out.shape) == (3, 2) and lazy.count_params() == 7 * 5 + 5 + 12
    lazy2 = tk.Sequential([layers.Dense(5)])
    lazy2.build((None, 4))
    assert lazy2.built and lazy2.output_shape == (None, 5)


def test_duplicate_names_and_bad_layers():
    m = tk.Sequential([tk.Input((2,)), layers.Dense(2, name="same")])
    with pytest.raises(ValueError, match="unique"):
        m.add(layers.Dense(2, name="same"))
    with pytest.raises(ValueError, match="Only instances"):
        m.add("dense")


def test_wrong_feature_count_is_a_clear_error():
    m = tk.Sequential([tk.Input((3,)), layers.Dense(2)])
    with pytest.raises(ValueError, match="last dimension 3"):
        m(torch.ones(2, 5))


def test_config_and_json_round_trip():
    m = tk.Sequential([tk.Input((4,)), layers.Dense(3, activation="tanh"), layers.Dense(1)])
    clone = tk.Sequential.from_config(m.get_config())
    clone.set_weights(m.get_weights())
    x = torch.randn(5, 4)
    torch.testing.assert_close(clone(x), m(x))
    again = tk.models.model_from_json(m.to_json())
    assert isinstance(again, tk.Sequential) and again.count_params() == m.count_params()


def test_summary_counts():
    m = tk.Sequential([tk.Input((8,)), layers.Dense(16), layers.Dense(1)])
    lines = []
    m.summary(print_fn=lines.append)
    text = "\n".join(lines)
    assert "Total params: 161" in text and "Trainable params: 161" in text
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        m.summary()
    assert "Non-trainable params: 0" in buf.getvalue()


@pytest.mark.keras_oracle
def test_matches_keras_outputs_and_param_counts(keras):
    km = keras.Sequential([keras.Input((8,)), keras.layers.Dense(16, activation="relu"),
                           keras.layers.Dense(4, activation="softmax")])
    tm = tk.Sequential([tk.Input((8,)), layers.Dense(16, activation="relu"),
                        layers.Dense(4, activation="softmax")])
    assert tm.count_params() == km.count_params()
    tm.set_weights(km.get_weights())
    x = np.random.default_rng(0).normal(size=(10, 8)).astype("float32")
    np.testing.assert_allclose(tm.predict(x, verbose=0), km.predict(x, verbose=0), rtol=1e-5,
                               atol=1e-6)
    lines = []
    tm.summary(print_fn=lines.append)
    assert "Total params: {:,}".format(km.count_params()) in "\n".join(lines)
