"""plot_model / model_to_dot: graph structure, rendered files, missing graphviz."""
import importlib
import re
import shutil
import struct

import pytest

import torchkeras as tk
plot_module = importlib.import_module("torchkeras.utils.plot_model")

L = tk.layers
needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="graphviz `dot` not installed")


def edges_by_name(dot_text):
    """{(source name, destination name)} from the DOT text (names read from the labels)."""
    names = {}
    for node_id, label in re.findall(r'"(\d+)" \[label=<(.*?)>\];', dot_text):
        names[node_id] = re.search(r"<b>([^<]*)</b>", label).group(1)
    return {(names[a], names[b]) for a, b in re.findall(r'"(\d+)" -> "(\d+)";', dot_text)}


def two_heads():
    a = tk.Input((8,), name="features")
    b = tk.Input((4,), name="extra")
    merged = L.Concatenate(name="merge")([L.Dense(16, activation="relu", name="enc")(a),
                                          L.Dense(16, name="side")(b)])
    return tk.Model([a, b], [L.Dense(1, name="score")(merged),
                             L.Dense(3, activation="softmax", name="label")(merged)])


def nested():
    block = tk.Sequential([tk.Input((16,)), L.Dense(8, name="in_a"), L.Dense(4, name="in_b")],
                          name="block")
    x = tk.Input((16,), name="x")
    return tk.Model(x, L.Dense(2, name="head")(block(x)))


def test_multi_input_output_graph():
    text = plot_module.model_to_dot_string(two_heads(), show_shapes=True, show_dtype=True,
                                           show_layer_activations=True, show_trainable=True)
    assert edges_by_name(text) == {("features", "enc"), ("extra", "side"), ("enc", "merge"),
                                   ("side", "merge"), ("merge", "score"), ("merge", "label")}
    assert "Input shape: <b>(None, 16), (None, 16)</b>" in text
    assert "Output shape: <b>(None, 3)</b>" in text and "Activation: <b>softmax</b>" in text
    assert "Output dtype: <b>float32</b>" in text and "Trainable" in text


def test_sequential_and_nested_graphs():
    seq = tk.Sequential([tk.Input((5,)), L.Dense(4, name="d1"), L.Dense(2, name="d2"),
                         L.Dense(1, name="d3")])
    assert edges_by_name(plot_module.model_to_dot_string(seq)) == {("d1", "d2"), ("d2", "d3")}
    model = nested()
    flat = plot_module.model_to_dot_string(model)
    assert edges_by_name(flat) == {("x", "block"), ("block", "head")}
    expanded = plot_module.model_to_dot_string(model, expand_nested=True)
    assert edges_by_name(expanded) == {("x", "in_a"), ("in_a", "in_b"), ("in_b", "head")}
    assert 'subgraph "cluster_block_0"' in expanded
    # class names only when layer names are off
    assert "<b>Dense</b>" in plot_module.model_to_dot_string(seq, show_layer_names=False)


@needs_dot
def test_renders_png_and_svg(tmp_path):
    png = tmp_path / "sub" / "model.png"
    tk.utils.plot_model(two_heads(), png, show_shapes=True, dpi=72)
    data = png.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    assert width > height > 200          # two columns of boxes, four rows
    tall = tmp_path / "lr.png"
    tk.utils.plot_model(two_heads(), tall, show_shapes=True, rankdir="LR", dpi=72)
    w2, h2 = struct.unpack(">II", tall.read_bytes()[16:24])
    assert w2 / h2 > width / height       # left to right: flatter
    svg = tmp_path / "model.svg"
    tk.utils.plot_model(nested(), svg, expand_nested=True, show_layer_names=True)
    text = svg.read_text()
    assert text.lstrip().startswith("<?xml") and "in_b" in text and "block" in text
    dot = tmp_path / "model.dot"
    tk.utils.plot_model(nested(), dot)
    assert dot.read_text().startswith("digraph")


def test_missing_graphviz_is_named(tmp_path, monkeypatch):
    monkeypatch.setattr(plot_module.shutil, "which", lambda name: None)
    with pytest.raises(ImportError, match="install graphviz.*`dot` program"):
        tk.utils.plot_model(two_heads(), tmp_path / "m.png")


def test_model_to_dot_returns_pydot():
    pydot = pytest.importorskip("pydot")
    graph = tk.utils.model_to_dot(two_heads())
    assert isinstance(graph, pydot.Dot) and len(graph.get_edges()) == 6


def test_bad_arguments(tmp_path):
    unbuilt = tk.Sequential([L.Dense(2)])
    with pytest.raises(ValueError, match="has not yet been built"):
        tk.utils.plot_model(unbuilt, tmp_path / "m.png")
    with pytest.raises(ValueError, match="rankdir"):
        tk.utils.plot_model(two_heads(), tmp_path / "m.png", rankdir="UP")
    with pytest.raises(ValueError, match="layer_range"):
        tk.utils.plot_model(two_heads(), tmp_path / "m.png", layer_range=["a", "b"])
