"""Hinge losses for maximum-margin classifiers: hinge, squared hinge, categorical hinge."""
from __future__ import annotations

import torch

from torchkeras.losses._utils import pred_true
from torchkeras.losses.loss import Loss
from torchkeras.losses.wrapper import LossFunctionWrapper


def _to_signed(y_true: torch.Tensor) -> torch.Tensor:
    """0/1 labels -> -1/+1; labels that are not all 0/1 pass unchanged.

    The test is a 0-d tensor fed to ``torch.where``: no host sync.
    """
    is_binary = ((y_true == 0) | (y_true == 1)).all()
    return torch.where(is_binary, 2.0 * y_true - 1.0, y_true)


def hinge(y_true, y_pred) -> torch.Tensor:
    """``mean(max(1 - y_true * y_pred, 0))`` over the last axis; 0/1 labels become -1/1.

    Args:
        y_true: Labels in {-1, 1} (or {0, 1}).
        y_pred: Predicted scores.

    Example:
        >>> hinge(torch.tensor([[0.0, 1.0]]), torch.tensor([[0.3, -0.5]]))
        tensor([1.4000])
    """
    y_pred, y_true = pred_true(y_true, y_pred)
    return torch.clamp(1.0 - _to_signed(y_true) * y_pred, min=0.0).mean(dim=-1)


def squared_hinge(y_true, y_pred) -> torch.Tensor:
    """``mean(max(1 - y_true * y_pred, 0) ** 2)`` over the last axis.

    Args:
        y_true: Labels in {-1, 1} (or {0, 1}).
        y_pred: Predicted scores.

    Example:
        >>> squared_hinge(torch.tensor([[0.0, 1.0]]), torch.tensor([[0.3, -0.5]]))
    """
    y_pred, y_true = pred_true(y_true, y_pred)
    return torch.square(torch.clamp(1.0 - _to_signed(y_true) * y_pred, min=0.0)).mean(dim=-1)


def categorical_hinge(y_true, y_pred) -> torch.Tensor:
    """``max(max((1 - y_true) * y_pred) - sum(y_true * y_pred) + 1, 0)`` per sample.

    Args:
        y_true: One-hot labels.
        y_pred: Predicted scores.

    Example:
        >>> categorical_hinge(torch.tensor([[0.0, 1.0]]), torch.tensor([[0.3, 0.5]]))
        tensor([0.8000])
    """
    y_pred, y_true = pred_true(y_true, y_pred)
    pos = torch.sum(y_true * y_pred, dim=-1)
    neg = torch.amax((1.0 - y_true) * y_pred, dim=-1)
    return torch.clamp(neg - pos + 1.0, min=0.0)


class Hinge(LossFunctionWrapper):
    """Hinge loss ``max(1 - y_true * y_pred, 0)``; 0/1 labels are converted to -1/1.

    Args:
        reduction: See ``Loss``.
        name: Name of the loss.
        dtype: dtype of the computation.

    Example:
        >>> Hinge()(np.array([[0.0, 1.0]]), np.array([[0.3, -0.5]]))
    """

    def __init__(self, reduction="sum_over_batch_size", name="hinge", dtype=None):
        super().__init__(hinge, name=name, reduction=reduction, dtype=dtype)

    def get_config(self) -> dict:
        return Loss.get_config(self)


class SquaredHinge(LossFunctionWrapper):
    """Squared hinge loss ``max(1 - y_true * y_pred, 0) ** 2``.

    Args:
        reduction: See ``Loss``.
        name: Name of the loss.
        dtype: dtype of the computation.

    Example:
        >>> SquaredHinge()(np.array([[0.0, 1.0]]), np.array([[0.3, -0.5]]))
    """

    def __init__(self, reduction="sum_over_batch_size", name="squared_hinge", dtype=None):
        super().__init__(squared_hinge, name=name, reduction=reduction, dtype=dtype)

    def get_config(self) -> dict:
        return Loss.get_config(self)


class CategoricalHinge(LossFunctionWrapper):
    """Categorical hinge loss for one-hot labels.

    Args:
        reduction: See ``Loss``.
        name: Name of the loss.
        dtype: dtype of the computation.

    Example:
        >>> CategoricalHinge()(np.array([[0.0, 1.0]]), np.array([[0.3, 0.5]]))
    """

    def __init__(self, reduction="sum_over_batch_size", name="categorical_hinge", dtype=None):
        super().__init__(categorical_hinge, name=name, reduction=reduction, dtype=dtype)

    def get_config(self) -> dict:
        return Loss.get_config(self)
