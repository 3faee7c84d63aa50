"""Scalar math that works on a Python step (host floats) or a tensor step (torch ops).

Optimizers evaluate schedules with the host-side iteration count, so the common
path is pure Python and never touches a device; a tensor step (``opt.iterations``)
gets the same formula in torch ops, as Keras schedules accept tensors too.
"""
from __future__ import annotations

import math

import numpy as np
import torch


class _PyMath:
    """The schedule formulas' primitives over Python floats."""

    floor = staticmethod(lambda x: float(math.floor(x)))
    ceil = staticmethod(lambda x: float(math.ceil(x)))
    cos = staticmethod(math.cos)
    log = staticmethod(math.log)
    minimum = staticmethod(min)

    @staticmethod
    def where(cond, a, b):
        return a if cond else b


class _TorchMath:
    """The same primitives over float32 tensors (no host synchronisation)."""

    floor = staticmethod(torch.floor)
    ceil = staticmethod(torch.ceil)
    cos = staticmethod(torch.cos)
    log = staticmethod(torch.log)

    @staticmethod
    def minimum(a, b):
        if isinstance(b, torch.Tensor):
            return torch.minimum(a, b)
        return torch.clamp(a, max=b)

    @staticmethod
    def where(cond, a, b):
        return torch.where(cond, a, b)


def prepare_step(step):
    """Returns ``(step as float or float32 tensor, math namespace)``."""
    if isinstance(step, torch.Tensor):
        return step.detach().to(torch.float32), _TorchMath
    if isinstance(step, np.ndarray):
        return torch.as_tensor(step, dtype=torch.float32), _TorchMath
    if isinstance(step, (bool, np.bool_)):
        raise TypeError("A learning rate schedule expects a step number, got %r" % (step,))
    try:
        return float(step), _PyMath
    except (TypeError, ValueError):
        raise TypeError("A learning rate schedule expects a step number or tensor, got %r"
                        % (step,)) from None
