"""Regression losses: squared/absolute/percentage/log errors, Huber, log-cosh, cosine."""
from __future__ import annotations

import math
import numbers

import torch
import torch.nn.functional as F

from torchkeras import config as _config
from torchkeras.losses._utils import pred_true
from torchkeras.losses.loss import Loss
from torchkeras.losses.wrapper import LossFunctionWrapper

_LOG2 = math.log(2.0)


def mean_squared_error(y_true, y_pred) -> torch.Tensor:
    """Mean of ``(y_true - y_pred) ** 2`` over the last axis.

    Args:
        y_true: Targets, shape ``(batch, ..., d)``.
        y_pred: Predictions, same shape.

    Returns:
        Per-sample losses, shape ``(batch, ...)``.

    Example:
        >>> mean_squared_error(torch.zeros(2, 3), torch.ones(2, 3))
        tensor([1., 1.])
    """
    y_pred, y_true = pred_true(y_true, y_pred, align=True)
    return torch.square(y_true - y_pred).mean(dim=-1)


def mean_absolute_error(y_true, y_pred) -> torch.Tensor:
    """Mean of ``|y_true - y_pred|`` over the last axis.

    Example:
        >>> mean_absolute_error(torch.zeros(2, 3), torch.ones(2, 3))
        tensor([1., 1.])
    """
    y_pred, y_true = pred_true(y_true, y_pred, align=True)
    return torch.abs(y_true - y_pred).mean(dim=-1)


def mean_absolute_percentage_error(y_true, y_pred) -> torch.Tensor:
    """``100 * mean(|y_true - y_pred| / max(|y_true|, epsilon))`` over the last axis.

    Example:
        >>> mean_absolute_percentage_error(torch.full((1, 2), 2.0), torch.ones(1, 2))
        tensor([50.])
    """
    y_pred, y_true = pred_true(y_true, y_pred, align=True)
    diff = torch.abs((y_true - y_pred) / torch.clamp(torch.abs(y_true), min=_config.epsilon()))
    return 100.0 * diff.mean(dim=-1)


def mean_squared_logarithmic_error(y_true, y_pred) -> torch.Tensor:
    """Mean of ``(log(1 + y_pred) - log(1 + y_true)) ** 2``, inputs floored at epsilon.

    Example:
        >>> mean_squared_logarithmic_error(torch.zeros(1, 2), torch.ones(1, 2))
    """
    y_pred, y_true = pred_true(y_true, y_pred, align=True)
    eps = _config.epsilon()
    diff = torch.log1p(torch.clamp(y_pred, min=eps)) - torch.log1p(torch.clamp(y_true, min=eps))
    return torch.square(diff).mean(dim=-1)


def cosine_similarity(y_true, y_pred, axis: int = -1) -> torch.Tensor:
    """Negative cosine similarity along ``axis`` (-1 = same direction, 0 = orthogonal).

    Args:
        y_true: Targets.
        y_pred: Predictions.
        axis: The feature axis.

    Example:
        >>> cosine_similarity(torch.tensor([[1.0, 0.0]]), torch.tensor([[2.0, 0.0]]))
        tensor([-1.])
    """
    y_pred, y_true = pred_true(y_true, y_pred, align=True)
    eps = _config.epsilon()
    # x / max(||x||, eps) is Keras's l2-normalisation with its 1/eps cap on the scale
    return -torch.sum(F.normalize(y_true, dim=axis, eps=eps) * F.normalize(y_pred, dim=axis, eps=eps),
                      dim=axis)


def huber(y_true, y_pred, delta: float = 1.0) -> torch.Tensor:
    """Huber loss: quadratic for errors up to ``delta``, linear beyond; mean over the last axis.

    Args:
        y_true: Targets.
        y_pred: Predictions.
        delta: Where the loss turns from quadratic to linear.

    Example:
        >>> huber(torch.zeros(1, 2), torch.tensor([[0.5, 3.0]]))
        tensor([1.3125])
    """
    y_pred, y_true = pred_true(y_true, y_pred, align=True)
    if isinstance(delta, numbers.Real) and y_true.shape == y_pred.shape:
        return F.huber_loss(y_pred, y_true, reduction="none", delta=float(delta)).mean(dim=-1)
    delta = torch.as_tensor(delta, dtype=y_pred.dtype, device=y_pred.device)
    error = y_pred - y_true
    abs_error = torch.abs(error)
    return torch.where(abs_error <= delta, 0.5 * torch.square(error),
                       delta * abs_error - 0.5 * torch.square(delta)).mean(dim=-1)


def log_cosh(y_true, y_pred) -> torch.Tensor:
    """Mean of ``log(cosh(y_pred - y_true))`` over the last axis, computed without overflow.

    Example:
        >>> log_cosh(torch.zeros(1, 2), torch.zeros(1, 2))
        tensor([0.])
    """
    y_pred, y_true = pred_true(y_true, y_pred, align=True)
    x = y_pred - y_true
    # log(cosh(x)) = x + softplus(-2x) - log(2), finite for large |x|
    return (x + F.softplus(-2.0 * x) - _LOG2).mean(dim=-1)


class _PairwiseMean(LossFunctionWrapper):
    """Elementwise losses whose default reduction is one fused torch call."""

    _fused = None  # F.mse_loss-like callable(y_pred, y_true) -> mean

    def get_config(self) -> dict:
        return Loss.get_config(self)

    def fast_call(self, y_true, y_pred):
        # mean over samples of per-sample means over equal-sized rows == global mean
        if self._mean_reduction and y_true.shape == y_pred.shape and y_pred.dim() \
                and y_pred.numel():
            return type(self)._fused(y_pred, y_true)
        return None


class MeanSquaredError(_PairwiseMean):
    """Mean of squares of errors between labels and predictions.

    Args:
        reduction: See ``Loss``.
        name: Name of the loss.
        dtype: dtype of the computation (default ``floatx()``).

    Example:
        >>> MeanSquaredError()(np.array([1.0, 0.0, 1.0]), np.array([0.9, 0.1, 0.8]))
        tensor(0.0200)
    """

    _fused = staticmethod(F.mse_loss)

    def __init__(self, reduction="sum_over_batch_size", name="mean_squared_error", dtype=None):
        super().__init__(mean_squared_error, name=name, reduction=reduction, dtype=dtype)


class MeanAbsoluteError(_PairwiseMean):
    """Mean of absolute differences between labels and predictions.

    Args:
        reduction: See ``Loss``.
        name: Name of the loss.
        dtype: dtype of the computation.

    Example:
        >>> MeanAbsoluteError()(np.array([1.0, 0.3]), np.array([1.9, 0.3]))
        tensor(0.4500)
    """

    _fused = staticmethod(F.l1_loss)

    def __init__(self, reduction="sum_over_batch_size", name="mean_absolute_error", dtype=None):
        super().__init__(mean_absolute_error, name=name, reduction=reduction, dtype=dtype)


class MeanAbsolutePercentageError(LossFunctionWrapper):
    """``100 * mean(|(y_true - y_pred) / y_true|)``.

    Args:
        reduction: See ``Loss``.
        name: Name of the loss.
        dtype: dtype of the computation.

    Example:
        >>> MeanAbsolutePercentageError()(np.array([100.0, 200.0]), np.array([90.0, 210.0]))
        tensor(7.5000)
    """

    def __init__(self, reduction="sum_over_batch_size", name="mean_absolute_percentage_error",
                 dtype=None):
        super().__init__(mean_absolute_percentage_error, name=name, reduction=reduction,
                         dtype=dtype)

    def get_config(self) -> dict:
        return Loss.get_config(self)


class MeanSquaredLogarithmicError(LossFunctionWrapper):
    """``mean((log(y_true + 1) - log(y_pred + 1)) ** 2)``.

    Args:
        reduction: See ``Loss``.
        name: Name of the loss.
        dtype: dtype of the computation.

    Example:
        >>> MeanSquaredLogarithmicError()(np.zeros((2, 3)), np.ones((2, 3)))
    """

    def __init__(self, reduction="sum_over_batch_size", name="mean_squared_logarithmic_error",
                 dtype=None):
        super().__init__(mean_squared_logarithmic_error, name=name, reduction=reduction,
                         dtype=dtype)

    def get_config(self) -> dict:
        return Loss.get_config(self)


class CosineSimilarity(LossFunctionWrapper):
    """Negative cosine similarity between labels and predictions along ``axis``.

    Args:
        axis: The feature axis (default -1).
        reduction: See ``Loss``.
        name: Name of the loss.
        dtype: dtype of the computation.

    Example:
        >>> CosineSimilarity()(np.array([[0.0, 1.0]]), np.array([[1.0, 1.0]]))
        tensor(-0.7071)
    """

    def __init__(self, axis: int = -1, reduction="sum_over_batch_size", name="cosine_similarity",
                 dtype=None):
        super().__init__(cosine_similarity, name=name, reduction=reduction, dtype=dtype,
                         axis=axis)
        self.axis = axis

    def get_config(self) -> dict:
        # Keras leaves `axis` out of the config and loses it on reload; keep it.
        return {**Loss.get_config(self), "axis": self.axis}


class Huber(LossFunctionWrapper):
    """Huber loss: ``0.5 x^2`` for ``|x| <= delta``, else ``delta |x| - 0.5 delta^2``.

    Args:
        delta: Where the loss turns from quadratic to linear.
        reduction: See ``Loss``.
        name: Name of the loss.
        dtype: dtype of the computation.

    Example:
        >>> Huber(delta=1.0)(np.zeros((1, 2)), np.array([[0.5, 3.0]]))
        tensor(1.3125)
    """

    def __init__(self, delta: float = 1.0, reduction="sum_over_batch_size", name="huber_loss",
                 dtype=None):
        super().__init__(huber, name=name, reduction=reduction, dtype=dtype, delta=delta)
        self.delta = delta

    def get_config(self) -> dict:
        # Keras leaves `delta` out of the config and loses it on reload; keep it.
        return {**Loss.get_config(self), "delta": self.delta}

    def fast_call(self, y_true, y_pred):
        if self._mean_reduction and y_true.shape == y_pred.shape and y_pred.dim() \
                and y_pred.numel() and isinstance(self.delta, numbers.Real):
            return F.huber_loss(y_pred, y_true, delta=float(self.delta))
        return None


class LogCosh(LossFunctionWrapper):
    """Mean logarithm of the hyperbolic cosine of the prediction error.

    Args:
        reduction: See ``Loss``.
        name: Name of the loss.
        dtype: dtype of the computation.

    Example:
        >>> LogCosh()(np.zeros((2, 2)), np.ones((2, 2)))
        tensor(0.4338)
    """

    def __init__(self, reduction="sum_over_batch_size", name="log_cosh", dtype=None):
        super().__init__(log_cosh, name=name, reduction=reduction, dtype=dtype)

    def get_config(self) -> dict:
        return Loss.get_config(self)
