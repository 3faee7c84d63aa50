"""Weight penalties: ``L1``, ``L2``, ``L1L2`` and ``OrthogonalRegularizer``.

A regularizer is a callable ``reg(weight) -> scalar tensor`` whose value is added to
the training loss. It stays on the weight's device: no host syncs.
"""
from __future__ import annotations

import math
from typing import Any

import numpy as np
import torch


def validate_float_arg(value: Any, name: str) -> float:
    """Checks that ``value`` is a finite, non-negative number and returns it as a float."""
    if (isinstance(value, bool) or not isinstance(value, (float, int, np.floating, np.integer))
            or math.isinf(value) or math.isnan(value) or value < 0):
        raise ValueError("Invalid value for argument %s: expected a non-negative float."
                         "Received: %s=%r" % (name, name, value))
    return float(value)


def _as_float32(value: float) -> float:
    # Keras keeps these factors as float32 tensors, so its configs report the
    # float32-rounded value (0.01 -> 0.009999999776482582); match it.
    return float(np.float32(value))


class Regularizer:
    """Base class of regularizers: ``__call__(x)`` returns a scalar penalty.

    Example:
        >>> class Sum(Regularizer):
        ...     def __call__(self, x):
        ...         return 1e-3 * x.sum()
        ...     def get_config(self):
        ...         return {}
    """

    def __call__(self, x: torch.Tensor) -> torch.Tensor | float:
        return 0.0

    def get_config(self) -> dict[str, Any]:
        raise NotImplementedError("%s does not implement get_config()" % type(self).__name__)

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> "Regularizer":
        return cls(**config)

    def __repr__(self) -> str:
        try:
            args = ", ".join("%s=%r" % kv for kv in self.get_config().items())
        except NotImplementedError:
            args = ""
        return "%s(%s)" % (type(self).__name__, args)


class L1L2(Regularizer):
    """``l1 * sum(|x|) + l2 * sum(x**2)``.

    Args:
        l1: Non-negative L1 factor (``None`` means 0).
        l2: Non-negative L2 factor (``None`` means 0).

    Example:
        >>> L1L2(l1=0.1, l2=0.1)(torch.ones(2))
        tensor(0.4000)
    """

    def __init__(self, l1: float = 0.0, l2: float = 0.0):
        self.l1 = validate_float_arg(0.0 if l1 is None else l1, name="l1")
        self.l2 = validate_float_arg(0.0 if l2 is None else l2, name="l2")

    def __call__(self, x: torch.Tensor) -> torch.Tensor:
        penalty = torch.zeros((), dtype=x.dtype, device=x.device)
        if self.l1 != 0.0:
            penalty = penalty + self.l1 * x.abs().sum()
        if self.l2 != 0.0:
            penalty = penalty + self.l2 * x.square().sum()
        return penalty

    def get_config(self) -> dict[str, Any]:
        return {"l1": self.l1, "l2": self.l2}


class L1(Regularizer):
    """``l1 * sum(|x|)``.

    Args:
        l1: Non-negative factor (``None`` means 0.01).

    Example:
        >>> L1(0.5)(torch.tensor([1.0, -2.0]))
        tensor(1.5000)
    """

    def __init__(self, l1: float = 0.01):
        self.l1 = _as_float32(validate_float_arg(0.01 if l1 is None else l1, name="l1"))

    def __call__(self, x: torch.Tensor) -> torch.Tensor:
        return self.l1 * x.abs().sum()

    def get_config(self) -> dict[str, Any]:
        return {"l1": self.l1}


class L2(Regularizer):
    """``l2 * sum(x**2)``.

    Args:
        l2: Non-negative factor (``None`` means 0.01).

    Example:
        >>> L2(0.5)(torch.tensor([1.0, -2.0]))
        tensor(2.5000)
    """

    def __init__(self, l2: float = 0.01):
        self.l2 = validate_float_arg(0.01 if l2 is None else l2, name="l2")

    def __call__(self, x: torch.Tensor) -> torch.Tensor:
        return self.l2 * x.square().sum()

    def get_config(self) -> dict[str, Any]:
        return {"l2": self.l2}


class OrthogonalRegularizer(Regularizer):
    """Pushes the rows (or columns) of a 2D weight towards orthogonality.

    The penalty is ``factor * 0.5 * mean |cos(v_i, v_j)|`` over all pairs ``i < j``
    of the L2-normalised rows (``mode="rows"``) or columns (``mode="columns"``).

    Args:
        factor: Non-negative penalty factor.
        mode: ``"rows"`` or ``"columns"``.

    Example:
        >>> OrthogonalRegularizer(factor=1.0)(torch.eye(3))
        tensor(0.)
    """

    def __init__(self, factor: float = 0.01, mode: str = "rows"):
        self.factor = _as_float32(validate_float_arg(factor, name="factor"))
        if mode not in ("rows", "columns"):
            raise ValueError("Invalid value for argument `mode`. Expected one of "
                             "{'rows', 'columns'}. Received: mode=%r" % (mode,))
        self.mode = mode

    def __call__(self, inputs: torch.Tensor) -> torch.Tensor:
        if inputs.ndim != 2:
            raise ValueError("Inputs to OrthogonalRegularizer must have rank 2. Received: "
                             "inputs.shape=%s" % (tuple(inputs.shape),))
        vectors = inputs if self.mode == "rows" else inputs.T
        # Keras caps the inverse norm at 1 / epsilon (1e-7) so zero vectors stay finite.
        inv_norm = torch.rsqrt(vectors.square().sum(dim=1, keepdim=True)).clamp_max(1e7)
        unit = vectors * inv_norm
        product = unit @ unit.T
        size = product.shape[0]
        off_diagonal = product.abs().sum() - torch.diagonal(product).abs().sum()
        num_pairs = size * (size - 1.0) / 2.0
        return self.factor * 0.5 * off_diagonal / num_pairs

    def get_config(self) -> dict[str, Any]:
        return {"factor": self.factor, "mode": self.mode}
