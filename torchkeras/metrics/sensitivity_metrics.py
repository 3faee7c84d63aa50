"""One rate at a fixed level of another: SensitivityAtSpecificity,
SpecificityAtSensitivity, PrecisionAtRecall and RecallAtPrecision."""
from __future__ import annotations

import torch

from torchkeras.metrics import metrics_utils as mu
from torchkeras.metrics.metric import Metric


def _check_unit(arg: str, value) -> None:
    if value < 0 or value > 1:
        raise ValueError("Argument `%s` must be in the range [0, 1]. Received: %s=%s"
                         % (arg, arg, value))


class SensitivitySpecificityBase(Metric):
    """Full confusion counts at ``num_thresholds`` even thresholds in [0, 1].

    Subclasses pick a constrained rate and the rate to maximise under it.
    """

    def __init__(self, value: float, num_thresholds: int = 200, class_id: int | None = None,
                 name: str | None = None, dtype=None):
        super().__init__(name=name, dtype=dtype)
        self._direction = "up"
        if num_thresholds <= 0:
            raise ValueError("Argument `num_thresholds` must be an integer > 0. "
                             "Received: num_thresholds=%s" % (num_thresholds,))
        self.value = value
        self.class_id = class_id
        if num_thresholds == 1:
            self.thresholds = [0.5]
            self._thresholds_distributed_evenly = False
        else:
            inner = [(i + 1) * 1.0 / (num_thresholds - 1) for i in range(num_thresholds - 2)]
            self.thresholds = [0.0] + inner + [1.0]
            self._thresholds_distributed_evenly = True
        n = len(self.thresholds)
        for var in ("true_positives", "false_positives", "true_negatives", "false_negatives"):
            setattr(self, var, self.add_variable(shape=(n,), initializer="zeros", name=var))
        self._table = mu.ThresholdTable(self, self.thresholds, self._thresholds_distributed_evenly,
                                        self.true_positives.dtype)

    def update_state(self, y_true, y_pred, sample_weight=None) -> None:
        """Accumulates TP/FP/TN/FN at every threshold.

        Args:
            y_true: Labels (nonzero is positive).
            y_pred: Scores in [0, 1].
            sample_weight: Optional weights broadcastable to ``y_true``.
        """
        mu.update_confusion_matrix_variables(
            {mu.TP: self.true_positives, mu.TN: self.true_negatives,
             mu.FP: self.false_positives, mu.FN: self.false_negatives},
            y_true, y_pred, self._table, class_id=self.class_id, sample_weight=sample_weight)

    def _rates(self):
        tp, fp = self.true_positives.detach(), self.false_positives.detach()
        tn, fn = self.true_negatives.detach(), self.false_negatives.detach()
        return {"sensitivity": mu.divide_no_nan(tp, tp + fn),
                "specificity": mu.divide_no_nan(tn, tn + fp),
                "precision": mu.divide_no_nan(tp, tp + fp)}

    def _find_max_under_constraint(self, constrained: torch.Tensor,
                                   dependent: torch.Tensor) -> torch.Tensor:
        # Best dependent rate among thresholds where the constraint holds (0 if none).
        feasible = constrained >= self.value
        return torch.where(feasible, dependent, 0.0).max().clamp_min(0.0)

    def get_config(self) -> dict:
        return {**super().get_config(), "class_id": self.class_id}


class SensitivityAtSpecificity(SensitivitySpecificityBase):
    """Best sensitivity (recall) among thresholds whose specificity is >= ``specificity``.

    Args:
        specificity: Required specificity, in [0, 1].
        num_thresholds: Number of even thresholds in [0, 1] to evaluate.
        class_id: Only consider this class (of the last axis).
        name: Metric name.
        dtype: dtype of the result.

    Example:
        >>> m = SensitivityAtSpecificity(0.5)
        >>> m.update_state([0, 0, 0, 1, 1], [0, 0.3, 0.8, 0.3, 0.8])
    """

    def __init__(self, specificity: float, num_thresholds: int = 200, class_id: int | None = None,
                 name: str | None = None, dtype=None):
        _check_unit("specificity", specificity)
        self.specificity = specificity
        self.num_thresholds = num_thresholds
        super().__init__(specificity, num_thresholds=num_thresholds, class_id=class_id,
                         name=name, dtype=dtype)

    def result(self) -> torch.Tensor:
        r = self._rates()
        return self._find_max_under_constraint(r["specificity"], r["sensitivity"])

    def get_config(self) -> dict:
        return {**super().get_config(), "num_thresholds": self.num_thresholds,
                "specificity": self.specificity}


class SpecificityAtSensitivity(SensitivitySpecificityBase):
    """Best specificity among thresholds whose sensitivity is >= ``sensitivity``.

    Args:
        sensitivity: Required sensitivity, in [0, 1].
        num_thresholds: Number of even thresholds in [0, 1] to evaluate.
        class_id: Only consider this class (of the last axis).
        name: Metric name.
        dtype: dtype of the result.

    Example:
        >>> m = SpecificityAtSensitivity(0.5)
        >>> m.update_state([0, 0, 0, 1, 1], [0, 0.3, 0.8, 0.3, 0.8])
    """

    def __init__(self, sensitivity: float, num_thresholds: int = 200, class_id: int | None = None,
                 name: str | None = None, dtype=None):
        _check_unit("sensitivity", sensitivity)
        self.sensitivity = sensitivity
        self.num_thresholds = num_thresholds
        super().__init__(sensitivity, num_thresholds=num_thresholds, class_id=class_id,
                         name=name, dtype=dtype)

    def result(self) -> torch.Tensor:
        r = self._rates()
        return self._find_max_under_constraint(r["sensitivity"], r["specificity"])

    def get_config(self) -> dict:
        return {**super().get_config(), "num_thresholds": self.num_thresholds,
                "sensitivity": self.sensitivity}


class PrecisionAtRecall(SensitivitySpecificityBase):
    """Best precision among thresholds whose recall is >= ``recall``.

    Args:
        recall: Required recall, in [0, 1].
        num_thresholds: Number of even thresholds in [0, 1] to evaluate.
        class_id: Only consider this class (of the last axis).
        name: Metric name.
        dtype: dtype of the result.

    Example:
        >>> m = PrecisionAtRecall(0.5)
        >>> m.update_state([0, 0, 0, 1, 1], [0, 0.3, 0.8, 0.3, 0.8])
    """

    def __init__(self, recall: float, num_thresholds: int = 200, class_id: int | None = None,
                 name: str | None = None, dtype=None):
        _check_unit("recall", recall)
        self.recall = recall
        self.num_thresholds = num_thresholds
        super().__init__(recall, num_thresholds=num_thresholds, class_id=class_id,
                         name=name, dtype=dtype)

    def result(self) -> torch.Tensor:
        r = self._rates()
        return self._find_max_under_constraint(r["sensitivity"], r["precision"])

    def get_config(self) -> dict:
        return {**super().get_config(), "num_thresholds": self.num_thresholds,
                "recall": self.recall}


class RecallAtPrecision(SensitivitySpecificityBase):
    """Best recall among thresholds whose precision is >= ``precision``.

    Args:
        precision: Required precision, in [0, 1].
        num_thresholds: Number of even thresholds in [0, 1] to evaluate.
        class_id: Only consider this class (of the last axis).
        name: Metric name.
        dtype: dtype of the result.

    Example:
        >>> m = RecallAtPrecision(0.8)
        >>> m.update_state([0, 0, 1, 1], [0, 0.5, 0.3, 0.9])
    """

    def __init__(self, precision: float, num_thresholds: int = 200, class_id: int | None = None,
                 name: str | None = None, dtype=None):
        _check_unit("precision", precision)
        self.precision = precision
        self.num_thresholds = num_thresholds
        super().__init__(precision, num_thresholds=num_thresholds, class_id=class_id,
                         name=name, dtype=dtype)

    def result(self) -> torch.Tensor:
        r = self._rates()
        return self._find_max_under_constraint(r["precision"], r["sensitivity"])

    def get_config(self) -> dict:
        return {**super().get_config(), "num_thresholds": self.num_thresholds,
                "precision": self.precision}
