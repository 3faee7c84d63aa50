"""Fast equivalents of activations called with their default arguments."""
from __future__ import annotations

import torch
import torch.nn.functional as F

from torchkeras.activations import activations as _a
from torchkeras.activations import softmax as _s


def _softmax_last(x):
    return torch.softmax(x, dim=-1)


def fast_activation(fn):
    """The torch kernel computing ``fn(x)`` with default arguments, or ``fn`` itself.

    Layers call their activation every step; skipping the argument handling of the
    Keras-signature functions keeps that call a single torch op.
    """
    table = {
        getattr(_a, "relu", None): F.relu,
        getattr(_a, "sigmoid", None): torch.sigmoid,
        getattr(_a, "tanh", None): torch.tanh,
        getattr(_a, "silu", None): F.silu,
        getattr(_a, "swish", None): F.silu,
        getattr(_a, "elu", None): F.elu,
        getattr(_a, "selu", None): F.selu,
        getattr(_a, "softplus", None): F.softplus,
        getattr(_a, "relu6", None): F.relu6,
        getattr(_a, "gelu", None): F.gelu,
        getattr(_s, "softmax", None): _softmax_last,
    }
    table.pop(None, None)
    try:
        return table.get(fn, fn)
    except TypeError:
        return fn



def is_elementwise(fn) -> bool:
    """Whether the Keras activation ``fn`` acts on each value alone, so any layout of the
    same values gives the same result: every function of ``activations.activations``,
    not softmax & co. (Other callables count as not elementwise.)"""
    return getattr(fn, "__module__", None) == _a.__name__
