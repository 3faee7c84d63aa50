"""Modules meet through public names: no package of torchkeras/ reads another package's
underscore names except the documented exceptions below.

A practical heuristic, run on the source with ``ast``:

* ``from torchkeras.x.y import _name`` where ``torchkeras.x`` is another package than
  the importing file's, and
* ``obj._name`` attribute reads where ``_name`` is assigned, defined or registered
  (``register_buffer("_name", ...)``, ``object.__setattr__(self, "_name", ...)``,
  ``self.__dict__["_name"] = ...``)
  nowhere in the reading file's package.

A package is a first-level folder of torchkeras/ (``torchkeras.layers`` with all its
subfolders) or a top-level module. Dunder names are public. Each exception names the
owner whose contract it is, why there is no public alternative, and the packages that
use it; an exception nobody uses any more fails too, so the list only shrinks.
"""
import ast
import os

ROOT = os.path.join(os.path.dirname(__file__), "..", "torchkeras")

# owner -> {name: (reason, packages allowed to read it)}
EXCEPTIONS = {
    # torch's own names: torch offers no public spelling for these.
    "torch": {
        "_foreach_*": ("torch's multi-tensor kernels (what torch.optim itself runs on); "
                       "no public alias", {"optimizers", "callbacks", "layers", "metrics"}),
        "_fused_adam_": ("torch's fused Adam kernel (torch.optim.Adam(fused=True) calls it)",
                         {"optimizers"}),
        "_fused_adamw_": ("torch's fused AdamW kernel", {"optimizers"}),
        "_amp_foreach_non_finite_check_and_unscale_": (
            "GradScaler's unscale kernel, run directly by LossScaleOptimizer", {"optimizers"}),
        "_amp_update_scale_": ("GradScaler's scale-update kernel", {"optimizers"}),
        "_modules": ("nn.Module's child registry: walking children in registration order "
                     "without named_children()'s generator overhead; FeatureSpace registers "
                     "its preprocessor group under Keras's saving path with it",
                     {"layers", "metrics", "models", "saving", "utils"}),
        "_version": ("a tensor's in-place version counter (what autograd checks; no public "
                     "alias): STFTSpectrogram notices changed frozen kernels with it",
                     {"layers"}),
        "_parameters": ("nn.Module's own-parameter dict (no recursion, no generator)",
                        {"saving"}),
        "_buffers": ("nn.Module's own-buffer dict", {"layers", "metrics", "saving"}),
        "_forward_hooks": ("nn.Module's per-module hook dict: a fast path must see hooks; "
                           "torch has no query", {"fast_paths", "layers", "models"}),
        "_forward_pre_hooks": ("as _forward_hooks", {"fast_paths", "layers", "models"}),
        "_global_forward_hooks": ("process-wide hook registry; read only in "
                                  "fast_paths.global_hooks_installed()", {"fast_paths"}),
        "_global_forward_pre_hooks": ("as _global_forward_hooks", {"fast_paths"}),
        "_global_backward_hooks": ("as _global_forward_hooks", {"fast_paths"}),
        "_global_backward_pre_hooks": ("as _global_forward_hooks", {"fast_paths"}),
        "_register_load_state_dict_pre_hook": (
            "nn.Module's load_state_dict pre-hook with the module argument (the public "
            "register_load_state_dict_pre_hook lacks it in older torch)", {"random"}),
        "_cudnn_rnn_flatten_weight": ("what nn.LSTM.flatten_parameters() calls, on weights "
                                      "that live in a Keras cell", {"layers"}),
        "_use_cudnn_rnn_flatten_weight": ("torch's check before flattening", {"layers"}),
        "_C": ("torch._C.DisableTorchFunctionSubclass: the context manager torch's "
               "__torch_function__ docs use", {"variable_view"}),
        "_BatchNorm": ("torch.nn's batch-norm base class: isinstance over BatchNorm1d/2d/3d",
                       {"applications"}),
        "_get_file_writer": ("SummaryWriter's raw event writer: summaries with custom "
                             "metadata (Keras's image/text plugins)", {"callbacks", "utils"}),
    },
    "sklearn": {
        "_validate_data": ("scikit-learn's estimator input check (sklearn < 1.6 spelling)",
                           {"wrappers"}),
    },
    # The trainer's compile record (Keras's name): a Model subclass whose compile() hands
    # the base a different loss, as Keras's Distiller does, records the user's loss there
    # so that saving keeps it.
    "torchkeras.trainers": {
        "_compile_config": ("the compile arguments get_compile_config() serializes",
                            {"distillation"}),
    },
    # Keras's own layer internals (Keras names them privately too); documented in
    # layers/layer.py and layers/keras_tensor.py; the models, saving and tooling of the
    # functional API are their users.
    "torchkeras.layers": {
        "_keras_history": ("a KerasTensor's (layer, node, index) origin (Keras's name); "
                           "models/graph_clone.py records histories itself, as "
                           "layers/keras_tensor.py does", {"utils", "applications"}),
        "_inbound_nodes": ("a layer's call nodes in the functional graph (Keras's name)",
                           {"models", "utils", "applications"}),
        "_nodes": ("a Functional model's node list (Keras's name)", {"utils"}),
        "_flatten_layers": ("Keras's walk over a layer and its sublayers",
                            {"saving", "distribute"}),
        "_trainable": ("a layer's own trainable flag, set without re-syncing "
                       "requires_grad (backbone freezing syncs once after)",
                       {"applications"}),
        "_sync_requires_grad": ("pushes trainable flags down to requires_grad",
                                {"applications"}),
        "_declared_input_shape": ("the input_shape= a layer was constructed with (Keras's "
                                  "Sequential reads it to insert an Input)", {"models"}),
    },
}


def _package(rel: str) -> str:
    parts = rel.split(os.sep)
    return parts[0][:-3] if len(parts) == 1 else parts[0]


def _private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def _trees() -> dict:
    out = {}
    for folder, _, files in os.walk(ROOT):
        for f in files:
            if f.endswith(".py"):
                path = os.path.join(folder, f)
                with open(path, encoding="utf-8") as fh:
                    out[os.path.relpath(path, ROOT)] = ast.parse(fh.read())
    return out


def _defined(trees: dict) -> dict:
    """Package -> every name it defines, assigns or registers."""
    out: dict = {}
    for rel, tree in trees.items():
        names = out.setdefault(_package(rel), set())
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                names.add(node.name)
            elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                names.add(node.id)
            elif isinstance(node, ast.Attribute) and isinstance(node.ctx, (ast.Store, ast.Del)):
                names.add(node.attr)
            elif isinstance(node, ast.Subscript) and isinstance(node.ctx, ast.Store) and \
                    isinstance(node.value, ast.Attribute) and node.value.attr == "__dict__" \
                    and isinstance(node.slice, ast.Constant):
                names.add(node.slice.value)          # self.__dict__["_name"] = ...
            elif isinstance(node, ast.Call) and node.args:
                fn = node.func
                fname = fn.attr if isinstance(fn, ast.Attribute) else getattr(fn, "id", "")
                pos = 1 if fname in ("setattr", "__setattr__") else 0
                if fname in ("setattr", "__setattr__", "register_buffer",
                             "register_parameter", "register_module") \
                        and len(node.args) > pos and isinstance(node.args[pos], ast.Constant):
                    names.add(node.args[pos].value)
    return out


def _uses(trees: dict, defined: dict) -> list:
    """(package, name, file, line) for every foreign underscore name read."""
    found = []
    for rel, tree in trees.items():
        pkg = _package(rel)
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and not node.level and node.module and \
                    node.module.startswith("torchkeras.") and \
                    node.module.split(".")[1] != pkg:
                found.extend((pkg, a.name, rel, node.lineno)
                             for a in node.names if _private(a.name))
            elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Load) and \
                    _private(node.attr) and node.attr not in defined[pkg]:
                found.append((pkg, node.attr, rel, node.lineno))
    return found


def _exception_for(name: str):
    for owner, entries in EXCEPTIONS.items():
        for key, (reason, users) in entries.items():
            if key == name or (key.endswith("*") and name.startswith(key[:-1])):
                return owner, key, users
    return None


def test_no_undocumented_private_reads_across_packages():
    trees = _trees()
    bad = []
    for pkg, name, rel, line in _uses(trees, _defined(trees)):
        hit = _exception_for(name)
        if hit is None or pkg not in hit[2]:
            bad.append("%s:%d reads %s" % (rel, line, name))
    assert not bad, "private names of other packages (use a public name, or document an " \
                    "exception in this file):\n" + "\n".join(sorted(bad))


def test_every_exception_is_still_needed():
    trees = _trees()
    used = set()
    for pkg, name, _, _ in _uses(trees, _defined(trees)):
        hit = _exception_for(name)
        if hit is not None and pkg in hit[2]:
            used.add((hit[0], hit[1], pkg))
    stale = ["%s %s for %s" % (owner, key, pkg)
             for owner, entries in EXCEPTIONS.items()
             for key, (_, users) in entries.items() for pkg in users
             if (owner, key, pkg) not in used]
    assert not stale, "exceptions nobody needs any more (remove them):\n" + "\n".join(stale)


def test_the_heuristic_catches_a_foreign_read(tmp_path):
    src = {"a/x.py": ast.parse("class A:\n    def __init__(self):\n        self._hidden = 1\n"),
           "b/y.py": ast.parse("from torchkeras.a.x import _helper\n"
                               "def f(o):\n    return o._hidden + o._own\n"
                               "def g(o):\n    o._own = 1\n")}
    uses = {(pkg, name) for pkg, name, _, _ in _uses(src, _defined(src))}
    assert uses == {("b", "_helper"), ("b", "_hidden")}
