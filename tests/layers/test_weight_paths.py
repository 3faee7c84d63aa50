"""Variable paths follow Keras's name scopes: the layer (or model) that built a layer
prefixes its weights' paths."""
import numpy as np
import pytest

import torchkeras as tk


def _structures(lib):
    L = lib.layers
    out = {}
    out["sequential_with_input"] = lib.Sequential(
        [lib.Input((3,)), L.Dense(2, name="da"), L.Dense(1, name="db")], name="seq")
    lazy = lib.Sequential([L.Dense(2, name="dc")], name="seq2")
    lazy(np.ones((1, 3), "float32"))
    out["sequential_lazy"] = lazy

    class Sub(lib.Model):
        def __init__(self):
            super().__init__(name="mm")
            self.d = L.Dense(2, name="dd")

        def call(self, x):
            return self.d(x)

    sub = Sub()
    sub(np.ones((1, 3), "float32"))
    out["subclass"] = sub

    class Block(L.Layer):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.inner = L.Dense(2, name="inner")

        def build(self, input_shape):
            self.inner.build(input_shape)       # built by hand, as in Keras's guides
            self.scale = self.add_weight(shape=(2,), name="scale")

        def call(self, x):
            return self.inner(x) * self.scale

    i = lib.Input((4, 3))
    h = L.Bidirectional(L.LSTM(2, name="ls"), name="bi")(i)
    h = Block(name="blk")(h)
    out["functional"] = lib.Model(i, h, name="fn")
    inner = lib.Sequential([L.Dense(2, name="inner_d")], name="inner_seq")
    j = lib.Input((3,))
    out["nested"] = lib.Model(j, inner(j), name="outer")
    return out


def test_paths_without_keras():
    models = _structures(tk)
    assert [w.path for w in models["sequential_with_input"].weights] == [
        "seq/da/kernel", "seq/da/bias", "seq/db/kernel", "seq/db/bias"]
    assert [w.path for w in models["subclass"].weights] == ["mm/dd/kernel", "mm/dd/bias"]
    paths = [w.path for w in models["functional"].weights]
    assert paths[0] == "bi/forward_ls/lstm_cell/kernel"
    assert paths[-3:] == ["blk/scale", "blk/inner/kernel", "blk/inner/bias"]


@pytest.mark.keras_oracle
def test_paths_match_keras(keras):
    ours, theirs = _structures(tk), _structures(keras)
    for key in ours:
        assert [w.path for w in ours[key].weights] == \
            [w.path for w in theirs[key].weights], key
