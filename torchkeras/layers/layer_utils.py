"""Helpers of the Layer base class: names, input conversion, shapes, init-arg capture."""
from __future__ import annotations

import functools
import inspect
import re

import numpy as np
import torch
from torch import nn

from torchkeras import config as _config
from torchkeras.scopes.name_scope import name_scope

_NAME_COUNTS: dict[str, int] = {}


def to_snake_case(name: str) -> str:
    s = re.sub(r"(.)([A-Z][a-z]+)", r"\1_\2", name)
    s = re.sub(r"([a-z])([A-Z])", r"\1_\2", s).lower()
    return s.lstrip("_") or "layer"


def unique_name(base: str) -> str:
    """``dense``, ``dense_1``, ``dense_2``… as Keras names layers."""
    n = _NAME_COUNTS.get(base, 0)
    _NAME_COUNTS[base] = n + 1
    return base if n == 0 else "%s_%d" % (base, n)


def get_uid(prefix: str = "") -> int:
    """The next number for ``prefix`` (1, 2, …) on the counter layer names use."""
    n = _NAME_COUNTS.get(prefix, 0) + 1
    _NAME_COUNTS[prefix] = n
    return n


def clear_session() -> None:
    """Resets automatic layer names (``keras.backend.clear_session``)."""
    _NAME_COUNTS.clear()


def convert_input(x, device=None, dtype=None):
    """numpy arrays / Python numbers -> tensors (floats in floatx, ints as int64)."""
    if isinstance(x, torch.Tensor):
        return x
    if isinstance(x, np.ndarray) or isinstance(x, (float, int, np.generic)):
        arr = np.asarray(x)
        if arr.dtype.kind in "USO":
            return arr   # text stays on the host for the preprocessing layers that read it
        if any(s < 0 for s in arr.strides):   # e.g. x[..., ::-1]: torch needs positive strides
            arr = np.ascontiguousarray(arr)
        if arr.dtype.kind == "f":
            t = torch.as_tensor(arr, dtype=dtype or _config.to_torch_dtype(None))
        elif arr.dtype.kind in "iu":
            t = torch.as_tensor(arr.astype(np.int64) if arr.dtype != np.uint8 else arr)
        else:
            t = torch.as_tensor(arr)
        return t.to(device) if device is not None else t
    if isinstance(x, (list, tuple)):
        if x and all(isinstance(v, (int, float)) for v in x):
            return convert_input(np.asarray(x), device, dtype)
        return type(x)(convert_input(v, device, dtype) for v in x)
    if isinstance(x, dict):
        return {k: convert_input(v, device, dtype) for k, v in x.items()}
    return x


def map_shapes(x):
    if isinstance(x, (list, tuple)):
        return [map_shapes(v) for v in x]
    if isinstance(x, dict):
        return {k: map_shapes(v) for k, v in x.items()}
    shape = getattr(x, "shape", None)
    return tuple(shape) if shape is not None else None


@functools.lru_cache(maxsize=1024)
def _init_signature(init) -> inspect.Signature:
    # Computing a signature costs more than building a small layer: once per class.
    return inspect.signature(init)


def _capture_init_args(cls, args, kwargs) -> dict | None:
    try:
        sig = _init_signature(cls.__init__)
        bound = sig.bind(None, *args, **kwargs)
    except (TypeError, ValueError):
        return None
    out = {}
    for name, value in list(bound.arguments.items())[1:]:
        kind = sig.parameters[name].kind
        if kind == inspect.Parameter.VAR_KEYWORD:
            out.update(value)
        elif kind == inspect.Parameter.VAR_POSITIONAL:
            if value:
                return None
        else:
            out[name] = value
    return {k: v for k, v in out.items() if _json_like(v)}


def _json_like(v) -> bool:
    if v is None or isinstance(v, (bool, int, float, str)):
        return True
    if isinstance(v, (list, tuple)):
        return all(_json_like(x) for x in v)
    if isinstance(v, dict):
        return all(isinstance(k, str) and _json_like(x) for k, x in v.items())
    return False


def _free_key(module: nn.Module, name: str) -> str:
    key = re.sub(r"[^0-9a-zA-Z_]", "_", name) or "variable"
    base, i = key, 1
    while key in module._parameters or key in module._modules or key in module._buffers \
            or key in module.__dict__ or hasattr(type(module), key):
        key = "%s_%d" % (base, i)
        i += 1
    return key


def _first_device(x):
    if isinstance(x, torch.Tensor):
        return x.device
    if isinstance(x, (list, tuple)):
        for v in x:
            d = _first_device(v)
            if d is not None:
                return d
    if isinstance(x, dict):
        return _first_device(list(x.values()))
    return None


def _all_masked(outputs) -> bool:
    if isinstance(outputs, torch.Tensor):
        return getattr(outputs, "_keras_mask", None) is not None
    flat = _flat_tensors(outputs)
    return bool(flat) and all(getattr(t, "_keras_mask", None) is not None for t in flat)


def _flat_tensors(x) -> list:
    if isinstance(x, torch.Tensor):
        return [x]
    if isinstance(x, (list, tuple)):
        return [t for v in x for t in _flat_tensors(v)]
    if isinstance(x, dict):
        return [t for v in x.values() for t in _flat_tensors(v)]
    return []


def _to_shape(shape):
    if isinstance(shape, dict):
        return {k: _to_shape(v) for k, v in shape.items()}
    if isinstance(shape, (list, tuple)) and shape and isinstance(shape[0], (list, tuple, dict)):
        return [_to_shape(s) for s in shape]
    return tuple(shape)


def marking_built(build):
    """``build`` that runs under the layer's name scope, leaves the layer built and
    remembers the shape it was given, as in Keras: calling ``layer.build(shape, ...)`` by hand (Keras's customizing-saving guide
    passes extra arguments) counts as building the layer. Layer subclasses get it
    automatically (``Layer.__init_subclass__``).

    Args:
        build: A layer class's own ``build`` function.

    Example:
        >>> layer.build((None, 4), "zeros"); layer.built
        True
    """
    @functools.wraps(build)
    def wrapper(self, *args, **kwargs):
        # Weights made here (and by sublayers built here) get paths under this layer's
        # name, as Keras's build wrapper gives them (``outer/inner/kernel``).
        with name_scope(self.name, caller=self):
            build(self, *args, **kwargs)
        self.built = True
        if self.__dict__.get("_build_input_shape") is None:
            shape = args[0] if args else kwargs.get("input_shape")
            if shape is not None:
                self._build_input_shape = shape
    wrapper._tk_marks_built = True
    return wrapper
