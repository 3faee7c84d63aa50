"""Fast paths of ``keras.ops`` for the common eager call: plain tensors, no KerasTensor.

Every op pays a fixed Python cost around the torch call it wraps; for view ops (reshape,
transpose, expand_dims) and small tensors that cost is the same order as the torch call,
so ``bench/ops.py`` (ours / torch, see its docstring) counts every ~100 ns. The shared
fast paths live here; each says what enables it and the measurement behind it (CPU, one
thread, shared machine, best of 5-7 timeit repeats; absolute figures are noisy, the
before/after pairs were taken back to back).

1. :func:`dispatch` (the ``keras_op`` wrapper): when every positional argument is a leaf
   (tensor, number, str, None) or a flat list/tuple of leaves, and keyword values are
   leaves, no KerasTensor can hide anywhere, so the op body runs directly without the
   recursive scan. Wrapper cost per call: ``op(t)`` 201 -> 163 ns, ``op(t, (1, 2))``
   401 -> 263 ns, ``op([t, t], axis=0)`` 627 -> 499 ns.
2. :func:`reversed_axes`: the permutation of ``transpose(x)`` cached per rank and passed
   as varargs (``t.permute(*p)`` parses faster than ``t.permute(p)``: ~0.8 vs ~1.3 us).
3. :func:`same_dtype`: ``concatenate``/``stack`` of tensors that already share a dtype skip
   the conversion and promotion helpers (one type/dtype check per operand); bench/ops.py
   at n=32: concatenate ~2.2 -> ~1.5, stack ~2.1 -> ~1.7.
4. :func:`constant_pads`: ``pad`` with a ``((before, after), ...)`` tuple of ints, one pair
   per axis, builds torch's flat pad list directly, skipping the general normalisation;
   bench/ops.py pad at n=256: ~1.39 -> ~1.25.
5. Wrapper bypass for the hottest view/gather ops (``reshape``, ``transpose`` and
   ``expand_dims`` in ``numpy/shape.py``, ``take`` in ``numpy/indexing.py``): the public
   function first checks its own arguments by exact type (plain tensors, ints, None:
   nothing symbolic possible) and runs the body without the ``keras_op`` wrapper;
   anything else goes through the wrapped op (named as before). The wrapper is ~25% of
   a ~1 us view op: bench/ops.py reshape/transpose at n=256 went from ~1.6 to ~1.25.

Op-specific fast paths stay in the op (they need its arguments) and are marked there with
``# Fast path`` comments:

* ``sum`` of a floating tensor passes no ``dtype=`` to torch (torch keeps the dtype; the
  extra argument costs ~1 us a call) and, like ``mean``, passes an int axis positionally.
* ``maximum``/``minimum``/``floor_divide`` of two plain tensors of one dtype narrower
  than 64 bits call torch directly (no promotion helper): maximum at n=32 ~2.1 -> ~1.5.
* ``reshape`` passes its shape as varargs (``t.reshape(*s)``: ~0.8 vs ~1.3 us).
* ``take`` reshapes 1-D indices no more (a torch call, ~1 us).
* ``one_hot`` compares the ids with an ``arange`` (one comparison kernel; ids outside
  ``[0, num_classes)`` match nothing, so no masking pass): n=256 ~3.3 -> ~1.2-1.5. The
  arange is cached per (num_classes, dtype, device) for plain tensors only (under
  FakeTensorMode, i.e. symbolic calls, the inputs are subclasses and get a fresh one):
  11.5 -> 9.5 us against F.one_hot's 7.8 us at n=256 (ratio ~1.5 -> ~1.2).
* ``arg_utils.promote`` (linalg, nn) returns operands that already share a dtype as they
  are, skipping one ``.to`` call per operand.
"""
from __future__ import annotations

from typing import Any, Callable

import torch

__all__ = ["LEAF_TYPES", "dispatch", "reversed_axes", "same_dtype", "constant_pads"]

# Argument types that can never hide a KerasTensor (checked by exact type: subclasses,
# KerasTensor included, take the slow path).
LEAF_TYPES = frozenset((torch.Tensor, torch.nn.Parameter, int, float, bool, str,
                        type(None)))

_Tensor = torch.Tensor


def dispatch(fn: Callable, slow: Callable) -> Callable:
    """A wrapper running ``fn`` directly on leaf-only arguments, else ``slow``.

    Args:
        fn: The op's tensor body.
        slow: Called as ``slow(args, kwargs)`` when an argument is not a leaf (it checks
            for KerasTensors and falls back to ``fn``).

    Returns:
        The wrapper.

    Example:
        >>> op = dispatch(torch.neg, lambda a, k: torch.neg(*a, **k))
    """
    leaves = LEAF_TYPES

    def wrapper(*args: Any, **kwargs: Any):
        for v in args:
            t = type(v)
            if t in leaves:
                continue
            if t is tuple or t is list:
                for e in v:
                    if type(e) not in leaves:
                        break
                else:
                    continue
            break
        else:
            if not kwargs:
                return fn(*args)
            for v in kwargs.values():
                if type(v) not in leaves:
                    break
            else:
                return fn(*args, **kwargs)
        return slow(args, kwargs)

    return wrapper


_REVERSED: dict[int, tuple[int, ...]] = {}


def reversed_axes(ndim: int) -> tuple[int, ...]:
    """``(ndim - 1, ..., 0)``, cached per rank.

    Example:
        >>> reversed_axes(3)
        (2, 1, 0)
    """
    perm = _REVERSED.get(ndim)
    if perm is None:
        perm = _REVERSED[ndim] = tuple(range(ndim - 1, -1, -1))
    return perm


def same_dtype(xs: Any) -> bool:
    """Whether ``xs`` is a non-empty list/tuple of exact tensors sharing one dtype.

    Example:
        >>> same_dtype([torch.ones(1), torch.zeros(2)])
        True
    """
    if type(xs) is not list and type(xs) is not tuple or not xs:
        return False
    first = xs[0]
    if type(first) is not _Tensor:
        return False
    dt = first.dtype
    for t in xs:
        if type(t) is not _Tensor or t.dtype != dt:
            return False
    return True


def constant_pads(pad_width: Any, ndim: int) -> list[int] | None:
    """torch's flat pad list (last axis first) for ``((before, after), ...)`` with one pair
    of Python ints per axis, or None when ``pad_width`` has any other form.

    Example:
        >>> constant_pads(((1, 1), (2, 3)), 2)
        [2, 3, 1, 1]
    """
    if type(pad_width) is not tuple or len(pad_width) != ndim:
        return None
    flat: list[int] = []
    for p in reversed(pad_width):
        if type(p) is not tuple or len(p) != 2:
            return None
        before, after = p
        if type(before) is not int or type(after) is not int:
            return None
        flat.append(before)
        flat.append(after)
    return flat
