"""Correlation metrics: Pearson and concordance correlation, averaged over samples."""
from __future__ import annotations

import torch

from torchkeras import config as _config
from torchkeras.metrics import metrics_utils as mu
from torchkeras.metrics.reduction_metrics import MeanMetricWrapper


def _align(y_true, y_pred):
    y_pred = mu.to_tensor(y_pred)
    y_true = mu.to_tensor(y_true, y_pred.device, y_pred.dtype)
    return mu.squeeze_or_expand_to_same_rank(y_true, y_pred)


def pearson_correlation(y_true, y_pred, axis: int = -1) -> torch.Tensor:
    """Pearson correlation coefficient along ``axis``.

    Args:
        y_true: Targets.
        y_pred: Predictions, same shape.
        axis: Axis along which the correlation is computed.

    Example:
        >>> pearson_correlation([[0.0, 1.0, 0.5]], [[0.1, 0.9, 0.5]])
    """
    y_true, y_pred = _align(y_true, y_pred)
    t = y_true - y_true.mean(dim=axis, keepdim=True)
    p = y_pred - y_pred.mean(dim=axis, keepdim=True)
    t = t / t.std(dim=axis, keepdim=True, correction=0)
    p = p / p.std(dim=axis, keepdim=True, correction=0)
    return (t * p).mean(dim=axis)


def concordance_correlation(y_true, y_pred, axis: int = -1) -> torch.Tensor:
    """Lin's concordance correlation coefficient along ``axis``, in Keras 3's form.

    Args:
        y_true: Targets.
        y_pred: Predictions, same shape.
        axis: Axis along which the coefficient is computed.

    Example:
        >>> concordance_correlation([[0.0, 1.0, 0.5]], [[0.1, 0.9, 0.5]])
    """
    y_true, y_pred = _align(y_true, y_pred)
    true_mean = y_true.mean(dim=axis, keepdim=True)
    pred_mean = y_pred.mean(dim=axis, keepdim=True)
    true_var = (y_true - true_mean).var(dim=axis, keepdim=True, correction=0)
    pred_var = (y_pred - pred_mean).var(dim=axis, keepdim=True, correction=0)
    # Keras 3 centres y_true with the *prediction* mean here; kept for identical numbers.
    covar = (y_true - pred_mean) * (y_pred - pred_mean)
    norm = true_var + pred_var + torch.square(true_mean - pred_mean)
    return (2 * covar / (norm + _config.epsilon())).mean(dim=axis)


class PearsonCorrelation(MeanMetricWrapper):
    """Mean Pearson correlation coefficient (computed per sample along ``axis``).

    Args:
        name: Metric name.
        dtype: dtype of the running state.
        axis: Axis along which each correlation is computed.

    Example:
        >>> m = PearsonCorrelation()
        >>> m.update_state([[0.0, 1.0, 0.5]], [[0.1, 0.9, 0.5]])
    """

    def __init__(self, name: str = "pearson_correlation", dtype=None, axis: int = -1):
        super().__init__(fn=pearson_correlation, name=name, dtype=dtype, axis=axis)
        self.axis = axis
        self._direction = "up"

    def get_config(self) -> dict:
        return {"name": self.name, "dtype": self.dtype, "axis": self.axis}


class ConcordanceCorrelation(MeanMetricWrapper):
    """Mean concordance correlation coefficient (computed per sample along ``axis``).

    Args:
        name: Metric name.
        dtype: dtype of the running state.
        axis: Axis along which each coefficient is computed.

    Example:
        >>> m = ConcordanceCorrelation()
        >>> m.update_state([[0.0, 1.0, 0.5]], [[0.1, 0.9, 0.5]])
    """

    def __init__(self, name: str = "concordance_correlation", dtype=None, axis: int = -1):
        super().__init__(fn=concordance_correlation, name=name, dtype=dtype, axis=axis)
        self.axis = axis
        self._direction = "up"

    def get_config(self) -> dict:
        return {"name": self.name, "dtype": self.dtype, "axis": self.axis}
