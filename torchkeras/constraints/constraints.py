"""Weight constraints: projections applied to a weight after each optimizer step.

A constraint is a callable ``c(weight) -> tensor`` returning the projected value; the
caller copies it into the weight in place. ``axis`` refers to Keras's weight layout
(a Dense kernel is ``(in, out)``, a Conv2D kernel ``(h, w, in, out)``).
"""
from __future__ import annotations

from typing import Any, Sequence

import torch

from torchkeras import config as _config

Axis = int | Sequence[int] | None


def _norms(w: torch.Tensor, axis: Axis) -> torch.Tensor:
    if axis is None:
        return torch.linalg.vector_norm(w).reshape([1] * w.ndim)
    dims = (axis,) if isinstance(axis, int) else tuple(axis)
    return torch.sqrt(w.square().sum(dim=dims, keepdim=True))


class Constraint:
    """Base class of constraints: ``__call__(w)`` returns the projected weight.

    Example:
        >>> class Clip(Constraint):
        ...     def __call__(self, w):
        ...         return w.clamp(-1.0, 1.0)
    """

    def __call__(self, w: torch.Tensor) -> torch.Tensor:
        return w

    def get_config(self) -> dict[str, Any]:
        return {}

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> "Constraint":
        return cls(**config)

    def __repr__(self) -> str:
        args = ", ".join("%s=%r" % kv for kv in self.get_config().items())
        return "%s(%s)" % (type(self).__name__, args)


class MaxNorm(Constraint):
    """Rescales weight slices whose L2 norm along ``axis`` exceeds ``max_value``.

    Args:
        max_value: Largest norm allowed.
        axis: Axis (or axes) the norm is taken over: ``0`` for a Dense kernel's input
            vectors, ``[0, 1, 2]`` for a Conv2D kernel's filters.

    Example:
        >>> MaxNorm(1.0)(torch.tensor([[3.0], [4.0]])).flatten()
        tensor([0.6000, 0.8000])
    """

    def __init__(self, max_value: float = 2, axis: Axis = 0):
        self.max_value = max_value
        self.axis = axis

    def __call__(self, w: torch.Tensor) -> torch.Tensor:
        norms = _norms(w, self.axis)
        desired = torch.clamp(norms, 0, self.max_value)
        return w * (desired / (_config.epsilon() + norms))

    def get_config(self) -> dict[str, Any]:
        return {"max_value": self.max_value, "axis": self.axis}


class NonNeg(Constraint):
    """Replaces negative weights with 0.

    Example:
        >>> NonNeg()(torch.tensor([-1.0, 2.0]))
        tensor([0., 2.])
    """

    def __call__(self, w: torch.Tensor) -> torch.Tensor:
        return torch.clamp(w, min=0)


class UnitNorm(Constraint):
    """Scales weight slices to unit L2 norm along ``axis``.

    Args:
        axis: Axis (or axes) the norm is taken over.

    Example:
        >>> UnitNorm()(torch.tensor([[3.0], [4.0]])).flatten()
        tensor([0.6000, 0.8000])
    """

    def __init__(self, axis: Axis = 0):
        self.axis = axis

    def __call__(self, w: torch.Tensor) -> torch.Tensor:
        return w / (_config.epsilon() + _norms(w, self.axis))

    def get_config(self) -> dict[str, Any]:
        return {"axis": self.axis}


class MinMaxNorm(Constraint):
    """Moves weight-slice norms along ``axis`` into ``[min_value, max_value]``.

    The new norm is ``rate * clip(norm, min_value, max_value) + (1 - rate) * norm``.

    Args:
        min_value: Smallest norm allowed.
        max_value: Largest norm allowed.
        rate: How far to move towards the allowed range (1.0: all the way).
        axis: Axis (or axes) the norm is taken over.

    Example:
        >>> MinMaxNorm(0.0, 1.0)(torch.tensor([[3.0], [4.0]])).flatten()
        tensor([0.6000, 0.8000])
    """

    def __init__(self, min_value: float = 0.0, max_value: float = 1.0, rate: float = 1.0,
                 axis: Axis = 0):
        self.min_value = min_value
        self.max_value = max_value
        self.rate = rate
        self.axis = axis

    def __call__(self, w: torch.Tensor) -> torch.Tensor:
        norms = _norms(w, self.axis)
        desired = (self.rate * torch.clamp(norms, self.min_value, self.max_value)
                   + (1 - self.rate) * norms)
        return w * (desired / (_config.epsilon() + norms))

    def get_config(self) -> dict[str, Any]:
        return {"min_value": self.min_value, "max_value": self.max_value, "rate": self.rate,
                "axis": self.axis}
