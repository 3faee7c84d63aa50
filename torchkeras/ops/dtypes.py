"""Keras 3's dtype names and type-promotion rules, for torch tensors.

``result_type`` follows Keras's lattice (as ``jnp.result_type`` does): Python ``int`` and
``float`` are *weak* types that adopt the other operand's kind and width, ``int + float``
gives ``floatx``, ``float16 + bfloat16`` gives ``float32``, and on torch 64-bit results
narrow to 32 bits (``int64`` → ``int32``, ``float64`` → ``float32``) unless both sides
already agree.

Example:
    >>> result_type("int32", float)
    'float32'
    >>> result_type("bfloat16", int)
    'bfloat16'
"""
from __future__ import annotations

import functools
from typing import Any

import numpy as np
import torch

from torchkeras import config

__all__ = ["standardize_dtype", "result_type", "is_float_dtype", "is_int_dtype",
           "to_torch_dtype"]

BOOL_TYPES = ("bool",)
INT_TYPES = ("uint8", "uint16", "uint32", "uint64", "int8", "int16", "int32", "int64")
FLOAT_TYPES = ("bfloat16", "float16", "float32", "float64")
COMPLEX_TYPES = ("complex64", "complex128")
ALLOWED_DTYPES = BOOL_TYPES + INT_TYPES + FLOAT_TYPES + COMPLEX_TYPES + (
    "string", "float8_e4m3fn", "float8_e5m2")

_PYTHON = {bool: "bool", int: "int32", float: "float32", str: "string", complex: "complex64",
           "int": "int32"}
_ALIASES = {"half": "float16", "double": "float64", "long": "int64", "short": "int16",
            "cfloat": "complex64", "cdouble": "complex128"}

_TORCH = {
    "bool": torch.bool, "uint8": torch.uint8, "int8": torch.int8, "int16": torch.int16,
    "int32": torch.int32, "int64": torch.int64, "bfloat16": torch.bfloat16,
    "float16": torch.float16, "float32": torch.float32, "float64": torch.float64,
    "complex64": torch.complex64, "complex128": torch.complex128,
    "uint16": torch.uint16, "uint32": torch.uint32, "uint64": torch.uint64,
    "float8_e4m3fn": torch.float8_e4m3fn, "float8_e5m2": torch.float8_e5m2,
}
_FROM_TORCH = {v: k for k, v in _TORCH.items()}


def standardize_dtype(dtype: Any) -> str:
    """Keras's dtype string for ``dtype``.

    Args:
        dtype: ``None`` (floatx), a string (``"float"`` means floatx), a ``torch.dtype``,
            a numpy dtype or scalar type, or a Python type (``int`` → ``"int32"``).

    Returns:
        One of Keras's dtype names, e.g. ``"float32"``.

    Raises:
        ValueError: For a dtype Keras does not know.

    Example:
        >>> standardize_dtype(torch.int64)
        'int64'
    """
    if dtype is None:
        return config.floatx()
    if isinstance(dtype, torch.dtype):
        name = _FROM_TORCH.get(dtype)
        if name is None:
            raise ValueError("Invalid dtype: %s" % (dtype,))
        return name
    if isinstance(dtype, str):
        if dtype in ("float", "floatx"):
            return config.floatx()
        dtype = _ALIASES.get(dtype, dtype)
        if dtype.startswith("torch."):
            dtype = dtype[6:]
        if dtype in _PYTHON:
            return _PYTHON[dtype]
        if dtype not in ALLOWED_DTYPES:
            raise ValueError("Invalid dtype: %s" % (dtype,))
        return dtype
    if isinstance(dtype, type) and dtype in _PYTHON:
        return _PYTHON[dtype]
    name = getattr(dtype, "name", None)
    if not isinstance(name, str):
        try:
            name = np.dtype(dtype).name
        except TypeError:
            raise ValueError("Invalid dtype: %r" % (dtype,)) from None
    if name not in ALLOWED_DTYPES:
        raise ValueError("Invalid dtype: %s" % (name,))
    return name


def to_torch_dtype(name: Any) -> torch.dtype:
    """The ``torch.dtype`` for a Keras dtype name (or anything :func:`standardize_dtype` takes).

    Example:
        >>> to_torch_dtype("float16")
        torch.float16
    """
    if isinstance(name, torch.dtype):
        return name
    t = _TORCH.get(name) if isinstance(name, str) else None
    return t if t is not None else _TORCH[standardize_dtype(name)]


def is_float_dtype(dtype: Any) -> bool:
    """Whether ``dtype`` is a floating type (``bfloat16`` and float8 included)."""
    return standardize_dtype(dtype).startswith(("float", "bfloat"))


def is_int_dtype(dtype: Any) -> bool:
    """Whether ``dtype`` is a signed or unsigned integer type (not bool)."""
    return standardize_dtype(dtype).startswith(("int", "uint"))


# Each dtype's immediate successors in Keras's promotion lattice; "int"/"float" are the
# weak types of Python scalars.
_LATTICE = {
    "bool": ["int"], "uint8": ["int16", "uint16"], "uint16": ["int32", "uint32"],
    "uint32": ["int64", "uint64"], "uint64": ["float"], "int": ["uint8", "int8", "complex64"],
    "int8": ["int16"], "int16": ["int32"], "int32": ["int64"], "int64": ["float"],
    "float": ["bfloat16", "float16"], "bfloat16": ["float32"], "float16": ["float32"],
    "float32": ["float64", "complex64"], "float64": ["complex128"],
    "complex64": ["complex128"], "complex128": [],
}


def _upper_bounds() -> dict:
    bounds = {}
    for node in _LATTICE:
        seen, todo = {node}, [node]
        while todo:
            for nxt in _LATTICE[todo.pop()]:
                if nxt not in seen:
                    seen.add(nxt)
                    todo.append(nxt)
        bounds[node] = frozenset(seen)
    return bounds


_UB = _upper_bounds()
_NARROW = {"int64": "int32", "uint64": "uint32", "float64": "float32",
           "complex128": "complex64"}


@functools.lru_cache(512)
def _join(nodes: frozenset) -> str:
    try:
        common = frozenset.intersection(*(_UB[n] for n in nodes))
    except KeyError:
        bad = next(n for n in nodes if n not in _UB)
        raise ValueError("dtype=%r is not a valid dtype for Keras type promotion." % bad) from None
    least = (common & nodes) or {c for c in common if common <= _UB[c]}
    if len(least) != 1:
        raise ValueError("Input dtypes %s have no implicit dtype promotion path. "
                         "Cast the inputs explicitly." % (tuple(sorted(nodes)),))
    return next(iter(least))


def _weak(dtype: str) -> str:
    if dtype == "bool":
        return dtype
    if "float" in dtype:
        return "float"
    if "int" in dtype:
        return "int"
    return "complex"


@functools.lru_cache(1024)
def _result_type_cached(args: tuple, floatx: str) -> str:
    pairs = [(standardize_dtype(a), a is int or a is float) for a in args]
    dtypes = [d for d, _ in pairs]
    weak = [w for _, w in pairs]
    if len(pairs) == 1:
        out, out_weak = dtypes[0], weak[0]
    elif len(set(dtypes)) == 1 and not all(weak):
        out, out_weak = dtypes[0], False
    elif all(weak):
        out, out_weak = _join(frozenset(dtypes)), True
    else:
        out = _join(frozenset(_weak(d) if w else d for d, w in pairs))
        out_weak = out in ("int", "float")
    if out_weak and out != "bool":
        bits = floatx[-2:]
        kind = "f" if out == "bfloat16" else out[:1]
        out = "int" + bits if kind == "i" else "uint" + bits if kind == "u" else "float" + bits
    return _NARROW.get(out, out)


def result_type(*dtypes: Any) -> str:
    """The dtype Keras's promotion rules give for operands of ``dtypes``.

    Args:
        *dtypes: Dtypes (any form :func:`standardize_dtype` takes); ``None`` stands for
            floatx, Python ``int``/``float`` are weak types.

    Returns:
        A Keras dtype name; ``floatx`` when no dtype is given.

    Raises:
        ValueError: For float8 dtypes, which never promote implicitly.

    Example:
        >>> result_type("int8", "uint8")
        'int16'
    """
    if not dtypes:
        return config.floatx()
    fx = config.floatx()
    args = []
    for d in dtypes:
        if d is None:
            d = fx
        elif not (d is int or d is float or isinstance(d, str)):
            d = standardize_dtype(d)
        if d in ("float8_e4m3fn", "float8_e5m2"):
            raise ValueError("There is no implicit conversion from float8 dtypes to others; "
                             "cast explicitly. Received: %s" % (dtypes,))
        args.append(d)
    return _result_type_cached(tuple(args), fx)
