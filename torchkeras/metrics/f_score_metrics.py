"""F-scores: FBetaScore and F1Score over (multi-)label classification outputs."""
from __future__ import annotations

import torch

from torchkeras import config as _config
from torchkeras.metrics.metric import Metric

_AVERAGES = (None, "micro", "macro", "weighted")


class FBetaScore(Metric):
    """F-beta score: weighted harmonic mean of precision and recall per class.

    Inputs are 2-D: ``(batch_size, num_classes)`` labels and scores.

    Args:
        average: ``None`` (one score per class), ``"micro"`` (global counts),
            ``"macro"`` (unweighted mean of class scores) or ``"weighted"`` (mean
            weighted by class support).
        beta: Weight of recall relative to precision (a float > 0).
        threshold: Scores above it are positive (a float in (0, 1]); ``None`` marks the
            highest score of each row as positive.
        name: Metric name.
        dtype: dtype of the state and result.

    Example:
        >>> m = FBetaScore(beta=2.0, threshold=0.5)
        >>> m.update_state([[1, 1, 1], [1, 0, 0]], [[0.9, 0.1, 0.6], [0.2, 0.3, 0.8]])
    """

    def __init__(self, average: str | None = None, beta: float = 1.0,
                 threshold: float | None = None, name: str = "fbeta_score", dtype=None):
        super().__init__(name=name, dtype=dtype)
        self._direction = "up"
        if average not in _AVERAGES:
            raise ValueError("Invalid `average` argument value. Expected one of: {None, 'micro', "
                             "'macro', 'weighted'}. Received: average=%s" % (average,))
        if not isinstance(beta, float):
            raise ValueError("Invalid `beta` argument value. It should be a Python float. "
                             "Received: beta=%s of type '%s'" % (beta, type(beta)))
        if beta <= 0.0:
            raise ValueError("Invalid `beta` argument value. It should be > 0. "
                             "Received: beta=%s" % (beta,))
        if threshold is not None:
            if not isinstance(threshold, float):
                raise ValueError("Invalid `threshold` argument value. It should be a Python "
                                 "float. Received: threshold=%s of type '%s'"
                                 % (threshold, type(threshold)))
            if threshold > 1.0 or threshold <= 0.0:
                raise ValueError("Invalid `threshold` argument value. It should verify "
                                 "0 < threshold <= 1. Received: threshold=%s" % (threshold,))
        self.average = average
        self.beta = beta
        self.threshold = threshold
        self.axis = None if average == "micro" else 0
        self._built = False

    def _build(self, y_true_shape, y_pred_shape) -> None:
        if len(y_pred_shape) != 2 or len(y_true_shape) != 2:
            raise ValueError("%s expects 2D inputs with shape (batch_size, output_dim). Received "
                             "input shapes: y_pred.shape=%s and y_true.shape=%s."
                             % (type(self).__name__, tuple(y_pred_shape), tuple(y_true_shape)))
        shape = () if self.average == "micro" else (y_pred_shape[-1],)
        for var in ("true_positives", "false_positives", "false_negatives",
                    "intermediate_weights"):
            setattr(self, var, self.add_variable(shape=shape, initializer="zeros",
                                                 dtype=self.dtype, name=var))
        self._built = True

    def update_state(self, y_true, y_pred, sample_weight=None) -> None:
        """Accumulates per-class (or global) TP, FP, FN and support.

        Args:
            y_true: Binary labels ``(batch_size, num_classes)``.
            y_pred: Scores ``(batch_size, num_classes)``.
            sample_weight: Optional per-sample weights ``(batch_size,)``.
        """
        y_true = self._convert(y_true, self.dtype)
        y_pred = self._convert(y_pred, self.dtype)
        if not self._built:
            self._build(y_true.shape, y_pred.shape)
        if self.threshold is None:
            top = y_pred.max(dim=-1, keepdim=True).values
            # An all-zero row must not turn into all-positive predictions.
            y_pred = (y_pred >= top) & (y_pred.abs() > 1e-9)
        else:
            y_pred = y_pred > self.threshold
        y_pred = y_pred.to(y_true.dtype)
        sw = None if sample_weight is None else self._convert(sample_weight, self.dtype)

        def weighted_sum(val):
            if sw is not None:
                val = val * sw.unsqueeze(1)
            return val.sum() if self.axis is None else val.sum(dim=self.axis)

        with torch.no_grad():
            self.true_positives.add_(weighted_sum(y_pred * y_true))
            self.false_positives.add_(weighted_sum(y_pred * (1 - y_true)))
            self.false_negatives.add_(weighted_sum((1 - y_pred) * y_true))
            self.intermediate_weights.add_(weighted_sum(y_true))

    def result(self) -> torch.Tensor:
        if not self._built:
            return torch.zeros((), device=self._device)
        eps = _config.epsilon()
        tp, fp, fn = (self.true_positives.detach(), self.false_positives.detach(),
                      self.false_negatives.detach())
        precision = tp / (tp + fp + eps)
        recall = tp / (tp + fn + eps)
        b2 = self.beta ** 2
        f_score = (precision * recall) / (b2 * precision + recall + eps) * (1 + b2)
        if self.average == "weighted":
            w = self.intermediate_weights.detach()
            f_score = (f_score * (w / (w.sum() + eps))).sum()
        elif self.average is not None:
            f_score = f_score.mean()
        return f_score

    def reset_state(self) -> None:
        if self._built:
            super().reset_state()

    def get_config(self) -> dict:
        return {**super().get_config(), "average": self.average, "beta": self.beta,
                "threshold": self.threshold}


class F1Score(FBetaScore):
    """F1 score: harmonic mean of precision and recall (``FBetaScore`` with beta 1).

    Args:
        average: ``None``, ``"micro"``, ``"macro"`` or ``"weighted"`` (see FBetaScore).
        threshold: Scores above it are positive; ``None`` marks each row's maximum.
        name: Metric name.
        dtype: dtype of the state and result.

    Example:
        >>> m = F1Score(threshold=0.5)
        >>> m.update_state([[1, 1, 1], [1, 0, 0]], [[0.9, 0.1, 0.6], [0.2, 0.3, 0.8]])
    """

    def __init__(self, average: str | None = None, threshold: float | None = None,
                 name: str = "f1_score", dtype=None):
        super().__init__(average=average, beta=1.0, threshold=threshold, name=name, dtype=dtype)

    def get_config(self) -> dict:
        config = super().get_config()
        del config["beta"]
        return config
