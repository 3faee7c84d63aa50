"""Helpers shared by the optimizers: host-mirrored scalar variables, clipping, validation.

Clipping functions take the gradient list and return the clipped list; with
``inplace=True`` they overwrite the given tensors (the ``.grad`` buffers the step owns),
otherwise they leave the caller's tensors untouched. Everything stays on the device:
norms are tensors and the global-norm scale is applied as a tensor scalar.
"""
from __future__ import annotations

import copy
import math
import numbers

import numpy as np
import torch

from torchkeras.variables import Variable


class MirrorVariable(Variable):
    """A CPU scalar ``Variable`` whose ``assign*`` writes through to its optimizer.

    Optimizers keep their step count and learning rate as Python numbers (so the
    training step never reads a device value); this variable is their Keras-visible face:
    ``int(opt.iterations)``, ``opt.iterations.numpy()``, ``opt.learning_rate.assign(0.1)``.
    """

    def _bind(self, callback) -> "MirrorVariable":
        self._tk_callback = callback
        return self

    def _notify(self) -> None:
        callback = getattr(self, "_tk_callback", None)
        if callback is not None:
            callback(self.detach().item())

    def __deepcopy__(self, memo):
        # Copying an optimizer copies its mirrors bound to the copied optimizer.
        new = super().__deepcopy__(memo)
        callback = getattr(self, "_tk_callback", None)
        if callback is not None:
            new._tk_callback = copy.deepcopy(callback, memo)
        return new

    def assign(self, value) -> "MirrorVariable":
        super().assign(value)
        self._notify()
        return self

    def assign_add(self, value) -> "MirrorVariable":
        super().assign_add(value)
        self._notify()
        return self

    def assign_sub(self, value) -> "MirrorVariable":
        super().assign_sub(value)
        self._notify()
        return self


def make_mirror(value, dtype: torch.dtype, name: str, callback) -> MirrorVariable:
    """A 0-d CPU :class:`MirrorVariable` holding ``value``."""
    var = MirrorVariable(torch.tensor(value, dtype=dtype), trainable=False, name=name)
    return var._bind(callback)


def as_float32(value) -> float:
    """``value`` rounded to float32, as a Python float (Keras keeps rates in float32)."""
    return float(np.float32(value))


def check_number(owner: str, name: str, value, low=None, high=None, allow_none=False,
                 low_open=False, high_open=False):
    """Validates a hyperparameter; returns it unchanged. Raises ``ValueError`` on bad input."""
    if value is None:
        if allow_none:
            return None
        raise ValueError("%s: argument `%s` must be a number, received None." % (owner, name))
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or math.isnan(value):
        raise ValueError("%s: argument `%s` must be a number, received %r."
                         % (owner, name, value))
    if low is not None and (value < low or (low_open and value == low)):
        raise ValueError("%s: argument `%s` must be %s %s, received %s=%r."
                         % (owner, name, ">" if low_open else ">=", low, name, value))
    if high is not None and (value > high or (high_open and value == high)):
        raise ValueError("%s: argument `%s` must be %s %s, received %s=%r."
                         % (owner, name, "<" if high_open else "<=", high, name, value))
    return value


def check_count(owner: str, name: str, value) -> int:
    """Validates an integer hyperparameter ``>= 0`` (a bool is refused); returns it as int.
    Raises ``ValueError`` on bad input."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 0:
        raise ValueError("%s: argument `%s` must be an integer >= 0, received %r."
                         % (owner, name, value))
    return int(value)


def clip_by_norm(grads: list, clipnorm: float, inplace: bool) -> list:
    """Each gradient rescaled so its L2 norm is at most ``clipnorm``."""
    factors = torch._foreach_norm(grads)
    torch._foreach_clamp_min_(factors, clipnorm)
    torch._foreach_reciprocal_(factors)
    torch._foreach_mul_(factors, clipnorm)
    if inplace:
        torch._foreach_mul_(grads, factors)
        return grads
    return torch._foreach_mul(grads, factors)


def clip_by_global_norm(grads: list, clipnorm: float, inplace: bool) -> list:
    """All gradients rescaled together so their joint L2 norm is at most ``clipnorm``.

    A non-finite joint norm makes every gradient NaN, as Keras does (so that a
    loss-scaling wrapper sees the overflow).
    """
    norms = torch._foreach_norm(grads)
    try:
        total = torch.linalg.vector_norm(torch.stack(norms))
    except RuntimeError:  # mixed dtypes or devices
        dev = norms[0].device
        total = torch.linalg.vector_norm(torch.stack([n.to(dev, torch.float32) for n in norms]))
    scale = torch.clamp(clipnorm / total, max=1.0) + (total - total)
    if inplace:
        torch._foreach_mul_(grads, scale)
        return grads
    return torch._foreach_mul(grads, scale)


def clip_by_value(grads: list, clipvalue: float, inplace: bool) -> list:
    """Every gradient element clamped into ``[-clipvalue, clipvalue]``."""
    if not inplace:
        grads = torch._foreach_clamp_min(grads, -clipvalue)
    else:
        torch._foreach_clamp_min_(grads, -clipvalue)
    torch._foreach_clamp_max_(grads, clipvalue)
    return grads


def to_numpy_or_tensor(t: torch.Tensor):
    """A host copy for saving: numpy where numpy has the dtype, else a CPU tensor."""
    t = t.detach().cpu()
    try:
        return t.numpy().copy()
    except TypeError:  # bfloat16 and other dtypes numpy lacks
        return t.clone()
