"""Functional graphs far deeper than Python's recursion limit: build, train, save, load."""
import json
import os
import sys
import zipfile

import numpy as np
import pytest

import torchkeras as tk

DEPTH = 10_000


def chain(depth: int):
    """``depth`` layers in a row: Dense layers at both ends (something to train), cheap
    Activation layers between them (the graph's depth is what is under test)."""
    inp = tk.Input((3,), name="x")
    x = tk.layers.Dense(4, name="first")(inp)
    for i in range(depth - 2):
        x = tk.layers.Activation("linear", name="a%d" % i)(x)
    out = tk.layers.Dense(2, name="last")(x)
    return tk.Model(inp, out)


def reorder(path: str, out: str) -> str:
    """The same archive with its config listing the layers outputs-first."""
    with zipfile.ZipFile(path) as z:
        members = {k: z.read(k) for k in z.namelist()}
    config = json.loads(members["config.json"])
    config["config"]["layers"].reverse()
    members["config.json"] = json.dumps(config).encode()
    with zipfile.ZipFile(out, "w") as z:
        for k, v in members.items():
            z.writestr(k, v)
    return out


@pytest.fixture(scope="module")
def deep(tmp_path_factory):
    model = chain(DEPTH)
    model.compile(optimizer="sgd", loss="mse")
    x = np.ones((4, 3), "float32")
    before = model.get_layer("first").get_weights()[0].copy()
    history = model.fit(x, np.zeros((4, 2), "float32"), batch_size=4, epochs=1, verbose=0)
    assert np.isfinite(history.history["loss"][0])
    assert not np.array_equal(model.get_layer("first").get_weights()[0], before)
    path = str(tmp_path_factory.mktemp("deep") / "deep.keras")
    model.save(path)
    return model, path, x


def test_deep_chain_builds_trains_and_saves(deep):
    model, path, x = deep
    assert sys.getrecursionlimit() < DEPTH
    assert len(model.layers) == DEPTH + 1             # and the InputLayer
    assert [l.name for l in model.layers[:3]] == ["x", "first", "a0"]
    assert os.path.getsize(path) > 0


@pytest.mark.parametrize("order", ["as saved", "reversed"])
def test_deep_chain_loads_in_either_layer_order(deep, tmp_path, order):
    model, path, x = deep
    if order == "reversed":
        path = reorder(path, str(tmp_path / "reversed.keras"))
    loaded = tk.models.load_model(path)
    assert [l.name for l in loaded.layers] == [l.name for l in model.layers]
    np.testing.assert_allclose(loaded.predict(x, verbose=0), model.predict(x, verbose=0),
                               rtol=1e-6)


def test_deep_chain_summary_and_dot(deep):
    from torchkeras.utils.plot_model import model_to_dot_string
    model, _, _ = deep
    lines = []
    model.summary(print_fn=lines.append)
    assert any("a9997 (Activation)" in line for line in lines)
    assert model_to_dot_string(model).count("->") == DEPTH


def test_deep_graph_errors_come_from_the_iterative_walk(deep):
    model, _, _ = deep
    with pytest.raises(ValueError, match="Graph disconnected: .*'x'.*'first'"):
        tk.Model(tk.Input((3,), name="other"), model.outputs[0])
