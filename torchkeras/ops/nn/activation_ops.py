"""Activation ops of ``keras.ops.nn``, delegating the math to :mod:`torchkeras.activations`.

Integer inputs are cast to floatx first (Keras's ops accept them); ``relu`` and
``relu6`` keep integer dtypes, as Keras's do.

Example:
    >>> from torchkeras.ops import nn
    >>> nn.gelu(x)   # tanh approximation by default, like keras.ops.gelu
"""
from __future__ import annotations

from typing import Any

import torch

from torchkeras import activations as act
from torchkeras.ops.arg_utils import floating, tensor
from torchkeras.ops.symbolic import keras_op

__all__ = [
    "celu", "elu", "gelu", "glu", "hard_shrink", "hard_sigmoid", "hard_silu", "hard_swish",
    "hard_tanh", "leaky_relu", "log_sigmoid", "log_softmax", "relu", "relu6", "selu",
    "sigmoid", "silu", "soft_shrink", "softmax", "softplus", "softsign", "sparse_plus",
    "sparse_sigmoid", "sparsemax", "squareplus", "swish", "tanh_shrink", "threshold",
]


@keras_op
def relu(x: Any) -> torch.Tensor:
    """``max(x, 0)``. Example: ``relu([-1, 2])  # [0, 2]``."""
    return torch.relu(tensor(x))


@keras_op
def relu6(x: Any) -> torch.Tensor:
    """``min(max(x, 0), 6)``. Example: ``relu6([7.0])  # [6.0]``."""
    x = tensor(x)
    return torch.clamp(x, 0, 6)


@keras_op
def sigmoid(x: Any) -> torch.Tensor:
    """Logistic sigmoid. Example: ``sigmoid([0.0])  # [0.5]``."""
    return torch.sigmoid(floating(x))


@keras_op
def sparse_sigmoid(x: Any) -> torch.Tensor:
    """Piecewise-linear sigmoid clipped to [0, 1]. Example: ``sparse_sigmoid([2.0])``."""
    return act.sparse_sigmoid(floating(x))


@keras_op
def softplus(x: Any) -> torch.Tensor:
    """``log(1 + exp(x))``. Example: ``softplus([0.0])  # [log 2]``."""
    return act.softplus(floating(x))


@keras_op
def softsign(x: Any) -> torch.Tensor:
    """``x / (1 + |x|)``. Example: ``softsign([1.0])  # [0.5]``."""
    return act.softsign(floating(x))


@keras_op
def soft_shrink(x: Any, threshold: float = 0.5) -> torch.Tensor:
    """Shrinks values towards 0 by ``threshold``. Example: ``soft_shrink([1.0])  # [0.5]``."""
    return act.soft_shrink(floating(x), threshold)


@keras_op
def sparse_plus(x: Any) -> torch.Tensor:
    """Smooth ReLU: 0, ``(x+1)^2/4`` on [-1, 1], ``x``. Example: ``sparse_plus([0.0])``."""
    return act.sparse_plus(floating(x))


@keras_op
def silu(x: Any) -> torch.Tensor:
    """``x * sigmoid(x)``. Example: ``silu([1.0])``."""
    return act.silu(floating(x))


swish = keras_op(silu.__wrapped_op__, name="silu")


@keras_op
def squareplus(x: Any, b: float = 4) -> torch.Tensor:
    """``(x + sqrt(x^2 + b)) / 2``. Example: ``squareplus([0.0])  # [1.0]``."""
    return act.squareplus(floating(x), b)


@keras_op
def log_sigmoid(x: Any) -> torch.Tensor:
    """``log(sigmoid(x))``, computed stably. Example: ``log_sigmoid([0.0])``."""
    return act.log_sigmoid(floating(x))


@keras_op
def leaky_relu(x: Any, negative_slope: float = 0.2) -> torch.Tensor:
    """``x`` or ``negative_slope * x`` below 0. Example: ``leaky_relu([-1.0])  # [-0.2]``."""
    return act.leaky_relu(floating(x), negative_slope)


@keras_op
def hard_sigmoid(x: Any) -> torch.Tensor:
    """``relu6(x + 3) / 6``. Example: ``hard_sigmoid([0.0])  # [0.5]``."""
    return act.hard_sigmoid(floating(x))


@keras_op
def hard_silu(x: Any) -> torch.Tensor:
    """``x * hard_sigmoid(x)``. Example: ``hard_silu([1.0])``."""
    return act.hard_silu(floating(x))


hard_swish = keras_op(hard_silu.__wrapped_op__, name="hard_silu")


@keras_op
def elu(x: Any, alpha: float = 1.0) -> torch.Tensor:
    """``x`` or ``alpha * (exp(x) - 1)`` below 0. Example: ``elu([-1.0])``."""
    return act.elu(floating(x), alpha)


@keras_op
def selu(x: Any) -> torch.Tensor:
    """Scaled ELU. Example: ``selu([1.0])``."""
    return act.selu(floating(x))


@keras_op
def gelu(x: Any, approximate: bool = True) -> torch.Tensor:
    """Gaussian error linear unit (tanh approximation by default, as Keras's op).

    Example:
        >>> gelu([1.0], approximate=False)
    """
    return act.gelu(floating(x), approximate=approximate)


@keras_op
def celu(x: Any, alpha: float = 1.0) -> torch.Tensor:
    """Continuously differentiable ELU. Example: ``celu([-1.0], alpha=2.0)``."""
    return act.celu(floating(x), alpha)


@keras_op
def glu(x: Any, axis: int = -1) -> torch.Tensor:
    """Gated linear unit: first half times sigmoid of the second half along ``axis``.

    Example:
        >>> glu(torch.ones(2, 4)).shape   # (2, 2)
    """
    x = floating(x)
    if x.shape[axis] % 2:
        raise ValueError(f"glu: axis {axis} of shape {tuple(x.shape)} must have even size")
    return act.glu(x, axis)


@keras_op
def tanh_shrink(x: Any) -> torch.Tensor:
    """``x - tanh(x)``. Example: ``tanh_shrink([1.0])``."""
    return act.tanh_shrink(floating(x))


@keras_op
def hard_tanh(x: Any) -> torch.Tensor:
    """``clip(x, -1, 1)`` (integer dtypes kept). Example: ``hard_tanh([2.0])  # [1.0]``."""
    return torch.clamp(tensor(x), -1, 1)


@keras_op
def hard_shrink(x: Any, threshold: float = 0.5) -> torch.Tensor:
    """``x`` where ``|x| > threshold``, else 0. Example: ``hard_shrink([0.3])  # [0]``."""
    return act.hard_shrink(floating(x), threshold)


@keras_op
def threshold(x: Any, threshold: float, default_value: float) -> torch.Tensor:
    """``x`` where ``x > threshold``, else ``default_value``.

    Example:
        >>> threshold([0.1, 2.0], 1.0, 0.0)   # [0.0, 2.0]
    """
    return act.threshold(floating(x), threshold, default_value)


@keras_op
def softmax(x: Any, axis: Any = -1) -> torch.Tensor:
    """Softmax over ``axis`` (an int, tuple of ints or None for all).

    Example:
        >>> softmax([0.0, 0.0])   # [0.5, 0.5]
    """
    return act.softmax(floating(x), axis=axis)


@keras_op
def log_softmax(x: Any, axis: Any = -1) -> torch.Tensor:
    """``log(softmax(x))`` over ``axis``, computed stably.

    Example:
        >>> log_softmax([0.0, 0.0])   # [-log 2, -log 2]
    """
    return act.log_softmax(floating(x), axis=axis)


@keras_op
def sparsemax(x: Any, axis: int = -1) -> torch.Tensor:
    """Euclidean projection of ``x`` onto the probability simplex along ``axis``.

    Example:
        >>> sparsemax([0.0, 2.0])   # [0.0, 1.0]
    """
    return act.sparsemax(floating(x), axis=axis)
