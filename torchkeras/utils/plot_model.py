"""plot_model / model_to_dot: the layer graph of a model drawn with graphviz.

The graph is written in the DOT language here and rendered by graphviz's ``dot``
program, so ``pydot`` is only needed for :func:`model_to_dot`'s return value.
"""
from __future__ import annotations

import html
import os
import shutil
import subprocess

_MISSING_GRAPHVIZ = ("You must install graphviz (see instructions at "
                     "https://graphviz.gitlab.io/download/, e.g. `apt-get install graphviz`, "
                     "`brew install graphviz` or `conda install graphviz`) for `plot_model` to "
                     "work: the `dot` program was not found on PATH.")


class _Graph:
    """Nodes, edges and nested clusters, emitted as DOT text."""

    def __init__(self, name: str = "", label: str | None = None):
        self.name = name
        self.label = label
        self.nodes: list = []        # (id, html label)
        self.edges: list = []        # (src id, dst id)
        self.clusters: list = []

    def all_edges(self):
        out = list(self.edges)
        for c in self.clusters:
            out.extend(c.all_edges())
        return out

    def body(self, indent: str = "  ") -> list:
        lines = []
        for node_id, label in self.nodes:
            lines.append('%s"%s" [label=<%s>];' % (indent, node_id, label))
        for i, cluster in enumerate(self.clusters):
            lines.append('%ssubgraph "cluster_%s_%d" {' % (indent, _dot_id(cluster.name), i))
            lines.append('%s  label="%s"; labeljust="l"; style="dashed";'
                         % (indent, _escape_dot(cluster.label or cluster.name)))
            lines.extend(cluster.body(indent + "  "))
            lines.append(indent + "}")
        return lines

    def to_dot(self, rankdir: str, dpi: int, splines: str) -> str:
        lines = ["digraph G {",
                 '  graph [rankdir="%s", concentrate=true, dpi=%d, splines="%s", '
                 'fontname="Helvetica"];' % (rankdir, dpi, splines),
                 '  node [shape=plaintext, fontname="Helvetica", margin=0];',
                 "  edge [penwidth=2];"]
        lines.extend(self.body())
        seen = set()
        for src, dst in self.all_edges():
            if (src, dst) not in seen:
                seen.add((src, dst))
                lines.append('  "%s" -> "%s";' % (src, dst))
        lines.append("}")
        return "\n".join(lines) + "\n"


def _dot_id(name: str) -> str:
    return "".join(c if c.isalnum() else "_" for c in str(name))


def _escape_dot(text: str) -> str:
    return str(text).replace("\\", "\\\\").replace('"', '\\"')


def _is_graph_model(layer) -> bool:
    from torchkeras.models.functional import Functional
    from torchkeras.models.sequential import Sequential
    return isinstance(layer, (Functional, Sequential))


def _shape_text(tensors) -> str:
    if not tensors:
        return "?"
    shapes = [tuple(t.shape) for t in tensors]
    return str(shapes[0]) if len(shapes) == 1 else ", ".join(str(s) for s in shapes)


def _activation_name(layer) -> str:
    act = layer.activation
    return getattr(act, "name", None) or getattr(act, "__name__", None) or str(act)


def _label(layer, inputs, outputs, opts: dict) -> str:
    """An HTML-like table: name (class), activation, shapes, dtype, trainable."""
    cls = type(layer).__name__
    cols = []
    if opts["show_shapes"]:
        if cls != "InputLayer":
            cols.append("Input shape: <b>%s</b>" % html.escape(_shape_text(inputs)))
        cols.append("Output shape: <b>%s</b>" % html.escape(_shape_text(outputs)))
    if opts["show_dtype"]:
        dtypes = [str(getattr(t, "dtype", "?")) for t in outputs] or ["?"]
        cols.append("Output dtype: <b>%s</b>" % html.escape(", ".join(dtypes)))
    trainable_cell = None
    if opts["show_trainable"] and layer.torch_weights():
        trainable_cell = ('<td bgcolor="%s"><font point-size="14" color="white"><b>%s</b>'
                          "</font></td>" % (("forestgreen", "Trainable") if layer.trainable
                                            else ("firebrick", "Non-trainable")))
    span = max(1, len(cols) + (trainable_cell is not None))
    title = ("<b>%s</b> (%s)" % (html.escape(layer.name), cls) if opts["show_layer_names"]
             else "<b>%s</b>" % cls)
    rows = ['<tr><td colspan="%d" bgcolor="black"><font point-size="16" color="white">%s'
            "</font></td></tr>" % (span, title)]
    if opts["show_layer_activations"] and getattr(layer, "activation", None) is not None:
        rows.append('<tr><td colspan="%d" bgcolor="white"><font point-size="14">Activation: '
                    "<b>%s</b></font></td></tr>" % (span, html.escape(_activation_name(layer))))
    cells = ['<td bgcolor="white"><font point-size="14">%s</font></td>' % c for c in cols]
    if trainable_cell:
        cells.append(trainable_cell)
    if cells:
        rows.append("<tr>%s</tr>" % "".join(cells))
    return ('<table border="0" cellborder="1" cellspacing="0" cellpadding="10">%s</table>'
            % "".join(rows))


def _steps(model) -> list:
    """``(layer, input tensors, output tensors, source tensors)`` in graph order."""
    from torchkeras.layers.input_layer import InputLayer
    from torchkeras.models.functional import Functional
    if isinstance(model, Functional):
        out = []
        for node in model._nodes:
            sources = [] if isinstance(node.layer, InputLayer) else list(node.input_tensors)
            out.append((node.layer, list(node.input_tensors), list(node.output_tensors),
                        sources))
        return out
    layers = model.layers
    outs = list(getattr(model, "_outputs_kt", []) or [])
    first = model.inputs[0] if model.inputs else None
    steps = []
    for i, layer in enumerate(layers):
        out = [outs[i]] if len(outs) == len(layers) else []
        prev = outs[i - 1] if (i and out) else first
        steps.append((layer, [prev] if (prev is not None and out) else [], out,
                      [layers[i - 1]] if i else []))
    return steps


def _add_model(graph: _Graph, model, opts: dict) -> dict:
    """Adds ``model``'s layers to ``graph``; returns the ends of expanded sub-models."""
    ends = {}   # id(sub-model) -> (entry node ids, exit node ids)
    node_of = {}
    for layer, inputs, outputs, _ in _steps(model):
        if id(layer) in node_of or id(layer) in ends:
            continue   # a shared layer is drawn once
        if opts["expand_nested"] and _is_graph_model(layer):
            cluster = _Graph(layer.name)
            sub_ends = _add_model(cluster, layer, opts)
            graph.clusters.append(cluster)
            ends[id(layer)] = _entries_exits(layer, sub_ends)
        else:
            node_of[id(layer)] = str(id(layer))
            graph.nodes.append((str(id(layer)), _label(layer, inputs, outputs, opts)))
    for layer, _, _, sources in _steps(model):
        dsts = ends[id(layer)][0] if id(layer) in ends else [str(id(layer))]
        for index, src in enumerate(sources):
            # a multi-input sub-model: the k-th source feeds its k-th input
            targets = [dsts[index]] if len(dsts) == len(sources) > 1 else dsts
            src_layer = src if not hasattr(src, "_keras_history") else src._keras_history[0]
            out_index = 0 if not hasattr(src, "_keras_history") else src._keras_history[2]
            if id(src_layer) in ends:
                exits = ends[id(src_layer)][1]
                src_ids = [exits[min(out_index, len(exits) - 1)]]
            else:
                src_ids = [str(id(src_layer))]
            for s in src_ids:
                for d in targets:
                    graph.edges.append((s, d))
    return ends


def _entries_exits(model, sub_ends: dict) -> tuple:
    """The node ids where edges enter and leave an expanded sub-model."""
    from torchkeras.models.functional import Functional

    def resolve(layer, side):
        if id(layer) in sub_ends:
            ids = sub_ends[id(layer)][0 if side == "in" else 1]
            return ids if side == "in" else ids[:1]
        return [str(id(layer))]
    if isinstance(model, Functional):
        entries = [i for kt in model.inputs for i in resolve(kt._keras_history[0], "in")]
        exits = [i for kt in model.outputs for i in resolve(kt._keras_history[0], "out")]
    else:
        layers = model.layers
        entries = resolve(layers[0], "in") if layers else []
        exits = resolve(layers[-1], "out") if layers else []
    return entries, exits


def _check(model, rankdir: str, kwargs: dict) -> None:
    if kwargs.pop("layer_range", None) is not None:
        raise ValueError("Argument `layer_range` is no longer supported.")
    if kwargs:
        raise ValueError("Unrecognized keyword arguments: %s" % (kwargs,))
    if not getattr(model, "built", False):
        raise ValueError("This model has not yet been built. Build the model first by calling "
                         "`build()` or by calling the model on a batch of data.")
    if rankdir not in ("TB", "LR", "BT", "RL"):
        raise ValueError("rankdir must be one of 'TB', 'LR', 'BT', 'RL', got %r" % (rankdir,))


def model_to_dot_string(model, show_shapes=False, show_dtype=False, show_layer_names=True,
                        rankdir="TB", expand_nested=False, dpi=200,
                        show_layer_activations=False, show_trainable=False,
                        splines="ortho", **kwargs) -> str:
    """The DOT source of the model's layer graph (see :func:`plot_model`)."""
    _check(model, rankdir, kwargs)
    opts = dict(show_shapes=show_shapes, show_dtype=show_dtype,
                show_layer_names=show_layer_names, expand_nested=expand_nested,
                show_layer_activations=show_layer_activations, show_trainable=show_trainable)
    graph = _Graph(model.name)
    if _is_graph_model(model):
        _add_model(graph, model, opts)
    else:   # a subclassed model is one box
        graph.nodes.append((str(id(model)), _label(model, [], [], opts)))
    return graph.to_dot(rankdir, int(dpi), splines)


def model_to_dot(model, show_shapes=False, show_dtype=False, show_layer_names=True,
                 rankdir="TB", expand_nested=False, dpi=200, subgraph=False,
                 show_layer_activations=False, show_trainable=False, splines="ortho",
                 **kwargs):
    """The model's layer graph as a ``pydot.Dot`` (needs ``pip install pydot``)."""
    try:
        import pydot
    except ImportError:
        raise ImportError("You must install pydot (`pip install pydot`) for model_to_dot to "
                          "work.") from None
    text = model_to_dot_string(model, show_shapes, show_dtype, show_layer_names, rankdir,
                               expand_nested, dpi, show_layer_activations, show_trainable,
                               splines, **kwargs)
    return pydot.graph_from_dot_data(text)[0]


def plot_model(model, to_file="model.png", show_shapes=False, show_dtype=False,
               show_layer_names=False, rankdir="TB", expand_nested=False, dpi=200,
               show_layer_activations=False, show_trainable=False, splines="ortho",
               **kwargs):
    """Draws the model's layer graph to an image file with graphviz.

    Args:
        model: A built ``Sequential`` or functional model (a subclassed model is one box).
        to_file: Output path; the extension picks the format (``.png``, ``.svg``,
            ``.pdf``, ``.jpg``; ``.dot`` writes the graph source).
        show_shapes: Show input/output shapes.
        show_dtype: Show output dtypes.
        show_layer_names: Show layer names next to the class names.
        rankdir: ``"TB"`` (top to bottom) or ``"LR"`` (left to right), also ``BT``/``RL``.
        expand_nested: Draw nested models as dashed clusters of their layers.
        dpi: Image resolution.
        show_layer_activations: Show the activation of layers that have one.
        show_trainable: Mark layers with weights as trainable or not.
        splines: Graphviz edge style (``"ortho"``, ``"spline"``, ``"line"``...).

    Raises:
        ImportError: graphviz's ``dot`` program is not installed.

    Example:
        >>> plot_model(model, "model.png", show_shapes=True, rankdir="LR")
    """
    text = model_to_dot_string(model, show_shapes, show_dtype, show_layer_names, rankdir,
                               expand_nested, dpi, show_layer_activations, show_trainable,
                               splines, **kwargs)
    to_file = os.fspath(to_file)
    extension = os.path.splitext(to_file)[1][1:].lower() or "png"
    folder = os.path.dirname(to_file)
    if folder:
        os.makedirs(folder, exist_ok=True)
    if extension in ("dot", "gv"):
        with open(to_file, "w") as f:
            f.write(text)
        return None
    dot = shutil.which("dot")
    if dot is None:
        raise ImportError(_MISSING_GRAPHVIZ)
    done = subprocess.run([dot, "-T" + extension, "-o", to_file], input=text.encode(),
                          capture_output=True, timeout=120)
    if done.returncode != 0:
        raise OSError("graphviz `dot` failed to render %s: %s"
                      % (to_file, done.stderr.decode(errors="replace").strip()))
    if extension != "pdf":
        try:
            from IPython import display
            return display.Image(filename=to_file)
        except ImportError:
            pass
    return None
