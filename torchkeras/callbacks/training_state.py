"""Snapshots of a training run (weights, optimizer, metrics, random generators) in one
safetensors file, written atomically. Used by ``BackupAndRestore``.

The file holds tensors under prefixes (``model/``, ``optimizer/``, ``metrics/``,
``rng/<snapshot>/``) and a JSON document in the safetensors metadata.
"""
from __future__ import annotations

import json
import os
import random

import numpy as np
import torch

FORMAT = "torchkeras.training_state/1"


# ---------------------------------------------------------------------- random generators
def _seed_streams(model) -> list:
    """Every seeded layer's ``SeedStream`` (dropout and noise layers), in module order.

    Streams are matched by position, so a model rebuilt with new auto-generated layer
    names still gets its streams back.
    """
    from torchkeras.layers.regularization.seeding import SeedStream
    return [value for module in model.modules() for value in vars(module).values()
            if isinstance(value, SeedStream)]


def capture_rng(model=None) -> tuple[dict, dict]:
    """The state of every random generator training can draw from.

    Returns:
        ``(tensors, info)``: CPU tensors and a JSON-able dict.
    """
    tensors = {"torch": torch.get_rng_state()}
    if torch.cuda.is_available() and torch.cuda.is_initialized():
        for i, state in enumerate(torch.cuda.get_rng_state_all()):
            tensors["cuda/%d" % i] = state
    kind, keys, pos, has_gauss, gauss = np.random.get_state()
    tensors["numpy"] = torch.from_numpy(np.asarray(keys, dtype=np.int64))
    version, internal, gauss_next = random.getstate()
    tensors["python"] = torch.tensor(internal, dtype=torch.int64)
    info = {"numpy": [kind, int(pos), int(has_gauss), float(gauss)],
            "python": [version, gauss_next]}
    if model is not None:
        for i, stream in enumerate(_seed_streams(model)):
            for device, gen in stream.generators().items():
                tensors["seed/%d/%s" % (i, device)] = gen.get_state()
    return tensors, info


def restore_rng(tensors: dict, info: dict, model=None) -> None:
    """Puts back the generators captured by :func:`capture_rng`."""
    torch.set_rng_state(tensors["torch"].to(torch.uint8))
    cuda = sorted((k for k in tensors if k.startswith("cuda/")), key=lambda k: int(k[5:]))
    if cuda and torch.cuda.is_available():
        states = [tensors[k].to(torch.uint8) for k in cuda]
        torch.cuda.set_rng_state_all(states[:torch.cuda.device_count()])
    kind, pos, has_gauss, gauss = info["numpy"]
    np.random.set_state((kind, tensors["numpy"].numpy().astype(np.uint32), pos, has_gauss,
                         gauss))
    version, gauss_next = info["python"]
    random.setstate((version, tuple(int(v) for v in tensors["python"].tolist()), gauss_next))
    if model is not None:
        for i, stream in enumerate(_seed_streams(model)):
            prefix = "seed/%d/" % i
            for key, state in tensors.items():
                if key.startswith(prefix):
                    stream.generator(torch.device(key[len(prefix):])).set_state(
                        state.to(torch.uint8))


# ---------------------------------------------------------------------- model/optimizer/metrics
def _host_copy(t) -> torch.Tensor:
    if not isinstance(t, torch.Tensor):
        t = torch.as_tensor(np.asarray(t))
    # A private, contiguous host copy: safetensors refuses shared or strided storage.
    return t.detach().to("cpu", copy=True).contiguous()


def capture_model(model) -> dict:
    return {"model/" + k: _host_copy(v) for k, v in model.state_dict().items()}


def restore_model(model, tensors: dict, saved_order=None) -> None:
    """Copies saved state into the model: by key, or by position (``saved_order``: the
    saved keys in state-dict order) when only auto-generated layer names differ, as
    for the same model rebuilt in one process."""
    state = model.state_dict(keep_vars=True)
    saved = [(k[6:], v) for k, v in tensors.items() if k.startswith("model/")]
    if set(state) == {k for k, _ in saved}:
        pairs = [(k, state[k], v) for k, v in saved]
    elif saved_order is not None and len(saved_order) == len(saved) == len(state):
        pairs = [(k, state[k], tensors["model/" + s]) for k, s in zip(state, saved_order)]
    else:
        missing = sorted(set(state) - {k for k, _ in saved})
        raise ValueError("The backup does not match this model (%d saved tensors, %d in the "
                         "model; missing e.g. %s). Was it written by a different model?"
                         % (len(saved), len(state), missing[:3]))
    for k, target, v in pairs:
        if tuple(v.shape) != tuple(target.shape):
            raise ValueError("The backup does not match this model: '%s' has shape %s in the "
                             "backup and %s in the model." % (k, tuple(v.shape),
                                                             tuple(target.shape)))
    with torch.no_grad():
        for _, target, v in pairs:
            target.copy_(v.to(device=target.device, dtype=target.dtype))


def capture_optimizer(optimizer) -> dict:
    if optimizer is None or not getattr(optimizer, "built", False):
        return {}
    store: dict = {}
    optimizer.save_own_variables(store)
    return {"optimizer/" + k: _host_copy(v) for k, v in store.items()}


def restore_optimizer(optimizer, model, tensors: dict) -> None:
    store = {k[10:]: v for k, v in tensors.items() if k.startswith("optimizer/")}
    if optimizer is None or not store:
        return
    if not optimizer.built:
        optimizer.build(model.torch_weights(trainable=True))
    optimizer.load_own_variables(store)


def capture_metrics(model) -> dict:
    out = {}
    for i, metric in enumerate(getattr(model, "metrics", [])):
        for j, var in enumerate(metric.variables):
            out["metrics/%d/%d" % (i, j)] = _host_copy(var)
    return out


def restore_metrics(model, tensors: dict) -> int:
    """Restores each metric whose state has the saved layout; returns how many.

    Metrics built lazily on the first batch (the compiled-metrics container) have no
    state yet when a run resumes: they then count only the batches after the resume.
    """
    restored = 0
    for i, metric in enumerate(getattr(model, "metrics", [])):
        variables = list(metric.variables)
        saved = [tensors.get("metrics/%d/%d" % (i, j)) for j in range(len(variables))]
        extra = "metrics/%d/%d" % (i, len(variables)) in tensors
        if extra or not variables or any(
                s is None or tuple(s.shape) != tuple(v.shape) for s, v in zip(saved, variables)):
            continue
        with torch.no_grad():
            for var, value in zip(variables, saved):
                var.copy_(value.to(device=var.device, dtype=var.dtype))
        restored += 1
    return restored


# ---------------------------------------------------------------------- files
def write_state(path: str, tensors: dict, info: dict) -> None:
    """Writes ``tensors`` and ``info`` to ``path`` through a temporary file and a rename.

    The bytes are serialized here and written through ``file_utils.atomic_path``, so
    the only temporary file is one named after ``path`` (safetensors' ``save_file``
    would leave its own ``.tmpXXXXXX`` behind if killed).
    """
    from safetensors.torch import save

    from torchkeras.saving import file_utils
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    data = save(tensors, metadata={"format": FORMAT, "info": json.dumps(info)})
    file_utils.write_bytes_atomic(path, data)


def read_state(path: str) -> tuple[dict, dict]:
    """Reads a file written by :func:`write_state`; ``OSError`` if it is unreadable."""
    from safetensors import safe_open
    try:
        with safe_open(path, framework="pt") as f:
            meta = f.metadata() or {}
            tensors = {k: f.get_tensor(k) for k in f.keys()}
    except Exception as e:  # safetensors raises its own error types for damaged files
        raise OSError("Could not read the training state %s: %s" % (path, e)) from e
    if meta.get("format") != FORMAT:
        raise OSError("%s is not a torchkeras training state (format %r)"
                      % (path, meta.get("format")))
    return tensors, json.loads(meta["info"])
