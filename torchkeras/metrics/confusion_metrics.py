"""Threshold-based confusion counts: TruePositives & co, Precision and Recall."""
from __future__ import annotations

import torch

from torchkeras.metrics import metrics_utils as mu
from torchkeras.metrics.metric import Metric


class _ConfusionMatrixConditionCount(Metric):
    """Weighted count of one confusion-matrix cell at one or more thresholds."""

    _cond = mu.TP

    def __init__(self, thresholds=None, name: str | None = None, dtype=None):
        super().__init__(name=name, dtype=dtype)
        self.init_thresholds = thresholds
        self.thresholds = mu.parse_init_thresholds(thresholds, default_threshold=0.5)
        self._thresholds_distributed_evenly = mu.is_evenly_distributed_thresholds(self.thresholds)
        self.accumulator = self.add_variable(shape=(len(self.thresholds),), initializer="zeros",
                                             name="accumulator")
        self._table = mu.ThresholdTable(self, self.thresholds, self._thresholds_distributed_evenly,
                                        self.accumulator.dtype)

    def update_state(self, y_true, y_pred, sample_weight=None) -> None:
        """Accumulates the cell's count.

        Args:
            y_true: Labels (nonzero is positive).
            y_pred: Scores in [0, 1]; positive where above the threshold.
            sample_weight: Optional weights broadcastable to ``y_true``.
        """
        mu.update_confusion_matrix_variables({self._cond: self.accumulator}, y_true, y_pred,
                                             self._table, sample_weight=sample_weight)

    def result(self) -> torch.Tensor:
        acc = self.accumulator.detach()
        return acc[0].clone() if len(self.thresholds) == 1 else acc.clone()

    def get_config(self) -> dict:
        return {**super().get_config(), "thresholds": self.init_thresholds}


class TruePositives(_ConfusionMatrixConditionCount):
    """Weighted number of true positives (label positive, score above the threshold).

    Args:
        thresholds: A float or list of floats in [0, 1] (default 0.5); one count per
            threshold.
        name: Metric name.
        dtype: dtype of the result.

    Example:
        >>> m = TruePositives()
        >>> m.update_state([0, 1, 1, 1], [1, 0, 1, 1])
        >>> float(m.result())
        2.0
    """

    _cond = mu.TP


class FalsePositives(_ConfusionMatrixConditionCount):
    """Weighted number of false positives (label negative, score above the threshold).

    Args:
        thresholds: A float or list of floats in [0, 1] (default 0.5).
        name: Metric name.
        dtype: dtype of the result.

    Example:
        >>> m = FalsePositives()
        >>> m.update_state([0, 1, 0, 0], [0, 0, 1, 1])
    """

    _cond = mu.FP


class TrueNegatives(_ConfusionMatrixConditionCount):
    """Weighted number of true negatives (label negative, score at or below the threshold).

    Args:
        thresholds: A float or list of floats in [0, 1] (default 0.5).
        name: Metric name.
        dtype: dtype of the result.

    Example:
        >>> m = TrueNegatives()
        >>> m.update_state([0, 1, 0, 0], [1, 1, 0, 0])
    """

    _cond = mu.TN


class FalseNegatives(_ConfusionMatrixConditionCount):
    """Weighted number of false negatives (label positive, score at or below the threshold).

    Args:
        thresholds: A float or list of floats in [0, 1] (default 0.5).
        name: Metric name.
        dtype: dtype of the result.

    Example:
        >>> m = FalseNegatives()
        >>> m.update_state([0, 1, 1, 1], [0, 1, 0, 0])
    """

    _cond = mu.FN


class _PrecisionRecallBase(Metric):
    _second = mu.FP  # the cell next to TP in the denominator

    def __init__(self, thresholds=None, top_k: int | None = None, class_id: int | None = None,
                 name: str | None = None, dtype=None):
        super().__init__(name=name, dtype=dtype)
        self._direction = "up"
        if top_k is not None and (not isinstance(top_k, int) or top_k <= 0):
            raise ValueError("%s expects `top_k` to be a positive int, got %r"
                             % (type(self).__name__, top_k))
        self.init_thresholds = thresholds
        self.top_k = top_k
        self.class_id = class_id
        default = 0.5 if top_k is None else mu.NEG_INF
        self.thresholds = mu.parse_init_thresholds(thresholds, default_threshold=default)
        self._thresholds_distributed_evenly = mu.is_evenly_distributed_thresholds(self.thresholds)
        n = len(self.thresholds)
        self.true_positives = self.add_variable(shape=(n,), initializer="zeros",
                                                name="true_positives")
        second_name = "false_positives" if self._second == mu.FP else "false_negatives"
        setattr(self, second_name, self.add_variable(shape=(n,), initializer="zeros",
                                                     name=second_name))
        self._second_var_name = second_name
        self._table = mu.ThresholdTable(self, self.thresholds, self._thresholds_distributed_evenly,
                                        self.true_positives.dtype)

    def update_state(self, y_true, y_pred, sample_weight=None) -> None:
        """Accumulates true positives and the other cell of the ratio.

        Args:
            y_true: Labels (nonzero is positive).
            y_pred: Scores in [0, 1].
            sample_weight: Optional weights broadcastable to ``y_true``.
        """
        mu.update_confusion_matrix_variables(
            {mu.TP: self.true_positives, self._second: getattr(self, self._second_var_name)},
            y_true, y_pred, self._table, top_k=self.top_k, class_id=self.class_id,
            sample_weight=sample_weight)

    def result(self) -> torch.Tensor:
        tp = self.true_positives.detach()
        other = getattr(self, self._second_var_name).detach()
        value = mu.divide_no_nan(tp, tp + other)
        return value[0] if len(self.thresholds) == 1 else value

    def get_config(self) -> dict:
        return {**super().get_config(), "thresholds": self.init_thresholds,
                "top_k": self.top_k, "class_id": self.class_id}


class Precision(_PrecisionRecallBase):
    """Precision, ``TP / (TP + FP)``, of thresholded predictions.

    Args:
        thresholds: A float or list of floats in [0, 1] (default 0.5; with ``top_k``,
            every top-k entry counts as positive). A list gives one value per threshold.
        top_k: Only the ``top_k`` highest scores of each sample may be positive.
        class_id: Only consider this class (of the last axis).
        name: Metric name.
        dtype: dtype of the result.

    Example:
        >>> m = Precision()
        >>> m.update_state([0, 1, 1, 1], [1, 0, 1, 1])
        >>> round(float(m.result()), 4)
        0.6667
    """

    _second = mu.FP


class Recall(_PrecisionRecallBase):
    """Recall, ``TP / (TP + FN)``, of thresholded predictions.

    Args:
        thresholds: A float or list of floats in [0, 1] (default 0.5; with ``top_k``,
            every top-k entry counts as positive). A list gives one value per threshold.
        top_k: Only the ``top_k`` highest scores of each sample may be positive.
        class_id: Only consider this class (of the last axis).
        name: Metric name.
        dtype: dtype of the result.

    Example:
        >>> m = Recall()
        >>> m.update_state([0, 1, 1, 1], [1, 0, 1, 1])
        >>> round(float(m.result()), 4)
        0.6667
    """

    _second = mu.FN
