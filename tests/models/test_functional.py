"""Functional API: multi-input/output, shared layers, residuals, nested models, graph
validation, configs without the original code, Keras oracle."""
import numpy as np
import pytest
import torch

import torchkeras as tk
from torchkeras import layers


def build_two_heads():
    a = tk.Input((6,), name="a")
    b = tk.Input((6,), name="b")
    shared = layers.Dense(8, activation="tanh", name="shared")
    enc_in = tk.Input((6,))
    encoder = tk.Model(enc_in, layers.Dense(8)(enc_in), name="encoder")
    h = layers.Concatenate(name="cat")([shared(a), shared(b)])
    h = layers.Dense(8, name="mix")(h)
    h = layers.Add(name="res")([h, encoder(b)])
    return tk.Model([a, b], [layers.Dense(1, name="reg")(h),
                             layers.Dense(3, activation="softmax", name="cls")(h)])


def test_structure_shared_and_nested():
    m = build_two_heads()
    names = [l.name for l in m.layers]
    assert names[:2] == ["a", "b"] and names.count("shared") == 1
    assert m.get_layer("encoder").count_params() == 56
    assert m.output_names == ["reg", "cls"]
    assert m.output_shape == [(None, 1), (None, 3)]
    out = m([torch.ones(2, 6), torch.ones(2, 6)])
    assert [tuple(o.shape) for o in out] == [(2, 1), (2, 3)]
    d = m({"a": torch.ones(2, 6), "b": torch.ones(2, 6)})
    torch.testing.assert_close(d[0], out[0])


def test_dict_outputs_and_residual_sum():
    x = tk.Input((4,))
    h = layers.Dense(4)(x)
    y = layers.Add()([x, h])
    m = tk.Model(x, {"sum": y, "h": h})
    out = m(torch.ones(3, 4))
    torch.testing.assert_close(out["sum"], out["h"] + 1)


def test_graph_errors_name_the_layer():
    a = tk.Input((3,))
    b = tk.Input((3,), name="forgotten")
    out = layers.Add(name="adder")([a, layers.Dense(3)(b)])
    with pytest.raises(ValueError, match="forgotten"):
        tk.Model(a, out)
    x = tk.Input((3,))
    with pytest.raises(ValueError, match="cat_bad"):
        layers.Concatenate(axis=0, name="cat_bad")([x, tk.Input((4, 2))])


def test_config_round_trip_without_code():
    m = build_two_heads()
    cfg = m.get_config()
    clone = tk.Model.from_config(cfg)
    assert [l.name for l in clone.layers] == [l.name for l in m.layers]
    clone.set_weights(m.get_weights())
    xs = [torch.randn(4, 6), torch.randn(4, 6)]
    for a, b in zip(clone(xs), m(xs)):
        torch.testing.assert_close(a, b)
    again = tk.models.model_from_json(m.to_json())
    assert again.count_params() == m.count_params()


def test_symbolic_arithmetic():
    x = tk.Input((3,))
    y = layers.Dense(3)(x) * 2.0 + x
    m = tk.Model(x, y)
    inp = torch.randn(2, 3)
    dense = m.layers[1]
    torch.testing.assert_close(m(inp), dense(inp) * 2 + inp)


@pytest.mark.keras_oracle
def test_matches_keras(keras):
    def build(k):
        a = k.Input((5,), name="a")
        b = k.Input((5,), name="b")
        s = k.layers.Dense(7, activation="relu", name="s")
        h = k.layers.Concatenate()([s(a), s(b)])
        h = k.layers.Dense(7, name="m")(h)
        h = k.layers.Add()([h, s(a)])
        return k.Model([a, b], [k.layers.Dense(2, name="o1")(h),
                                k.layers.Dense(1, activation="sigmoid", name="o2")(h)])
    km, tm = build(keras), build(tk)
    assert tm.count_params() == km.count_params()
    assert [w.shape for w in tm.get_weights()] == [tuple(w.shape) for w in km.get_weights()]
    tm.set_weights(km.get_weights())
    rng = np.random.default_rng(1)
    xs = [rng.normal(size=(6, 5)).astype("float32") for _ in range(2)]
    for a, b in zip(tm.predict(xs, verbose=0), km.predict(xs, verbose=0)):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


def test_input_and_output_are_the_constructor_structures():
    a = tk.Input((3,), name="a")
    out = tk.layers.Dense(2)(a)
    model = tk.Model(a, out)
    assert model.input is a and model.output is out
    assert tuple(model.output.shape) == (None, 2)
    multi = tk.Model({"a": a}, [out])
    assert multi.input == {"a": a} and multi.output == [out]
    # Calling the model on new symbolic inputs does not change what it reports.
    b = tk.Input((3,))
    model(b)
    assert model.input is a and model.output is out


@pytest.mark.keras_oracle
def test_input_and_output_match_keras(keras):
    a = keras.Input((3,))
    out = keras.layers.Dense(2)(a)
    ref = keras.Model({"a": a}, [out])
    assert isinstance(ref.input, dict) and isinstance(ref.output, list)
    ta = tk.Input((3,))
    tout = tk.layers.Dense(2)(ta)
    mine = tk.Model({"a": ta}, [tout])
    assert isinstance(mine.input, dict) and isinstance(mine.output, list)
    assert tuple(mine.output[0].shape) == tuple(ref.output[0].shape)


def test_config_round_trip_of_a_layer_with_tuple_outputs():
    # keras-io lstm_seq2seq: an LSTM returning (sequences, h, c) feeds a Dense.
    enc = tk.Input((None, 5))
    _, h, c = layers.LSTM(4, return_state=True)(enc)
    dec = tk.Input((None, 6))
    seq, _, _ = layers.LSTM(4, return_sequences=True, return_state=True)(
        dec, initial_state=[h, c])
    model = tk.Model([enc, dec], layers.Dense(3)(seq))
    clone = tk.Model.from_config(model.get_config())
    assert [type(l).__name__ for l in clone.layers] == [type(l).__name__ for l in model.layers]
    assert tuple(clone.outputs[0].shape) == (None, None, 3)
    x = [np.random.rand(2, 7, 5).astype("float32"), np.random.rand(2, 4, 6).astype("float32")]
    assert tuple(clone.predict(x, verbose=0).shape) == (2, 4, 3)


@pytest.mark.parametrize("name", ["inputs", "outputs", "layers", "name", "optimizer", "loss",
                                  "input", "output", "history", "compiled"])
def test_layer_named_like_a_model_attribute(name):
    # Keras keeps graph layers apart from the model's own attributes.
    x = tk.Input((4,), name=name)
    y = layers.Dense(2, name=name + "_d")(x)
    model = tk.Model(x, y)
    assert [l.name for l in model.layers] == [name, name + "_d"]
    assert model.get_layer(name).name == name
    assert model.inputs[0] is x
    model.compile("sgd", "mse")
    hist = model.fit(np.ones((4, 4)), np.ones((4, 2)), epochs=1, verbose=0)
    assert list(hist.history) == ["loss"]
    assert model.predict(np.ones((3, 4)), verbose=0).shape == (3, 2)


def test_layer_named_like_model_attribute_round_trips(tmp_path):
    x = tk.Input((4,), name="inputs")
    model = tk.Model(x, layers.Dense(2, name="layers")(x))
    path = str(tmp_path / "m.keras")
    model.save(path)
    loaded = tk.saving.load_model(path)
    data = np.random.rand(3, 4).astype("float32")
    np.testing.assert_allclose(loaded.predict(data, verbose=0), model.predict(data, verbose=0))


def test_input_and_output_properties():
    a, b = tk.Input((4,), name="a"), tk.Input((3,), name="b")
    y = layers.Dense(2)(layers.Concatenate()([a, b]))
    single = tk.Model(a, layers.Dense(1)(a))
    assert single.input is single.inputs[0] and single.output is single.outputs[0]
    assert single.input.shape == (None, 4) and single.output.shape == (None, 1)
    multi = tk.Model([a, b], [y])
    assert multi.input == [a, b] and multi.output == [y]
    named = tk.Model({"a": a, "b": b}, y)
    assert named.input == {"a": a, "b": b} and named.output is y


class _NamelessConfig(layers.Layer):
    """A custom layer whose get_config leaves out its name (common in user code)."""

    def __init__(self, units=2, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.dense = layers.Dense(units)

    def call(self, x):
        return self.dense(x)

    def get_config(self):
        return {"units": self.units}


def test_from_config_finds_layers_by_saved_name():
    x = tk.Input((4,))
    h = _NamelessConfig(3, name="first")(x)
    y = _NamelessConfig(2, name="second")(h)
    model = tk.Model(x, y)
    clone = tk.Model.from_config(model.get_config(),
                                 custom_objects={"_NamelessConfig": _NamelessConfig})
    inner = [l for l in clone.layers if isinstance(l, _NamelessConfig)]
    assert [l.units for l in inner] == [3, 2]
    assert clone.output.shape == (None, 2)


@pytest.mark.keras_oracle
def test_oracle_input_output_and_attribute_names(keras):
    for lib in (keras, tk):
        x = lib.Input((4,), name="inputs")
        model = lib.Model(x, lib.layers.Dense(2, name="outputs")(x))
        assert [l.name for l in model.layers] == ["inputs", "outputs"]
        assert tuple(model.input.shape) == (None, 4)
        assert tuple(model.output.shape) == (None, 2)
