"""``Orthogonal``: (semi-)orthogonal matrices from the QR decomposition of normal noise."""
from __future__ import annotations

from typing import Any

import torch

from torchkeras.initializers.initializer import to_dtype, to_shape
from torchkeras.initializers.random_initializers import RandomInitializer, sample_normal


class Orthogonal(RandomInitializer):
    """Generates an orthogonal matrix (rows or columns orthonormal), times ``gain``.

    Shapes of rank > 2 are treated as ``(prod(shape[:-1]), shape[-1])`` matrices and
    reshaped back.

    Args:
        gain: Factor applied to the orthogonal matrix.
        seed: Integer making the values deterministic (``None``: torch's global RNG).

    Example:
        >>> w = Orthogonal(seed=0)((4, 4))
        >>> torch.allclose(w @ w.T, torch.eye(4), atol=1e-5)
        True
    """

    def __init__(self, gain: float = 1.0, seed: int | None = None):
        self.gain = gain
        super().__init__(seed=seed)

    def __call__(self, shape, dtype=None) -> torch.Tensor:
        shape, dtype = to_shape(shape), to_dtype(dtype)
        if len(shape) < 2:
            raise ValueError("The tensor to initialize must be at least two-dimensional. "
                             "Received: shape=%s of rank %d." % (shape, len(shape)))
        rows = 1
        for dim in shape[:-1]:
            rows *= dim
        cols = shape[-1]
        # torch.linalg.qr needs float32/float64; half types are cast at the end.
        work = torch.float64 if dtype == torch.float64 else torch.float32
        a = sample_normal((max(rows, cols), min(rows, cols)), 0.0, 1.0, work, self.seed)
        q, r = torch.linalg.qr(a)
        # Sign fix makes the result uniformly distributed over orthogonal matrices.
        q = q * torch.sign(torch.diagonal(r)).unsqueeze(0)
        if rows < cols:
            q = q.T
        return (self.gain * q).reshape(shape).to(dtype).contiguous()

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "gain": self.gain}
