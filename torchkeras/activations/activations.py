"""Keras 3's activation functions, computed with torch's fused kernels.

Each function takes a ``torch.Tensor`` (arrays and Python numbers are converted) and
returns a tensor of the same shape; the names, arguments and defaults are Keras's.
"""
from __future__ import annotations

from typing import Any

import numpy as np
import torch
import torch.nn.functional as F


def _tensor(x: Any) -> torch.Tensor:
    # Only plain data is converted: tensors (and tensor-like objects implementing
    # __torch_function__) go straight to the torch op.
    if isinstance(x, (np.ndarray, np.generic, list, tuple, int, float)):
        x = torch.as_tensor(x)
        if not x.is_floating_point():
            x = x.to(torch.get_default_dtype())
    return x


def relu(x, negative_slope: float = 0.0, max_value: float | None = None,
         threshold: float = 0.0, *, alpha: float | None = None) -> torch.Tensor:
    """Rectified linear unit, optionally leaky, capped or shifted.

    Returns ``x`` for ``threshold < x < max_value``, ``max_value`` above it and
    ``negative_slope * (x - threshold)`` below the threshold.

    Args:
        x: Input tensor.
        negative_slope: Slope below the threshold (``alpha`` is accepted as its
            Keras 2 name).
        max_value: Saturation value (``None``: unbounded).
        threshold: Values at or below it are zeroed (or leaked).

    Example:
        >>> relu(torch.tensor([-10., -5., 0., 5., 10.]), max_value=5.0)
        tensor([0., 0., 0., 5., 5.])
    """
    if alpha is not None:
        negative_slope = alpha
    x = _tensor(x)
    if negative_slope != 0.0:
        if max_value is None and threshold == 0:
            return F.leaky_relu(x, negative_slope)
        negative_part = F.relu(threshold - x) if threshold != 0 else F.relu(-x)
    clip_max = max_value is not None
    if threshold != 0:
        # Zero everything not strictly above the threshold.
        out = torch.where(x > threshold, x, torch.zeros((), dtype=x.dtype, device=x.device))
    elif max_value == 6:
        out, clip_max = F.relu6(x), False
    else:
        out = F.relu(x)
    if clip_max:
        out = torch.clamp(out, 0.0, max_value)
    if negative_slope != 0.0:
        out = out - negative_slope * negative_part
    return out


def leaky_relu(x, negative_slope: float = 0.2) -> torch.Tensor:
    """``x`` for ``x >= 0``, ``negative_slope * x`` otherwise.

    Example:
        >>> leaky_relu(torch.tensor([-1.0, 2.0]))
        tensor([-0.2000,  2.0000])
    """
    return F.leaky_relu(_tensor(x), negative_slope)


def relu6(x) -> torch.Tensor:
    """``min(max(x, 0), 6)``.

    Example:
        >>> relu6(torch.tensor([-1.0, 7.0]))
        tensor([0., 6.])
    """
    return F.relu6(_tensor(x))


def elu(x, alpha: float = 1.0) -> torch.Tensor:
    """``x`` for ``x > 0``, ``alpha * (exp(x) - 1)`` otherwise.

    Example:
        >>> elu(torch.tensor([0.0, 1.0]))
        tensor([0., 1.])
    """
    return F.elu(_tensor(x), alpha)


def selu(x) -> torch.Tensor:
    """Scaled ELU with Klambauer et al.'s constants (use with ``lecun_normal``).

    Example:
        >>> selu(torch.tensor([0.0]))
        tensor([0.])
    """
    return F.selu(_tensor(x))


def celu(x, alpha: float = 1.0) -> torch.Tensor:
    """``x`` for ``x >= 0``, ``alpha * (exp(x / alpha) - 1)`` otherwise.

    Example:
        >>> celu(torch.tensor([0.0, 2.0]))
        tensor([0., 2.])
    """
    return F.celu(_tensor(x), alpha)


def softplus(x) -> torch.Tensor:
    """``log(exp(x) + 1)``.

    Example:
        >>> softplus(torch.tensor([0.0]))
        tensor([0.6931])
    """
    return F.softplus(_tensor(x))


def softsign(x) -> torch.Tensor:
    """``x / (abs(x) + 1)``.

    Example:
        >>> softsign(torch.tensor([1.0]))
        tensor([0.5000])
    """
    return F.softsign(_tensor(x))


def silu(x) -> torch.Tensor:
    """Swish / SiLU: ``x * sigmoid(x)``.

    Example:
        >>> silu(torch.tensor([0.0]))
        tensor([0.])
    """
    return F.silu(_tensor(x))


swish = silu


def gelu(x, approximate: bool = False) -> torch.Tensor:
    """Gaussian error linear unit: ``x * P(X <= x)``, ``X ~ N(0, 1)``.

    Args:
        x: Input tensor.
        approximate: Use the tanh approximation instead of the exact erf form.

    Example:
        >>> gelu(torch.tensor([0.0]))
        tensor([0.])
    """
    return F.gelu(_tensor(x), approximate="tanh" if approximate else "none")


def tanh(x) -> torch.Tensor:
    """Hyperbolic tangent.

    Example:
        >>> tanh(torch.tensor([0.0]))
        tensor([0.])
    """
    return torch.tanh(_tensor(x))


def tanh_shrink(x) -> torch.Tensor:
    """``x - tanh(x)``.

    Example:
        >>> tanh_shrink(torch.tensor([0.0]))
        tensor([0.])
    """
    return F.tanhshrink(_tensor(x))


def hard_tanh(x) -> torch.Tensor:
    """``x`` clipped to ``[-1, 1]``.

    Example:
        >>> hard_tanh(torch.tensor([-2.0, 0.5]))
        tensor([-1.0000,  0.5000])
    """
    return F.hardtanh(_tensor(x), -1.0, 1.0)


def soft_shrink(x, threshold: float = 0.5) -> torch.Tensor:
    """Shrinks ``x`` towards 0 by ``threshold`` (0 inside ``[-threshold, threshold]``).

    Example:
        >>> soft_shrink(torch.tensor([1.0, 0.2]))
        tensor([0.5000, 0.0000])
    """
    return F.softshrink(_tensor(x), threshold)


def hard_shrink(x, threshold: float = 0.5) -> torch.Tensor:
    """``x`` where ``|x| > threshold``, else 0.

    Example:
        >>> hard_shrink(torch.tensor([1.0, 0.2]))
        tensor([1., 0.])
    """
    return F.hardshrink(_tensor(x), threshold)


def threshold(x, threshold: float, default_value: float) -> torch.Tensor:
    """``x`` where ``x > threshold``, else ``default_value``.

    Example:
        >>> threshold(torch.tensor([1.0, -1.0]), 0.0, 5.0)
        tensor([1., 5.])
    """
    return F.threshold(_tensor(x), threshold, default_value)


def sigmoid(x) -> torch.Tensor:
    """``1 / (1 + exp(-x))``.

    Example:
        >>> sigmoid(torch.tensor([0.0]))
        tensor([0.5000])
    """
    return torch.sigmoid(_tensor(x))


def log_sigmoid(x) -> torch.Tensor:
    """``log(sigmoid(x))``, computed stably.

    Example:
        >>> log_sigmoid(torch.tensor([0.0]))
        tensor([-0.6931])
    """
    return F.logsigmoid(_tensor(x))


def hard_sigmoid(x) -> torch.Tensor:
    """Piecewise-linear sigmoid: ``relu6(x + 3) / 6``.

    Example:
        >>> hard_sigmoid(torch.tensor([0.0, 4.0]))
        tensor([0.5000, 1.0000])
    """
    return F.hardsigmoid(_tensor(x))


def hard_silu(x) -> torch.Tensor:
    """Hard swish: ``x * relu6(x + 3) / 6``.

    Example:
        >>> hard_silu(torch.tensor([0.0, 4.0]))
        tensor([0., 4.])
    """
    return F.hardswish(_tensor(x))


hard_swish = hard_silu


def sparse_sigmoid(x) -> torch.Tensor:
    """0 below -1, 1 above 1, ``(x + 1) / 2`` in between.

    Example:
        >>> sparse_sigmoid(torch.tensor([-2.0, 0.0, 2.0]))
        tensor([0.0000, 0.5000, 1.0000])
    """
    x = _tensor(x)
    return torch.clamp((x + 1.0) * 0.5, 0.0, 1.0)


def sparse_plus(x) -> torch.Tensor:
    """0 below -1, ``x`` above 1, ``(x + 1)**2 / 4`` in between (a smooth ReLU).

    Example:
        >>> sparse_plus(torch.tensor([-2.0, 0.0, 2.0]))
        tensor([0.0000, 0.2500, 2.0000])
    """
    x = _tensor(x)
    inner = torch.where(x < 1.0, 0.25 * (x + 1.0).square(), x)
    return torch.where(x <= -1.0, torch.zeros((), dtype=x.dtype, device=x.device), inner)


def squareplus(x, b: float = 4) -> torch.Tensor:
    """``(x + sqrt(x**2 + b)) / 2``, a smooth ReLU.

    Example:
        >>> squareplus(torch.tensor([0.0]))
        tensor([1.])
    """
    x = _tensor(x)
    return (x + torch.sqrt(x.square() + b)) / 2


def exponential(x) -> torch.Tensor:
    """``exp(x)``.

    Example:
        >>> exponential(torch.tensor([0.0]))
        tensor([1.])
    """
    return torch.exp(_tensor(x))


def linear(x) -> Any:
    """The identity: returns ``x`` unchanged.

    Example:
        >>> linear(torch.tensor([3.0]))
        tensor([3.])
    """
    return x


def mish(x) -> torch.Tensor:
    """``x * tanh(softplus(x))``.

    Example:
        >>> mish(torch.tensor([0.0]))
        tensor([0.])
    """
    return F.mish(_tensor(x))
