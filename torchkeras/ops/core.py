"""Keras 3's ``keras.ops`` core family on torch tensors.

Dtype and structure helpers, control flow (``cond``, ``scan``, ``while_loop``, …) that
runs Python loops over torch ops (so autograd sees every step), scatter/slice updates
and ``custom_gradient`` on ``torch.autograd.Function``.

Example:
    >>> from torchkeras import ops
    >>> carry, ys = ops.scan(lambda c, x: (c + x, c * x), 0.0, ops.arange(4.0))
"""
from __future__ import annotations

import builtins
from typing import Any, Callable, Sequence

import numpy as np
import torch
# torch's own pytree helpers (used by torch.func); the structures are Keras's nests.
from torch.utils import _pytree as pytree

from torchkeras.ops.arg_utils import tensor
from torchkeras.ops.convert import convert_to_numpy, convert_to_tensor
from torchkeras.ops.dtypes import standardize_dtype, to_torch_dtype
from torchkeras.ops.symbolic import keras_op

__all__ = [
    "associative_scan", "convert_to_numpy", "convert_to_tensor", "cast", "cond", "custom_gradient", "dtype", "fori_loop",
    "is_tensor", "map", "saturate_cast", "scan", "scatter", "scatter_update", "shape",
    "slice", "slice_update", "stop_gradient", "switch", "unstack", "vectorized_map",
    "while_loop",
]


@keras_op
def cast(x: Any, dtype: Any) -> torch.Tensor:
    """Casts ``x`` to ``dtype`` (a Keras dtype name or torch dtype).

    Example:
        >>> cast([1.7, -1.2], "int32")   # tensor([1, -1], dtype=torch.int32)
    """
    return tensor(x).to(to_torch_dtype(dtype))


@keras_op
def saturate_cast(x: Any, dtype: Any) -> torch.Tensor:
    """Casts with clipping to ``dtype``'s range first (no wrap-around).

    Example:
        >>> saturate_cast([-1, 300], "uint8")   # tensor([0, 255], dtype=torch.uint8)
    """
    x = tensor(x)
    target = to_torch_dtype(dtype)
    if target == torch.bool or x.dtype == torch.bool:
        return x.to(target)
    info = torch.finfo(target) if target.is_floating_point else torch.iinfo(target)
    src = torch.finfo(x.dtype) if x.dtype.is_floating_point else torch.iinfo(x.dtype)
    lo, hi = max(info.min, src.min), min(info.max, src.max)
    if x.dtype.is_floating_point and not target.is_floating_point:
        # The float bounds must round-trip to the integer range.
        lo_t = torch.tensor(lo, dtype=x.dtype)
        hi_t = torch.tensor(hi, dtype=x.dtype)
        hi_t = torch.where(hi_t.to(torch.float64) > hi, torch.nextafter(hi_t, -hi_t), hi_t)
        lo_t = torch.where(lo_t.to(torch.float64) < lo, torch.nextafter(lo_t, -lo_t), lo_t)
        return torch.clamp(x, lo_t, hi_t).to(target)
    return torch.clamp(x, lo, hi).to(target)


def shape(x: Any) -> tuple:
    """The static shape of ``x`` as a tuple (``None`` for unknown KerasTensor dims).

    Example:
        >>> shape(torch.zeros(2, 3))   # (2, 3)
    """
    s = getattr(x, "shape", None)
    if s is None:
        s = np.shape(x)
    return tuple(s)


def is_tensor(x: Any) -> bool:
    """Whether ``x`` is a native (torch) tensor.

    Example:
        >>> is_tensor(torch.ones(1)), is_tensor([1.0])   # (True, False)
    """
    return isinstance(x, torch.Tensor)


def dtype(x: Any) -> str:
    """The Keras dtype name of ``x`` (``"float32"``, ``"int32"``, …).

    Example:
        >>> dtype(torch.ones(1))   # "float32"
    """
    d = getattr(x, "dtype", None)
    return standardize_dtype(d if d is not None else tensor(x).dtype)


@keras_op
def stop_gradient(variable: Any) -> torch.Tensor:
    """``variable`` without a gradient path (``detach``).

    Example:
        >>> y = stop_gradient(x) * 2
    """
    return tensor(variable).detach()


def cond(pred: Any, true_fn: Callable, false_fn: Callable):
    """Calls ``true_fn()`` when ``pred`` holds, else ``false_fn()``.

    Args:
        pred: A Python bool or scalar tensor.
        true_fn: Zero-argument callable.
        false_fn: Zero-argument callable.

    Example:
        >>> cond(x.sum() > 0, lambda: x, lambda: -x)
    """
    if isinstance(pred, torch.Tensor):
        if pred.numel() != 1:
            raise ValueError(f"cond: `pred` must be a scalar, got shape {tuple(pred.shape)}")
        pred = bool(pred)
    return true_fn() if pred else false_fn()


def _stack_trees(trees: list):
    flat = [pytree.tree_flatten(t) for t in trees]
    spec = flat[0][1]
    cols = zip(*[f[0] for f in flat])
    return pytree.tree_unflatten([torch.stack([tensor(v) for v in col]) for col in cols], spec)


@keras_op
def scan(f: Callable, init: Any, xs: Any = None, length: int | None = None,
         reverse: bool = False, unroll: int | bool = 1):
    """Loops ``carry, y = f(carry, x)`` over the leading axis of ``xs``.

    Args:
        f: ``(carry, x) -> (carry, y)``.
        init: Initial carry (a nest of tensors).
        xs: Nest of tensors scanned along axis 0, or None (then ``length`` steps).
        length: Number of steps when ``xs`` is None.
        reverse: Scan from the end.
        unroll: Accepted for Keras compatibility (the loop is always a Python loop).

    Returns:
        ``(final_carry, stacked_ys)``.

    Example:
        >>> scan(lambda c, x: (c + x, c), 0.0, torch.arange(3.0))   # (3.0, [0, 0, 1])
    """
    if not isinstance(unroll, (bool, int)):
        raise TypeError(f"scan: `unroll` must be a bool or int, got {unroll!r}")
    if xs is None:
        if length is None:
            raise ValueError("scan: pass `xs` or `length`")
        leaves, spec, n = None, None, int(length)
    else:
        leaves, spec = pytree.tree_flatten(xs)
        leaves = [tensor(v) for v in leaves]
        n = int(leaves[0].shape[0]) if leaves else int(length or 0)
        if length is not None and int(length) != n:
            raise ValueError(f"scan: `length` {length} differs from xs's leading size {n}")
    carry, ys = init, []
    steps = range(n - 1, -1, -1) if reverse else range(n)
    for i in steps:
        x = None if leaves is None else pytree.tree_unflatten([v[i] for v in leaves], spec)
        carry, y = f(carry, x)
        ys.append(y)
    if reverse:
        ys.reverse()
    if not ys or all(y is None for y in pytree.tree_flatten(ys[0])[0]) and ys[0] is None:
        return carry, None
    return carry, _stack_trees(ys)


@keras_op
def associative_scan(f: Callable, elems: Any, reverse: bool = False, axis: int = 0):
    """Inclusive prefix scan of an associative ``f`` along ``axis``.

    Example:
        >>> associative_scan(lambda a, b: a + b, torch.arange(4.0))   # [0, 1, 3, 6]
    """
    leaves, spec = pytree.tree_flatten(elems)
    leaves = [torch.movedim(tensor(v), axis, 0) for v in leaves]
    n = int(leaves[0].shape[0])
    if any(int(v.shape[0]) != n for v in leaves):
        raise ValueError("associative_scan: all elems need the same size along `axis`")
    order = range(n - 1, -1, -1) if reverse else range(n)
    acc, out = None, [None] * n
    for i in order:
        cur = pytree.tree_unflatten([v[i] for v in leaves], spec)
        acc = cur if acc is None else (f(acc, cur) if not reverse else f(cur, acc))
        out[i] = acc
    stacked = _stack_trees(out)
    flat, sp = pytree.tree_flatten(stacked)
    return pytree.tree_unflatten([torch.movedim(v, 0, axis) for v in flat], sp)


@keras_op
def fori_loop(lower: int, upper: int, body_fun: Callable, init_val: Any):
    """``val = body_fun(i, val)`` for ``i`` in ``range(lower, upper)``.

    Example:
        >>> fori_loop(0, 4, lambda i, v: v + i, 0)   # 6
    """
    val = init_val
    for i in range(int(lower), int(upper)):
        val = body_fun(i, val)
    return val


@keras_op
def while_loop(cond: Callable, body: Callable, loop_vars: Any,
               maximum_iterations: int | None = None):
    """Runs ``loop_vars = body(*loop_vars)`` while ``cond(*loop_vars)`` holds.

    Example:
        >>> while_loop(lambda i: i < 5, lambda i: i + 1, 0)   # 5
    """
    is_tuple = isinstance(loop_vars, (tuple, list))
    state = tuple(loop_vars) if is_tuple else (loop_vars,)
    count = 0
    while bool(cond(*state)):
        if maximum_iterations is not None and count >= maximum_iterations:
            break
        out = body(*state)
        state = tuple(out) if isinstance(out, (tuple, list)) else (out,)
        count += 1
    if is_tuple:
        return type(loop_vars)(state) if isinstance(loop_vars, list) else state
    return state[0]


@keras_op
def map(f: Callable, xs: Any):
    """Applies ``f`` to each slice of ``xs`` along axis 0 and stacks the results.

    Example:
        >>> map(lambda x: x * 2, torch.arange(3))   # [0, 2, 4]
    """
    leaves, spec = pytree.tree_flatten(xs)
    leaves = [tensor(v) for v in leaves]
    n = int(leaves[0].shape[0])
    return _stack_trees([f(pytree.tree_unflatten([v[i] for v in leaves], spec))
                         for i in range(n)])


@keras_op
def vectorized_map(function: Callable, elements: Any):
    """``function`` applied to each slice of ``elements`` (axis 0), outputs stacked.

    Runs batched under ``torch.vmap``; a function vmap cannot trace (data-dependent
    Python control flow, ``.item()``) runs slice by slice instead.

    Example:
        >>> vectorized_map(lambda x: x @ w, batch)
    """
    try:
        return torch.vmap(function)(elements)
    except (RuntimeError, ValueError):
        # The loop gives the same result (or re-raises the function's own error).
        return map.__wrapped_op__(function, elements)


@keras_op
def switch(index: Any, branches: Sequence[Callable], *operands: Any):
    """Calls ``branches[index](*operands)``, ``index`` clamped to the valid range.

    Example:
        >>> switch(1, [lambda x: x + 1, lambda x: x - 1], 5)   # 4
    """
    if not branches:
        raise ValueError("switch: `branches` must not be empty")
    i = int(index) if not isinstance(index, torch.Tensor) else int(index.reshape(()))
    i = min(max(i, 0), len(branches) - 1)
    return branches[i](*operands)


@keras_op
def scatter(indices: Any, values: Any, shape: Sequence[int]) -> torch.Tensor:
    """A zero tensor of ``shape`` with ``values`` added at ``indices`` (duplicates sum).

    Example:
        >>> scatter([[0, 1], [1, 0]], [5.0, 6.0], (2, 2))   # [[0, 5], [6, 0]]
    """
    indices, values = tensor(indices).long(), tensor(values)
    if indices.ndim < 2:
        raise ValueError(f"scatter: `indices` must be at least 2D, got shape "
                         f"{tuple(indices.shape)}")
    out = torch.zeros(tuple(int(s) for s in shape), dtype=values.dtype, device=values.device)
    idx = tuple(indices.reshape(-1, indices.shape[-1]).T)
    vals = values.reshape((-1,) + tuple(out.shape[indices.shape[-1]:]))
    return out.index_put_(idx, vals, accumulate=True)


@keras_op
def scatter_update(inputs: Any, indices: Any, updates: Any) -> torch.Tensor:
    """A copy of ``inputs`` with ``updates`` written at ``indices`` (N, k).

    Example:
        >>> scatter_update(torch.zeros(3), [[1]], [7.0])   # [0, 7, 0]
    """
    inputs, indices = tensor(inputs), tensor(indices).long()
    updates = tensor(updates).to(inputs.dtype)
    out = inputs.clone()
    out[tuple(indices.reshape(-1, indices.shape[-1]).T)] = updates.reshape(
        (-1,) + tuple(inputs.shape[indices.shape[-1]:]))
    return out


def _starts(start_indices: Any) -> list[int]:
    if isinstance(start_indices, torch.Tensor):
        return [int(v) for v in start_indices.reshape(-1).tolist()]
    return [int(v) for v in start_indices]


@keras_op
def slice(inputs: Any, start_indices: Any, shape: Sequence[int]) -> torch.Tensor:
    """The block of ``inputs`` starting at ``start_indices`` with ``shape``.

    Example:
        >>> slice(torch.arange(10).reshape(2, 5), (0, 1), (2, 3))
    """
    x = tensor(inputs)
    starts = _starts(start_indices)
    if len(starts) != x.ndim or len(shape) != x.ndim:
        raise ValueError(f"slice: start_indices {starts} and shape {tuple(shape)} must have "
                         f"one entry per dim of inputs {tuple(x.shape)}")
    return x[tuple(builtins.slice(s, s + (x.shape[d] - s if n in (-1, None) else n))
                   for d, (s, n) in enumerate(zip(starts, shape)))]


@keras_op
def slice_update(inputs: Any, start_indices: Any, updates: Any) -> torch.Tensor:
    """A copy of ``inputs`` with ``updates`` written at ``start_indices``.

    Example:
        >>> slice_update(torch.zeros(4), (1,), torch.ones(2))   # [0, 1, 1, 0]
    """
    x = tensor(inputs)
    updates = tensor(updates).to(x.dtype)
    starts = _starts(start_indices)
    if len(starts) != x.ndim or updates.ndim != x.ndim:
        raise ValueError(f"slice_update: inputs {tuple(x.shape)}, start_indices {starts} "
                         f"and updates {tuple(updates.shape)} must have the same rank")
    out = x.clone()
    out[tuple(builtins.slice(s, s + n) for s, n in zip(starts, updates.shape))] = updates
    return out


def unstack(x: Any, num: int | None = None, axis: int = 0) -> list[torch.Tensor]:
    """Splits ``x`` along ``axis`` into a list of tensors.

    Example:
        >>> unstack(torch.zeros(2, 3), axis=1)   # three tensors of shape (2,)
    """
    x = tensor(x)
    if num is not None and int(x.shape[axis]) != num:
        raise ValueError(f"unstack: num={num} but axis {axis} has size {x.shape[axis]}")
    return list(torch.unbind(x, dim=axis))


class _CustomGradient(torch.autograd.Function):
    @staticmethod
    def forward(ctx, func, n_tensors, *args):
        with torch.enable_grad():
            output, ctx.grad_fn = func(*[a.detach() if isinstance(a, torch.Tensor) else a
                                         for a in args])
        ctx.n_args = len(args)
        return output.detach() if isinstance(output, torch.Tensor) else output

    @staticmethod
    def backward(ctx, *upstream):
        with torch.enable_grad():
            grads = ctx.grad_fn(*upstream)
        if not isinstance(grads, (tuple, list)):
            grads = (grads,)
        grads = list(grads) + [None] * (ctx.n_args - len(grads))
        return (None, None, *grads[:ctx.n_args])


def custom_gradient(f: Callable) -> Callable:
    """Decorates ``f`` returning ``(output, grad_fn)`` to use ``grad_fn`` as its gradient.

    As with Keras's torch backend, ``grad_fn`` receives the upstream gradient
    positionally (``def grad_fn(*args, upstream=None)`` with ``(upstream,) = args``).

    Example:
        >>> @custom_gradient
        ... def log1pexp(x):
        ...     e = torch.exp(x)
        ...     def grad(*args, upstream=None):
        ...         (upstream,) = args if upstream is None else (upstream,)
        ...         return upstream * (1 - 1 / (1 + e))
        ...     return torch.log(1 + e), grad
    """
    def wrapper(*args, **kwargs):
        func = (lambda *a: f(*a, **kwargs)) if kwargs else f
        return _CustomGradient.apply(func, len(args), *args)

    wrapper.__name__ = getattr(f, "__name__", "custom_gradient")
    wrapper.__doc__ = f.__doc__
    return wrapper


