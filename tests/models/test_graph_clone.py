"""Functional models that start at intermediate tensors (Keras's clone of the graph)."""
import numpy as np
import pytest
import torch

import torchkeras as tk
from torchkeras import layers


def _graph():
    x = tk.Input((4,), name="x")
    h = layers.Dense(3, name="d1")(x)
    a = layers.Dense(3, name="d2")(h)
    y = layers.Add(name="add")([h, a])
    return x, h, y


def test_sub_model_shares_layers_and_leaves_the_full_model_alone():
    x, h, y = _graph()
    full = tk.Model(x, y)
    head = tk.Model(h, y)
    assert [l.name for l in head.layers] == ["d1CLONE", "d2", "add"]
    assert head.inputs[0].shape == (None, 3)
    hv = torch.randn(5, 3)
    d2 = full.get_layer("d2")
    expected = hv + d2(hv)
    assert torch.allclose(head(hv), expected, atol=1e-6)
    # The full model still runs from its own input, through the shared d2 weights.
    xv = torch.randn(5, 4)
    assert torch.allclose(full(xv), full.get_layer("d1")(xv) + d2(full.get_layer("d1")(xv)),
                          atol=1e-6)
    assert head.get_layer("d2") is d2
    assert [l.name for l in full.layers] == ["x", "d1", "d2", "add"]


def test_sub_model_trains_saves_and_reloads(tmp_path):
    _, h, y = _graph()
    head = tk.Model(h, y)
    head.compile("sgd", "mse")
    hist = head.fit(np.ones((8, 3), "float32"), np.zeros((8, 3), "float32"), epochs=2,
                    verbose=0)
    assert sorted(hist.history) == ["loss"]
    config = head.get_config()
    assert config["input_layers"] == ["d1CLONE", 0, 0]      # as Keras writes one input
    path = str(tmp_path / "head.keras")
    head.save(path)
    again = tk.models.load_model(path)
    v = torch.randn(2, 3)
    assert torch.allclose(again(v), head(v), atol=1e-6)


def test_mixed_input_and_intermediate_inputs():
    a = tk.Input((2,), name="a")
    b = tk.Input((2,), name="b")
    hb = layers.Dense(2, name="hb")(b)
    out = layers.Concatenate(name="cat")([a, hb])
    m = tk.Model([a, hb], out)
    assert [t.shape for t in m.inputs] == [(None, 2), (None, 2)]
    va, vh = torch.randn(3, 2), torch.randn(3, 2)
    assert torch.equal(m([va, vh]), torch.cat([va, vh], -1))


def test_graph_still_disconnected_without_a_needed_input():
    a = tk.Input((2,), name="a")
    b = tk.Input((2,), name="b")
    h = layers.Dense(2, name="h")(a)
    out = layers.Add()([h, b])
    with pytest.raises(ValueError, match="disconnected"):
        tk.Model(h, out)


@pytest.mark.keras_oracle
def test_layers_and_outputs_like_keras(keras):
    def build(lib):
        x = lib.Input((4,))
        h = lib.layers.Dense(3, name="d1")(x)
        y = lib.layers.Dense(2, name="d2")(h)
        return h, y, lib.Model(x, y)

    kh, ky, kfull = build(keras)
    th, ty, tfull = build(tk)
    tfull.set_weights([np.asarray(w) for w in kfull.get_weights()])
    khead, thead = keras.Model(kh, ky), tk.Model(th, ty)
    assert len(khead.layers) == len(thead.layers)
    assert [l.name for l in khead.layers][1:] == [l.name for l in thead.layers][1:]
    assert khead.layers[0].name.endswith("CLONE") and thead.layers[0].name.endswith("CLONE")
    v = np.random.rand(3, 3).astype("float32")
    np.testing.assert_allclose(np.asarray(thead(torch.as_tensor(v)).detach()),
                               np.asarray(khead(v).detach().cpu()), rtol=1e-5, atol=1e-6)
