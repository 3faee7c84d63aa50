"""Probabilistic losses on distributions and counts: KL divergence and Poisson."""
from __future__ import annotations

import torch

from torchkeras import config as _config
from torchkeras.losses._utils import pred_true
from torchkeras.losses.loss import Loss
from torchkeras.losses.wrapper import LossFunctionWrapper


def kl_divergence(y_true, y_pred) -> torch.Tensor:
    """Kullback-Leibler divergence ``sum(y_true * log(y_true / y_pred))`` over the last axis.

    Both inputs are clipped to ``[epsilon, 1]``.

    Args:
        y_true: Target distributions.
        y_pred: Predicted distributions.

    Example:
        >>> kl_divergence(torch.tensor([[0.5, 0.5]]), torch.tensor([[0.9, 0.1]]))
        tensor([0.5108])
    """
    y_pred, y_true = pred_true(y_true, y_pred)
    eps = _config.epsilon()
    y_true = torch.clamp(y_true, eps, 1.0)
    y_pred = torch.clamp(y_pred, eps, 1.0)
    return torch.sum(y_true * torch.log(y_true / y_pred), dim=-1)


def poisson(y_true, y_pred) -> torch.Tensor:
    """Poisson loss ``mean(y_pred - y_true * log(y_pred + epsilon))`` over the last axis.

    Args:
        y_true: Observed counts.
        y_pred: Predicted rates.

    Example:
        >>> poisson(torch.tensor([[1.0, 2.0]]), torch.tensor([[1.0, 2.0]]))
    """
    y_pred, y_true = pred_true(y_true, y_pred)
    return torch.mean(y_pred - y_true * torch.log(y_pred + _config.epsilon()), dim=-1)


class KLDivergence(LossFunctionWrapper):
    """Kullback-Leibler divergence between target and predicted distributions.

    Args:
        reduction: See ``Loss``.
        name: Name of the loss.
        dtype: dtype of the computation.

    Example:
        >>> KLDivergence()(np.array([[0.5, 0.5]]), np.array([[0.9, 0.1]]))
        tensor(0.5108)
    """

    def __init__(self, reduction="sum_over_batch_size", name="kl_divergence", dtype=None):
        super().__init__(kl_divergence, name=name, reduction=reduction, dtype=dtype)

    def get_config(self) -> dict:
        return Loss.get_config(self)


class Poisson(LossFunctionWrapper):
    """Poisson loss ``y_pred - y_true * log(y_pred)`` for count data.

    Args:
        reduction: See ``Loss``.
        name: Name of the loss.
        dtype: dtype of the computation.

    Example:
        >>> Poisson()(np.array([[1.0, 0.0]]), np.array([[0.5, 0.5]]))
    """

    def __init__(self, reduction="sum_over_batch_size", name="poisson", dtype=None):
        super().__init__(poisson, name=name, reduction=reduction, dtype=dtype)

    def get_config(self) -> dict:
        return Loss.get_config(self)
