"""Products and contractions of ``keras.ops.numpy``: matmul, dot, einsum, ….

Operands are promoted with Keras's rules first (``int8 @ int8`` computes in int32 as
Keras does, since torch has no int8 matmul on every device).

Example:
    >>> from torchkeras import ops
    >>> ops.einsum("bij,bjk->bik", a, b)
"""
from __future__ import annotations

from typing import Any

import torch
import torch.nn.functional as F

from torchkeras.ops.numpy.common import floatx_dtype, promote, promote_narrow, tensor, to_float
from torchkeras.ops.symbolic import keras_op

_INT_MATMUL = (torch.bool, torch.uint8, torch.int8, torch.int16)


def _mm_pair(x1: Any, x2: Any):
    a, b = promote(x1, x2)
    if a.dtype in _INT_MATMUL:
        a, b = a.to(torch.int32), b.to(torch.int32)
    return a, b


@keras_op
def matmul(x1: Any, x2: Any) -> torch.Tensor:
    """Matrix product with numpy's broadcasting over leading axes.

    Example:
        >>> ops.matmul(x, w)
    """
    if isinstance(x1, torch.Tensor) and isinstance(x2, torch.Tensor) and \
            x1.dtype == x2.dtype and x1.is_floating_point():
        return torch.matmul(x1, x2)
    a, b = _mm_pair(x1, x2)
    if a.is_floating_point() or a.is_complex() or a.device.type != "cpu" or a.dtype == torch.int64:
        return torch.matmul(a, b)
    # torch's CPU matmul has no int32 kernel: compute in int64, as exact.
    return torch.matmul(a.to(torch.int64), b.to(torch.int64)).to(a.dtype)


@keras_op
def dot(x1: Any, x2: Any) -> torch.Tensor:
    """numpy's ``dot``: scalar product, matmul, or sum over the last axis of ``x1`` and the
    second-to-last of ``x2``."""
    a, b = _mm_pair(x1, x2)
    if a.ndim == 0 or b.ndim == 0:
        return a * b
    if b.ndim <= 2:
        return _int_safe(torch.matmul, a, b)
    return _int_safe(lambda p, q: torch.tensordot(p, q, dims=([-1], [-2])), a, b)


def _int_safe(fn, a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    if a.is_floating_point() or a.is_complex() or a.dtype == torch.int64:
        return fn(a, b)
    return fn(a.to(torch.int64), b.to(torch.int64)).to(a.dtype)


@keras_op
def vdot(x1: Any, x2: Any) -> torch.Tensor:
    """Dot product of the flattened inputs (conjugating ``x1``)."""
    a, b = _mm_pair(x1, x2)
    if a.numel() != b.numel():
        raise ValueError("vdot: inputs must have the same number of elements, got %d and %d"
                         % (a.numel(), b.numel()))
    return _int_safe(lambda p, q: torch.sum(p.conj().reshape(-1) * q.reshape(-1)), a, b)


@keras_op
def inner(x1: Any, x2: Any) -> torch.Tensor:
    """Sum-product over the last axes."""
    a, b = promote_narrow(x1, x2)
    return _int_safe(torch.inner, a, b)


@keras_op
def outer(x1: Any, x2: Any) -> torch.Tensor:
    """Outer product of the flattened inputs."""
    a, b = promote(x1, x2)
    return torch.outer(a.reshape(-1), b.reshape(-1))


@keras_op
def tensordot(x1: Any, x2: Any, axes: Any = 2) -> torch.Tensor:
    """Sum-product over ``axes`` (a count, or two lists of axes)."""
    a, b = _mm_pair(x1, x2)
    if not isinstance(axes, int):
        axes = [list(ax) if isinstance(ax, (list, tuple)) else [ax] for ax in axes]
    return _int_safe(lambda p, q: torch.tensordot(p, q, dims=axes), a, b)


@keras_op
def einsum(subscripts: str, *operands: Any, **kwargs: Any) -> torch.Tensor:
    """Einstein summation over ``operands``.

    Example:
        >>> ops.einsum("ij,jk->ik", a, b)
    """
    if all(isinstance(t, torch.Tensor) and t.is_floating_point() for t in operands) and \
            len({t.dtype for t in operands}) == 1:
        return torch.einsum(subscripts, *operands)
    ts = _mm_pair(*operands) if len(operands) == 2 else promote(*operands)
    if len(operands) == 1 and ts[0].dtype in _INT_MATMUL:
        ts = [ts[0].to(torch.int32)]
    return _int_safe(lambda *p: torch.einsum(subscripts, *p), *ts) if len(ts) == 2 else \
        torch.einsum(subscripts, *ts)


@keras_op
def kron(x1: Any, x2: Any) -> torch.Tensor:
    """Kronecker product."""
    a, b = promote(x1, x2)
    return torch.kron(a, b)


@keras_op
def cross(x1: Any, x2: Any, axisa: int = -1, axisb: int = -1, axisc: int = -1,
          axis: int | None = None) -> torch.Tensor:
    """Cross product of 3-vectors (2-vectors are padded with a zero z).

    Raises:
        ValueError: If a vector axis has a size other than 2 or 3.
    """
    a, b = promote(x1, x2)
    if axis is not None:
        axisa = axisb = axisc = axis
    a, b = torch.movedim(a, axisa, -1), torch.movedim(b, axisb, -1)
    for v in (a, b):
        if v.shape[-1] not in (2, 3):
            raise ValueError("cross: vectors must have 2 or 3 components, got %d" % v.shape[-1])
    if a.shape[-1] == 2 and b.shape[-1] == 2:
        return a[..., 0] * b[..., 1] - a[..., 1] * b[..., 0]
    if a.shape[-1] == 2:
        a = F.pad(a, (0, 1))
    if b.shape[-1] == 2:
        b = F.pad(b, (0, 1))
    a, b = torch.broadcast_tensors(a, b)
    return torch.movedim(torch.linalg.cross(a, b, dim=-1), -1, axisc)


@keras_op
def trace(x: Any, offset: int = 0, axis1: int = 0, axis2: int = 1) -> torch.Tensor:
    """Sum of the ``offset`` diagonal over ``axis1``/``axis2`` (small ints sum in int32)."""
    x = tensor(x)
    if x.dtype in _INT_MATMUL:
        x = x.to(torch.int32)
    return torch.sum(torch.diagonal(x, offset, axis1, axis2), dim=-1, dtype=x.dtype)


@keras_op
def correlate(x1: Any, x2: Any, mode: str = "valid") -> torch.Tensor:
    """Cross-correlation of two 1-D sequences.

    Raises:
        ValueError: For a mode other than ``"valid"``, ``"same"``, ``"full"``.
    """
    if mode not in ("valid", "same", "full"):
        raise ValueError("correlate: mode must be 'valid', 'same' or 'full', got %r" % (mode,))
    a, b = promote(x1, x2)
    dtype = a.dtype if a.is_floating_point() else floatx_dtype()
    a, b = a.to(torch.float32 if dtype != torch.float64 else dtype), b.to(
        torch.float32 if dtype != torch.float64 else dtype)
    n, m = a.shape[0], b.shape[0]
    if m > n:
        a, b, n, m, swapped = b, a, m, n, True
    else:
        swapped = False
    if mode == "valid":
        p_left = p_right = 0
    elif mode == "full":
        p_left = p_right = m - 1
    else:
        p_left, p_right = m // 2, m - 1 - m // 2
    out = F.conv1d(F.pad(a.reshape(1, 1, -1), (p_left, p_right)), b.reshape(1, 1, -1)).reshape(-1)
    if swapped:
        out = out.flip(0)
    return out.to(dtype)


@keras_op
def corrcoef(x: Any) -> torch.Tensor:
    """Pearson correlation coefficients of the rows of ``x``."""
    x = to_float(tensor(x))
    return torch.corrcoef(x)


@keras_op
def slogdet(x: Any) -> tuple:
    """Sign and log of the absolute determinant."""
    out = torch.linalg.slogdet(to_float(tensor(x)))
    return out.sign, out.logabsdet


__all__ = ["matmul", "dot", "vdot", "inner", "outer", "tensordot", "einsum", "kron", "cross",
           "trace", "correlate", "corrcoef", "slogdet"]
