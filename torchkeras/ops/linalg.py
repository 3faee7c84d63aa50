"""Keras 3's ``keras.ops.linalg`` family on ``torch.linalg``.

Integer inputs are computed in floatx; batched inputs (``(..., M, N)``) work throughout.

Example:
    >>> from torchkeras.ops import linalg
    >>> q, r = linalg.qr(torch.randn(4, 3))
"""
from __future__ import annotations

from typing import Any, Callable

import torch

from torchkeras.ops.arg_utils import floating, promote, tensor
from torchkeras.ops.symbolic import keras_op

__all__ = [
    "cholesky", "cholesky_inverse", "det", "eig", "eigh", "inv", "jvp", "lstsq",
    "lu_factor", "matrix_rank", "norm", "pinv", "qr", "solve", "solve_triangular", "svd",
]


def _square(x: torch.Tensor, name: str) -> torch.Tensor:
    if x.ndim < 2 or x.shape[-1] != x.shape[-2]:
        raise ValueError(f"{name}: expected (batches of) square matrices, got shape "
                         f"{tuple(x.shape)}")
    return x


@keras_op
def cholesky(x: Any, upper: bool = False) -> torch.Tensor:
    """Cholesky factor of a symmetric positive-definite matrix (lower by default).

    Example:
        >>> cholesky(torch.eye(2) * 4)   # 2 * I
    """
    return torch.linalg.cholesky(_square(floating(x), "cholesky"), upper=upper)


@keras_op
def cholesky_inverse(x: Any, upper: bool = False) -> torch.Tensor:
    """Inverse of ``A`` given its Cholesky factor ``x``.

    Example:
        >>> cholesky_inverse(cholesky(a))   # inv(a)
    """
    return torch.cholesky_inverse(_square(floating(x), "cholesky_inverse"), upper=upper)


@keras_op
def det(x: Any) -> torch.Tensor:
    """Determinant of (batches of) square matrices.

    Example:
        >>> det(torch.eye(3) * 2)   # 8.0
    """
    return torch.linalg.det(_square(floating(x), "det"))


@keras_op
def eig(x: Any):
    """Eigenvalues and eigenvectors of a general square matrix (complex results).

    Example:
        >>> w, v = eig(torch.tensor([[2.0, 0.0], [0.0, 3.0]]))
    """
    return torch.linalg.eig(_square(floating(x), "eig"))


@keras_op
def eigh(x: Any):
    """Eigenvalues (ascending) and eigenvectors of a symmetric/Hermitian matrix.

    Example:
        >>> w, v = eigh(torch.tensor([[2.0, 1.0], [1.0, 2.0]]))   # w = [1, 3]
    """
    return torch.linalg.eigh(_square(floating(x), "eigh"))


@keras_op
def inv(x: Any) -> torch.Tensor:
    """Matrix inverse.

    Example:
        >>> inv(torch.eye(2) * 2)   # 0.5 * I
    """
    return torch.linalg.inv(_square(floating(x), "inv"))


@keras_op
def lu_factor(x: Any):
    """LU factorisation: the packed ``LU`` matrix and 0-based row pivots (as SciPy/JAX).

    Example:
        >>> lu, pivots = lu_factor(a)
    """
    lu, pivots = torch.linalg.lu_factor(floating(x))
    return lu, pivots - 1


@keras_op
def norm(x: Any, ord: Any = None, axis: Any = None, keepdims: bool = False) -> torch.Tensor:
    """Vector or matrix norm (``torch.linalg.norm`` semantics, as Keras's).

    Example:
        >>> norm([3.0, 4.0])   # 5.0
    """
    x = floating(x)
    if isinstance(axis, list):
        axis = tuple(axis)
    return torch.linalg.norm(x, ord=ord, dim=axis, keepdim=keepdims)


@keras_op
def pinv(x: Any, rcond: float | None = None) -> torch.Tensor:
    """Moore-Penrose pseudo-inverse (``rcond``: relative cutoff of small singular values).

    Example:
        >>> pinv(torch.tensor([[1.0, 2.0]]))   # shape (2, 1)
    """
    x = floating(x)
    return torch.linalg.pinv(x, rtol=rcond) if rcond is not None else torch.linalg.pinv(x)


@keras_op
def qr(x: Any, mode: str = "reduced"):
    """QR decomposition; ``mode`` is ``"reduced"`` or ``"complete"``.

    Example:
        >>> q, r = qr(torch.randn(4, 3))   # (4, 3), (3, 3)
    """
    if mode not in ("reduced", "complete"):
        raise ValueError(f"qr: `mode` must be 'reduced' or 'complete', got {mode!r}")
    x = floating(x)
    if x.ndim < 2:
        raise ValueError(f"qr: input must have rank >= 2, got shape {tuple(x.shape)}")
    return torch.linalg.qr(x, mode=mode)


@keras_op
def solve(a: Any, b: Any) -> torch.Tensor:
    """Solves ``a @ x = b`` for ``x``.

    Example:
        >>> solve(torch.eye(2) * 2, torch.ones(2))   # [0.5, 0.5]
    """
    a, b = promote(a, b)
    _square(a, "solve")
    if b.shape[:1] != a.shape[-1:] and (b.ndim < 2 or b.shape[-2] != a.shape[-1]):
        raise ValueError(f"solve: incompatible shapes a {tuple(a.shape)} and b "
                         f"{tuple(b.shape)}")
    return torch.linalg.solve(a, b)


@keras_op
def solve_triangular(a: Any, b: Any, lower: bool = False) -> torch.Tensor:
    """Solves ``a @ x = b`` for a triangular ``a`` (upper unless ``lower``).

    Example:
        >>> solve_triangular(torch.eye(2), torch.ones(2), lower=True)   # [1, 1]
    """
    a, b = promote(a, b)
    _square(a, "solve_triangular")
    vector = b.ndim == a.ndim - 1
    if vector:
        b = b.unsqueeze(-1)
    if b.shape[-2] != a.shape[-1]:
        raise ValueError(f"solve_triangular: incompatible shapes a {tuple(a.shape)} and b "
                         f"{tuple(b.shape)}")
    out = torch.linalg.solve_triangular(a, b, upper=not lower)
    return out.squeeze(-1) if vector else out


@keras_op
def svd(x: Any, full_matrices: bool = True, compute_uv: bool = True):
    """Singular value decomposition ``(u, s, vh)`` (only ``s`` if not ``compute_uv``).

    Example:
        >>> u, s, vh = svd(torch.randn(3, 2), full_matrices=False)
    """
    x = floating(x)
    if not compute_uv:
        return torch.linalg.svdvals(x)
    return torch.linalg.svd(x, full_matrices=full_matrices)


@keras_op
def lstsq(a: Any, b: Any, rcond: float | None = None) -> torch.Tensor:
    """Least-squares solution of ``a @ x = b``.

    Example:
        >>> lstsq(torch.randn(5, 2), torch.randn(5))   # shape (2,)
    """
    a, b = promote(a, b)
    if a.ndim != 2 or b.ndim not in (1, 2) or b.shape[0] != a.shape[0]:
        raise ValueError(f"lstsq: expected a (M, N) and b (M,) or (M, K); got "
                         f"{tuple(a.shape)} and {tuple(b.shape)}")
    vector = b.ndim == 1
    if vector:
        b = b.unsqueeze(-1)
    # gelsd handles rank-deficient systems on CPU; CUDA has only gels (full rank).
    driver = "gelsd" if a.device.type == "cpu" else None
    sol = torch.linalg.lstsq(a, b, rcond=rcond, driver=driver).solution
    return sol.squeeze(-1) if vector else sol


@keras_op
def matrix_rank(x: Any, tol: float | None = None) -> torch.Tensor:
    """Numerical rank (count of singular values above ``tol``).

    Example:
        >>> matrix_rank(torch.eye(3))   # 3
    """
    x = floating(x)
    if tol is None:
        return torch.linalg.matrix_rank(x).to(torch.int32)
    return torch.linalg.matrix_rank(x, atol=tol, rtol=0.0).to(torch.int32)


def jvp(fun: Callable, primals: Any, tangents: Any, has_aux: bool = False):
    """Jacobian-vector product of ``fun`` at ``primals`` along ``tangents``.

    Returns:
        ``(outputs, tangent_outputs)`` (plus ``aux`` when ``has_aux``).

    Example:
        >>> jvp(lambda x: x * x, (torch.tensor(3.0),), (torch.tensor(1.0),))   # (9, 6)
    """
    primals = tuple(tensor(p) for p in primals)
    tangents = tuple(tensor(t) for t in tangents)
    return torch.func.jvp(fun, primals, tangents, has_aux=has_aux)
