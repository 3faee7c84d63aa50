"""Sorting, searching, counting and set ops of ``keras.ops.numpy``.

Example:
    >>> from torchkeras import ops
    >>> ops.searchsorted(edges, values, side="right")
"""
from __future__ import annotations

from typing import Any, Callable

import torch

from torchkeras.ops.numpy.common import floatx_dtype, promote, tensor, to_float
from torchkeras.ops.symbolic import keras_op


@keras_op
def sort(x: Any, axis: int = -1) -> torch.Tensor:
    """Sorted values along ``axis`` (flattened when None)."""
    x = tensor(x)
    if axis is None:
        x, axis = x.reshape(-1), 0
    return torch.sort(x, dim=axis, stable=True).values


@keras_op
def argsort(x: Any, axis: int = -1) -> torch.Tensor:
    """Indices that sort ``x`` along ``axis`` (stable; int32)."""
    x = tensor(x)
    if axis is None:
        x, axis = x.reshape(-1), 0
    if x.dtype == torch.bool:
        x = x.to(torch.uint8)
    return torch.argsort(x, dim=axis, stable=True).to(torch.int32)


@keras_op
def argpartition(x: Any, kth: int, axis: int = -1) -> torch.Tensor:
    """Indices that put the ``kth`` element in sorted position along ``axis``
    (a full stable argsort, which is one valid partition; int32)."""
    x = tensor(x)
    if x.dtype == torch.bool:
        x = x.to(torch.uint8)
    return torch.argsort(x, dim=axis, stable=True).to(torch.int32)


@keras_op
def searchsorted(sorted_sequence: Any, values: Any, side: str = "left") -> torch.Tensor:
    """Insertion indices of ``values`` into the 1-D ``sorted_sequence`` (int32).

    Raises:
        ValueError: For a ``side`` other than ``"left"``/``"right"`` or a non-1-D sequence.
    """
    if side not in ("left", "right"):
        raise ValueError("searchsorted: side must be 'left' or 'right', got %r" % (side,))
    seq, vals = promote(sorted_sequence, values)
    if seq.ndim != 1:
        raise ValueError("searchsorted: sorted_sequence must be 1-D, got shape %s"
                         % (tuple(seq.shape),))
    return torch.searchsorted(seq, vals, side=side, out_int32=True)


@keras_op
def digitize(x: Any, bins: Any) -> torch.Tensor:
    """Index of the bin each value falls in (``bins`` increasing; int32)."""
    xv, b = promote(x, bins)
    return torch.bucketize(xv, b, right=True, out_int32=True)


@keras_op
def bincount(x: Any, weights: Any = None, minlength: int = 0, sparse: bool = False) -> torch.Tensor:
    """Counts of each non-negative int (weighted sums with ``weights``); 2-D inputs count
    per row.

    Raises:
        ValueError: For ``sparse=True``.
    """
    if sparse:
        raise ValueError("bincount: sparse=True is not supported with torch tensors")
    x = tensor(x)
    w = None if weights is None else tensor(weights)
    length = builtins_max(int(x.max().item()) + 1 if x.numel() else 0, minlength)
    out_dtype = torch.int32 if w is None else (w.dtype if w.dtype not in (
        torch.bool, torch.int8, torch.int16, torch.uint8) else torch.int32)
    if x.ndim == 1:
        return torch.bincount(x.to(torch.int64), weights=None if w is None else w.to(torch.float64),
                              minlength=length).to(out_dtype)
    rows = x.shape[0]
    offs = (x.to(torch.int64) + length * torch.arange(rows, device=x.device).unsqueeze(1))
    flat = torch.bincount(offs.reshape(-1), None if w is None else w.reshape(-1).to(torch.float64),
                          minlength=rows * length)
    return flat.reshape(rows, length).to(out_dtype)


def builtins_max(a: int, b: int) -> int:
    return a if a > b else b


@keras_op
def histogram(x: Any, bins: int = 10, range: tuple | None = None) -> tuple:  # noqa: A002
    """Counts of ``x`` in ``bins`` equal bins over ``range`` (min..max by default), and
    the bin edges.

    Raises:
        ValueError: If ``x`` is not 1-D or ``bins`` is not a positive int.
    """
    x = tensor(x)
    if x.ndim != 1:
        raise ValueError("histogram: x must be 1-D, got shape %s" % (tuple(x.shape),))
    if not isinstance(bins, int) or bins < 1:
        raise ValueError("histogram: bins must be a positive int, got %r" % (bins,))
    xf = to_float(x).to(torch.float32) if x.dtype != torch.float64 else x
    lo, hi = (xf.min(), xf.max()) if range is None else (
        torch.tensor(range[0], dtype=xf.dtype), torch.tensor(range[1], dtype=xf.dtype))
    edges = torch.linspace(0, 1, bins + 1, dtype=xf.dtype, device=xf.device) * (hi - lo) + lo
    idx = torch.bucketize(xf, edges, right=True) - 1
    idx = torch.where(xf == edges[-1], bins - 1, idx)
    inside = (xf >= lo) & (xf <= hi)
    # Counts are float32, as Keras's torch backend gives them.
    counts = torch.bincount(idx[inside], minlength=bins)[:bins].to(torch.float32)
    return counts, edges.to(x.dtype if x.is_floating_point() else floatx_dtype())


@keras_op
def unique(x: Any, sorted: bool = True, return_index: bool = False,  # noqa: A002
           return_inverse: bool = False, return_counts: bool = False, axis: int | None = None,
           size: int | None = None, fill_value: Any = None):
    """Unique elements (sorted); optionally first indices, inverse indices and counts.

    Args:
        x: Input tensor (flattened when ``axis`` is None).
        sorted: Kept for Keras's signature; results are always sorted.
        return_index: Also return each unique value's first index.
        return_inverse: Also return indices rebuilding ``x`` from the uniques.
        return_counts: Also return counts.
        axis: Axis whose slices are compared.
        size: Pad (with ``fill_value``) or cut the uniques to this length.
        fill_value: Padding value (the minimum unique value by default).

    Example:
        >>> values, counts = ops.unique(x, return_counts=True)
    """
    x = tensor(x)
    flat = x.reshape(-1) if axis is None else x
    vals, inv, cnt = torch.unique(flat, sorted=True, return_inverse=True, return_counts=True,
                                  dim=axis)
    out = [vals]
    if return_index:
        n = inv.shape[0]
        first = torch.full((vals.shape[0 if axis is None else axis],), n, dtype=torch.int64,
                           device=x.device)
        first = first.scatter_reduce(0, inv, torch.arange(n, device=x.device), reduce="amin")
        out.append(first)
    if return_inverse:
        out.append(inv if axis is not None else inv.reshape(x.shape))
    if return_counts:
        out.append(cnt)
    if size is not None:
        k = vals.shape[0]
        if k >= size:
            out[0] = vals[:size]
        else:
            fv = vals.min() if fill_value is None else fill_value
            pad = torch.full((size - k,) + tuple(vals.shape[1:]), 0, dtype=vals.dtype,
                             device=vals.device) + torch.as_tensor(fv, dtype=vals.dtype)
            out[0] = torch.cat([vals, pad])
        if return_counts:
            c = out[-1]
            out[-1] = c[:size] if k >= size else torch.cat(
                [c, torch.zeros(size - k, dtype=c.dtype, device=c.device)])
    return out[0] if len(out) == 1 else tuple(out)


@keras_op
def nonzero(x: Any) -> torch.Tensor:
    """Indices of non-zero elements: an int32 tensor of shape ``(x.ndim, count)`` whose
    rows unpack like numpy's tuple (``rows, cols = ops.nonzero(m)``), as in Keras on torch."""
    return torch.nonzero(tensor(x)).T.to(torch.int32)


@keras_op
def isin(x1: Any, x2: Any, assume_unique: bool = False, invert: bool = False) -> torch.Tensor:
    """Whether each element of ``x1`` is in ``x2`` (negated with ``invert``)."""
    a, b = promote(x1, x2)
    return torch.isin(a, b, assume_unique=assume_unique, invert=invert)


def vectorize(pyfunc: Callable, *, excluded: Any = None, signature: str | None = None) -> Callable:
    """``pyfunc`` mapped over the leading axis of its tensor arguments (``torch.vmap``).

    Args:
        pyfunc: Function on single elements (or core-shaped slices per ``signature``).
        excluded: Positional indices / keyword names passed through unmapped.
        signature: A gufunc signature such as ``"(n),(n)->()"``; without one, ``pyfunc``
            is mapped over every axis of its inputs.

    Example:
        >>> ops.vectorize(lambda a, b: a + b)(x, y)
    """
    excluded = set(excluded or ())

    def mapped(*args: Any, **kwargs: Any):
        ts = [a if i in excluded else tensor(a) for i, a in enumerate(args)]
        mapped_idx = [i for i in range(len(ts)) if i not in excluded]
        if not mapped_idx:
            return pyfunc(*ts, **kwargs)
        core = _core_dims(signature, len(ts))

        def call(*mapped_args):
            full = list(ts)
            for i, v in zip(mapped_idx, mapped_args):
                full[i] = v
            return pyfunc(*full, **kwargs)

        fn = call
        shapes = [ts[i].shape[: ts[i].ndim - core[i]] for i in mapped_idx]
        batch = torch.broadcast_shapes(*shapes)
        inputs = [ts[i].expand(tuple(batch) + tuple(ts[i].shape[ts[i].ndim - core[i]:]))
                  for i in mapped_idx]
        for _ in range(len(batch)):
            fn = torch.vmap(fn)
        return fn(*inputs)

    return mapped


def _core_dims(signature: str | None, n: int) -> list:
    if not signature:
        return [0] * n
    ins = signature.split("->")[0]
    groups = [g.strip().strip("()") for g in ins.split("),")]
    return [len([d for d in g.split(",") if d.strip()]) for g in groups] + [0] * max(0, n - len(groups))


__all__ = ["sort", "argsort", "argpartition", "searchsorted", "digitize", "bincount",
           "histogram", "unique", "nonzero", "isin", "vectorize"]
