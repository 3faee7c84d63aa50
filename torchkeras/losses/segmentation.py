"""Overlap losses for segmentation: Dice and Tversky."""
from __future__ import annotations

import torch

from torchkeras import config as _config
from torchkeras.losses._utils import pred_true, reduce_dims
from torchkeras.losses.loss import Loss
from torchkeras.losses.wrapper import LossFunctionWrapper


def dice(y_true, y_pred, axis=None) -> torch.Tensor:
    """``1 - 2 |y_true * y_pred| / (|y_true| + |y_pred|)``, sums taken over ``axis``.

    Args:
        y_true: Target masks.
        y_pred: Predicted masks.
        axis: Axes to sum over; None sums everything (one loss for the batch).

    Example:
        >>> dice(torch.ones(2, 4), torch.ones(2, 4), axis=1)
        tensor([0., 0.])
    """
    y_pred, y_true = pred_true(y_true, y_pred)
    dim = reduce_dims(axis)
    intersection = torch.sum(y_true * y_pred, dim=dim)
    total = torch.sum(y_true, dim=dim) + torch.sum(y_pred, dim=dim) + _config.epsilon()
    return 1.0 - 2.0 * intersection / total


def tversky(y_true, y_pred, alpha: float = 0.5, beta: float = 0.5, axis=None) -> torch.Tensor:
    """``1 - TP / (TP + alpha FP + beta FN)``, sums taken over ``axis``.

    Args:
        y_true: Target masks.
        y_pred: Predicted masks.
        alpha: Weight of false positives.
        beta: Weight of false negatives.
        axis: Axes to sum over; None sums everything.

    Example:
        >>> tversky(torch.ones(2, 4), torch.ones(2, 4), axis=1)
        tensor([0., 0.])
    """
    y_pred, y_true = pred_true(y_true, y_pred)
    dim = reduce_dims(axis)
    tp = torch.sum(y_true * y_pred, dim=dim)
    # Keras's naming: inputs=y_true, targets=y_pred
    fp = torch.sum((1.0 - y_pred) * y_true, dim=dim)
    fn = torch.sum(y_pred * (1.0 - y_true), dim=dim)
    return 1.0 - tp / (tp + fp * alpha + fn * beta + _config.epsilon())


class Dice(LossFunctionWrapper):
    """Dice loss between target and predicted masks.

    Args:
        reduction: See ``Loss``.
        name: Name of the loss.
        axis: Axes to sum over (None: the whole batch gives one loss).
        dtype: dtype of the computation.

    Example:
        >>> Dice(axis=(1, 2))(np.ones((2, 4, 4)), np.full((2, 4, 4), 0.5))
    """

    def __init__(self, reduction="sum_over_batch_size", name="dice", axis=None, dtype=None):
        super().__init__(dice, name=name, reduction=reduction, dtype=dtype, axis=axis)
        self.axis = axis

    def get_config(self) -> dict:
        return {**Loss.get_config(self), "axis": self.axis}


class Tversky(LossFunctionWrapper):
    """Tversky loss: Dice generalised with weights on false positives and negatives.

    Args:
        alpha: Weight of false positives.
        beta: Weight of false negatives.
        reduction: See ``Loss``.
        name: Name of the loss.
        axis: Axes to sum over.
        dtype: dtype of the computation.

    Example:
        >>> Tversky(alpha=0.3, beta=0.7)(np.ones((2, 4)), np.full((2, 4), 0.5))
    """

    def __init__(self, alpha: float = 0.5, beta: float = 0.5, reduction="sum_over_batch_size",
                 name="tversky", axis=None, dtype=None):
        super().__init__(tversky, name=name, reduction=reduction, dtype=dtype, alpha=alpha,
                         beta=beta, axis=axis)
        self.alpha = alpha
        self.beta = beta
        self.axis = axis

    def get_config(self) -> dict:
        return {**Loss.get_config(self), "alpha": self.alpha, "beta": self.beta,
                "axis": self.axis}
