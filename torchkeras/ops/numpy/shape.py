"""Shape and layout ops of ``keras.ops.numpy``: reshape, join, split, index, pad.

Example:
    >>> from torchkeras import ops
    >>> ops.concatenate([a, b], axis=-1)
"""
from __future__ import annotations

from typing import Any

import torch

from torchkeras.ops.dtypes import result_type
from torchkeras.ops.fast_paths import reversed_axes, same_dtype
from torchkeras.ops.numpy.common import promote, tensor, torch_dtype
from torchkeras.ops.symbolic import keras_op

_Tensor = torch.Tensor


def _ints(v: Any):
    if isinstance(v, torch.Tensor):
        return v.tolist()
    if isinstance(v, (list, tuple)):
        return [int(i) for i in v]
    return int(v)


def reshape(x: Any, newshape: Any) -> torch.Tensor:
    """``x`` with shape ``newshape`` (one entry may be -1).

    Example:
        >>> ops.reshape(x, (-1, 4))
    """
    # Fast path (fast_paths, item 5): a plain tensor and a tuple of ints.
    if type(x) is _Tensor and type(newshape) is tuple:
        for d in newshape:
            if type(d) is not int:
                break
        else:
            return x.reshape(*newshape) if newshape else x.reshape(newshape)
    return _reshape_op(x, newshape)


def _reshape(x: Any, newshape: Any) -> torch.Tensor:
    if type(newshape) is not tuple:
        newshape = _ints(newshape)
        newshape = (newshape,) if isinstance(newshape, int) else tuple(newshape)
    if type(x) is not torch.Tensor:   # Fast path: no helper call for a plain tensor.
        x = tensor(x)
    # Fast path: ints as varargs parse faster in torch than one tuple argument.
    return x.reshape(*newshape) if newshape else x.reshape(newshape)


_reshape_op = keras_op(_reshape, name="reshape")
reshape.__wrapped_op__ = _reshape


@keras_op
def ravel(x: Any) -> torch.Tensor:
    """``x`` flattened to 1-D."""
    return torch.ravel(tensor(x))


def transpose(x: Any, axes: Any = None) -> torch.Tensor:
    """Permutes axes (reverses them when ``axes`` is None).

    Example:
        >>> ops.transpose(x, (1, 0, 2))
    """
    if type(x) is _Tensor and axes is None:   # Fast path (fast_paths, item 5)
        return x.permute(*reversed_axes(x.ndim))
    return _transpose_op(x, axes)


def _transpose(x: Any, axes: Any = None) -> torch.Tensor:
    if type(x) is not torch.Tensor:   # Fast path: no helper call for a plain tensor.
        x = tensor(x)
    if axes is None:
        return x.permute(*reversed_axes(x.ndim))
    return x.permute(*axes)


_transpose_op = keras_op(_transpose, name="transpose")
transpose.__wrapped_op__ = _transpose


def expand_dims(x: Any, axis: Any) -> torch.Tensor:
    """Inserts size-1 axes at ``axis`` (an int or tuple, negatives allowed).

    Example:
        >>> ops.expand_dims(x, -1)
    """
    if type(x) is _Tensor and type(axis) is int:   # Fast path (fast_paths, item 5)
        return x.unsqueeze(axis)
    return _expand_dims_op(x, axis)


def _expand_dims(x: Any, axis: Any) -> torch.Tensor:
    if type(x) is not torch.Tensor:   # Fast path: no helper call for a plain tensor.
        x = tensor(x)
    if isinstance(axis, int):
        return x.unsqueeze(axis)
    nd = x.ndim + len(axis)
    for a in sorted(a % nd for a in axis):
        x = torch.unsqueeze(x, a)
    return x


_expand_dims_op = keras_op(_expand_dims, name="expand_dims")
expand_dims.__wrapped_op__ = _expand_dims


@keras_op
def squeeze(x: Any, axis: Any = None) -> torch.Tensor:
    """Removes size-1 axes (those named by ``axis``, else all).

    Raises:
        ValueError: If a named axis is not of size 1.
    """
    x = tensor(x)
    if axis is None:
        return torch.squeeze(x)
    dims = (axis,) if isinstance(axis, int) else tuple(axis)
    for a in dims:
        if x.shape[a] != 1:
            raise ValueError("squeeze: axis %d has size %d, not 1" % (a, x.shape[a]))
    return torch.squeeze(x, dims)


@keras_op
def broadcast_to(x: Any, shape: Any) -> torch.Tensor:
    """``x`` broadcast to ``shape``."""
    return torch.broadcast_to(tensor(x), tuple(_ints(shape)))


@keras_op
def moveaxis(x: Any, source: Any, destination: Any) -> torch.Tensor:
    """Moves axes ``source`` to positions ``destination``."""
    return torch.movedim(tensor(x), source, destination)


@keras_op
def swapaxes(x: Any, axis1: int, axis2: int) -> torch.Tensor:
    """Swaps two axes."""
    return torch.swapaxes(tensor(x), axis1, axis2)


@keras_op
def concatenate(xs: Any, axis: int | None = 0) -> torch.Tensor:
    """Joins tensors along an existing axis (flattened first when ``axis`` is None).

    Example:
        >>> ops.concatenate([a, b], axis=1)
    """
    ts = xs if same_dtype(xs) else promote(*xs)   # Fast path: fast_paths.same_dtype
    if axis is None:
        ts = [t.reshape(-1) for t in ts]
        axis = 0
    return torch.cat(ts, dim=axis)


@keras_op
def append(x1: Any, x2: Any, axis: int | None = None) -> torch.Tensor:
    """``x2`` appended to ``x1`` along ``axis`` (both flattened when None)."""
    a, b = promote(x1, x2)
    if axis is None:
        return torch.cat([a.reshape(-1), b.reshape(-1)])
    return torch.cat([a, b], dim=axis)


@keras_op
def stack(x: Any, axis: int = 0) -> torch.Tensor:
    """Joins tensors along a new axis."""
    return torch.stack(x if same_dtype(x) else promote(*x), dim=axis)


@keras_op
def hstack(xs: Any) -> torch.Tensor:
    """Stacks column-wise (along axis 1, or 0 for 1-D inputs)."""
    return torch.hstack(promote(*xs))


@keras_op
def vstack(xs: Any) -> torch.Tensor:
    """Stacks row-wise (along axis 0, 1-D inputs become rows)."""
    return torch.vstack(promote(*xs))


@keras_op
def dstack(xs: Any) -> torch.Tensor:
    """Stacks depth-wise (along axis 2)."""
    return torch.dstack(promote(*xs))


def _split(x: torch.Tensor, spec: Any, axis: int, equal: bool) -> list:
    spec = _ints(spec)
    if isinstance(spec, int):
        if equal and x.shape[axis] % spec:
            raise ValueError("split: axis of size %d does not divide into %d equal parts"
                             % (x.shape[axis], spec))
        return list(torch.tensor_split(x, spec, dim=axis))
    return list(torch.tensor_split(x, spec, dim=axis))


@keras_op
def split(x: Any, indices_or_sections: Any, axis: int = 0) -> list:
    """Splits into equal sections or at the given indices.

    Raises:
        ValueError: If an integer count does not divide the axis.

    Example:
        >>> a, b = ops.split(x, 2, axis=-1)
    """
    return _split(tensor(x), indices_or_sections, axis, True)


@keras_op
def array_split(x: Any, indices_or_sections: Any, axis: int = 0) -> list:
    """Like :func:`split`, allowing unequal sections."""
    return _split(tensor(x), indices_or_sections, axis, False)


@keras_op
def hsplit(x: Any, indices_or_sections: Any) -> list:
    """Splits along axis 1 (axis 0 for 1-D)."""
    x = tensor(x)
    return _split(x, indices_or_sections, 1 if x.ndim > 1 else 0, True)


@keras_op
def vsplit(x: Any, indices_or_sections: Any) -> list:
    """Splits along axis 0."""
    return _split(tensor(x), indices_or_sections, 0, True)


@keras_op
def dsplit(x: Any, indices_or_sections: Any) -> list:
    """Splits along axis 2."""
    return _split(tensor(x), indices_or_sections, 2, True)


@keras_op
def flip(x: Any, axis: Any = None) -> torch.Tensor:
    """Reverses the order along ``axis`` (all axes when None)."""
    x = tensor(x)
    dims = tuple(range(x.ndim)) if axis is None else ((axis,) if isinstance(axis, int) else tuple(axis))
    return torch.flip(x, dims)


@keras_op
def fliplr(x: Any) -> torch.Tensor:
    """Reverses axis 1."""
    return torch.fliplr(tensor(x))


@keras_op
def flipud(x: Any) -> torch.Tensor:
    """Reverses axis 0."""
    return torch.flipud(tensor(x))


@keras_op
def rot90(array: Any, k: int = 1, axes: tuple = (0, 1)) -> torch.Tensor:
    """Rotates by 90 degrees ``k`` times in the plane of ``axes``."""
    return torch.rot90(tensor(array), k, list(axes))


@keras_op
def roll(x: Any, shift: Any, axis: Any = None) -> torch.Tensor:
    """Shifts elements cyclically along ``axis`` (of the flattened tensor when None)."""
    x = tensor(x)
    shift = _ints(shift)
    if axis is None:
        return torch.roll(x.reshape(-1), shift).reshape(x.shape)
    return torch.roll(x, shift, axis)


@keras_op
def repeat(x: Any, repeats: Any, axis: int | None = None) -> torch.Tensor:
    """Repeats each element ``repeats`` times along ``axis`` (flattened when None)."""
    x = tensor(x)
    if not isinstance(repeats, int):
        repeats = tensor(repeats).to(torch.int64)
    return torch.repeat_interleave(x, repeats, dim=axis)


@keras_op
def tile(x: Any, repeats: Any) -> torch.Tensor:
    """Tiles ``x`` ``repeats`` times along each axis."""
    reps = _ints(repeats)
    return torch.tile(tensor(x), (reps,) if isinstance(reps, int) else tuple(reps))


@keras_op
def diag(x: Any, k: int = 0) -> torch.Tensor:
    """The ``k``-th diagonal of a 2-D tensor, or a 2-D tensor with 1-D ``x`` on it.

    Raises:
        ValueError: For inputs that are neither 1-D nor 2-D.
    """
    x = tensor(x)
    if x.ndim not in (1, 2):
        raise ValueError("diag: x must be 1-D or 2-D, got shape %s" % (tuple(x.shape),))
    return torch.diag(x, k)


@keras_op
def diagflat(x: Any, k: int = 0) -> torch.Tensor:
    """A 2-D tensor with the flattened ``x`` on its ``k``-th diagonal."""
    return torch.diagflat(tensor(x), k)


@keras_op
def diagonal(x: Any, offset: int = 0, axis1: int = 0, axis2: int = 1) -> torch.Tensor:
    """Diagonals over ``axis1``/``axis2``; they become the last axis."""
    return torch.diagonal(tensor(x), offset, axis1, axis2)


@keras_op
def tril(x: Any, k: int = 0) -> torch.Tensor:
    """Zeros above the ``k``-th diagonal (of the last two axes)."""
    return torch.tril(tensor(x), k)


@keras_op
def triu(x: Any, k: int = 0) -> torch.Tensor:
    """Zeros below the ``k``-th diagonal (of the last two axes)."""
    return torch.triu(tensor(x), k)


@keras_op
def diff(a: Any, n: int = 1, axis: int = -1) -> torch.Tensor:
    """The ``n``-th discrete difference along ``axis``."""
    return torch.diff(tensor(a), n=n, dim=axis)


@keras_op
def get_item(x: Any, key: Any) -> torch.Tensor:
    """``x[key]`` (ints, slices, ``None``, ``Ellipsis``, tensors)."""
    x = tensor(x)
    return x[key]


@keras_op
def copy(x: Any) -> torch.Tensor:
    """A copy of ``x``."""
    return tensor(x).clone()


@keras_op
def view(x: Any, dtype: Any = None) -> torch.Tensor:
    """The same memory reinterpreted as ``dtype`` (``x`` itself when None)."""
    x = tensor(x)
    return x if dtype is None else x.view(torch_dtype(dtype))


@keras_op
def ndim(x: Any) -> int:
    """Number of axes."""
    return tensor(x).ndim


@keras_op
def size(x: Any) -> torch.Tensor:
    """Number of elements, as a 0-d int64 tensor (Keras on torch returns a tensor)."""
    x = tensor(x)
    return torch.tensor(x.numel(), device=x.device)


@keras_op
def unravel_index(indices: Any, shape: Any) -> tuple:
    """Flat ``indices`` as a tuple of coordinate tensors for ``shape``."""
    idx = tensor(indices)
    dt = torch_dtype(result_type(idx.dtype))
    return tuple(t.to(dt) for t in torch.unravel_index(idx.to(torch.int64), tuple(_ints(shape))))


__all__ = ["reshape", "ravel", "transpose", "expand_dims", "squeeze", "broadcast_to",
           "moveaxis", "swapaxes", "concatenate", "append", "stack", "hstack", "vstack",
           "dstack", "split", "array_split", "hsplit", "vsplit", "dsplit", "flip", "fliplr",
           "flipud", "rot90", "roll", "repeat", "tile", "diag",
           "diagflat", "diagonal", "tril", "triu", "diff", "get_item", "copy", "view",
           "ndim", "size", "unravel_index"]
