"""AUC: area under the ROC or precision-recall curve, from threshold confusion counts."""
from __future__ import annotations

import numpy as np
import torch

from torchkeras import config as _config
from torchkeras.metrics import metrics_utils as mu
from torchkeras.metrics.metric import Metric

# The spellings Keras accepts for each choice.
_CURVES = {"roc": "ROC", "ROC": "ROC", "pr": "PR", "PR": "PR", "prgain": "PRGAIN",
           "PRGAIN": "PRGAIN"}
_SUMMATIONS = {s: s.lower() for s in ("interpolation", "Interpolation", "majoring", "Majoring",
                                       "minoring", "Minoring")}


def _parse_choice(value, table: dict, what: str, expected: list) -> str:
    raw = getattr(value, "value", value)  # Keras's enum members carry the string
    if not isinstance(raw, str) or raw not in table:
        raise ValueError('Invalid AUC %s value: "%s". Expected values are %s'
                         % (what, raw, expected))
    return table[raw]


class AUC(Metric):
    """Approximate area under the ROC or PR curve, via a Riemann sum over thresholds.

    Args:
        num_thresholds: Number of thresholds (> 1) spread evenly over [0, 1].
        curve: ``"ROC"`` (default), ``"PR"`` or ``"PRGAIN"``.
        summation_method: ``"interpolation"`` (default), ``"minoring"`` or ``"majoring"``.
        name: Metric name.
        dtype: dtype of the result.
        thresholds: Explicit thresholds in [0, 1] (overrides ``num_thresholds``).
        multi_label: Treat each column of 2-D inputs as its own label and average the
            per-label AUCs (else all values are flattened into one curve).
        num_labels: Number of labels when ``multi_label`` (else read from the first batch).
        label_weights: Per-label weights of the average (multi-label) or of the counts.
        from_logits: ``y_pred`` holds logits (a sigmoid is applied first).

    Example:
        >>> m = AUC(num_thresholds=3)
        >>> m.update_state([0, 0, 1, 1], [0, 0.5, 0.3, 0.9])
        >>> float(m.result())
        0.75
    """

    def __init__(self, num_thresholds: int = 200, curve: str = "ROC",
                 summation_method: str = "interpolation", name: str | None = None, dtype=None,
                 thresholds=None, multi_label: bool = False, num_labels: int | None = None,
                 label_weights=None, from_logits: bool = False):
        self._direction = "up"
        curve = _parse_choice(curve, _CURVES, "curve", ["PR", "ROC", "PRGAIN"])
        summation_method = _parse_choice(summation_method, _SUMMATIONS, "summation method",
                                         ["interpolation", "majoring", "minoring"])
        self._init_from_thresholds = thresholds is not None
        if thresholds is not None:
            thresholds = sorted(mu.parse_init_thresholds(thresholds))
            self.num_thresholds = len(thresholds) + 2
            self._thresholds_distributed_evenly = mu.is_evenly_distributed_thresholds(
                np.array([0.0] + thresholds + [1.0]))
        else:
            if num_thresholds <= 1:
                raise ValueError("Argument `num_thresholds` must be an integer > 1. "
                                 "Received: num_thresholds=%s" % (num_thresholds,))
            self.num_thresholds = num_thresholds
            thresholds = [(i + 1) * 1.0 / (num_thresholds - 1) for i in range(num_thresholds - 2)]
            self._thresholds_distributed_evenly = True
        # End points just outside [0, 1] absorb floating-point noise at the edges.
        eps = _config.epsilon()
        self._thresholds = np.array([0.0 - eps] + list(thresholds) + [1.0 + eps])
        self.curve = curve
        self.summation_method = summation_method
        super().__init__(name=name, dtype=dtype)
        # Ready before the first batch, so a lazily built multi-label AUC copies nothing
        # from the host inside update_state.
        self._table = mu.ThresholdTable(self, self._thresholds, self._thresholds_distributed_evenly)
        self.multi_label = multi_label
        self.num_labels = num_labels
        if label_weights is not None:
            lw = torch.as_tensor(np.asarray(label_weights),
                                 dtype=_config.to_torch_dtype(self.dtype))
            self.register_buffer("label_weights", lw.to(self._device), persistent=False)
        else:
            self.label_weights = None
        self._from_logits = from_logits
        self._built = False
        if multi_label:
            if num_labels:
                self._build([None, num_labels])
        else:
            if num_labels:
                raise ValueError("`num_labels` is needed only when `multi_label` is True.")
            self._build(None)

    @property
    def thresholds(self) -> list:
        """The thresholds used, end points included."""
        return [float(t) for t in self._thresholds]

    def _build(self, shape) -> None:
        if self.multi_label:
            if len(shape) != 2:
                raise ValueError("`y_pred` must have rank 2 when `multi_label=True`. Found rank "
                                 "%d. Full shape received for `y_pred`: %s"
                                 % (len(shape), tuple(shape)))
            self._num_labels = shape[1]
            var_shape = (self.num_thresholds, self._num_labels)
        else:
            var_shape = (self.num_thresholds,)
        self._build_input_shape = shape
        for var in ("true_positives", "false_positives", "true_negatives", "false_negatives"):
            setattr(self, var, self.add_variable(shape=var_shape, initializer="zeros", name=var))
        self._built = True

    def update_state(self, y_true, y_pred, sample_weight=None) -> None:
        """Accumulates confusion counts at every threshold.

        Args:
            y_true: Labels (nonzero is positive).
            y_pred: Scores in [0, 1] (logits with ``from_logits=True``).
            sample_weight: Optional weights broadcastable to ``y_true``.
        """
        y_pred = self._convert(y_pred)
        if not self._built:
            self._build(tuple(y_pred.shape))
        if self._from_logits:
            y_pred = torch.sigmoid(y_pred)
        mu.update_confusion_matrix_variables(
            {mu.TP: self.true_positives, mu.TN: self.true_negatives,
             mu.FP: self.false_positives, mu.FN: self.false_negatives},
            y_true, y_pred, self._table, sample_weight=sample_weight,
            multi_label=self.multi_label,
            label_weights=None if self.multi_label else self.label_weights)

    def _average(self, by_threshold: torch.Tensor) -> torch.Tensor:
        if not self.multi_label:
            return by_threshold.sum()
        by_label = by_threshold.sum(0)
        if self.label_weights is None:
            return by_label.mean()
        return mu.divide_no_nan((by_label * self.label_weights).sum(), self.label_weights.sum())

    def interpolate_pr_auc(self) -> torch.Tensor:
        """PR-AUC with precision interpolated between thresholds (Davis & Goadrich, 2006)."""
        tp, fp, fn = (self.true_positives.detach(), self.false_positives.detach(),
                      self.false_negatives.detach())
        dtp = tp[:-1] - tp[1:]
        p = tp + fp
        dp = p[:-1] - p[1:]
        prec_slope = mu.divide_no_nan(dtp, dp.clamp_min(0))
        intercept = tp[1:] - prec_slope * p[1:]
        safe_p_ratio = torch.where((p[:-1] > 0) & (p[1:] > 0),
                                   mu.divide_no_nan(p[:-1], p[1:].clamp_min(0)),
                                   torch.ones_like(p[1:]))
        increment = mu.divide_no_nan(prec_slope * (dtp + intercept * torch.log(safe_p_ratio)),
                                     (tp[1:] + fn[1:]).clamp_min(0))
        return self._average(increment)

    def result(self) -> torch.Tensor:
        if not self._built:
            return torch.zeros((), device=self._device)
        if self.curve == "PR" and self.summation_method == "interpolation":
            return self.interpolate_pr_auc()
        tp, fp = self.true_positives.detach(), self.false_positives.detach()
        tn, fn = self.true_negatives.detach(), self.false_negatives.detach()
        recall = mu.divide_no_nan(tp, tp + fn)
        if self.curve == "ROC":
            x, y = mu.divide_no_nan(fp, fp + tn), recall
        elif self.curve == "PR":
            x, y = recall, mu.divide_no_nan(tp, tp + fp)
        else:
            # Precision/recall gain (Flach & Kull, 2015); undefined spots are clamped.
            scale = mu.divide_no_nan(tp + fn, tn + fp)
            recall_gain = 1.0 - scale * mu.divide_no_nan(fn, tp)
            precision_gain = 1.0 - scale * mu.divide_no_nan(fp, tp)
            no_tp = tp == 0
            recall_gain = torch.where(no_tp, 0.0, recall_gain).clamp_min(0.0)
            precision_gain = torch.where(no_tp, 1.0, precision_gain)
            x, y = recall_gain, precision_gain
        if self.summation_method == "interpolation":
            heights = (y[:-1] + y[1:]) / 2.0
        elif self.summation_method == "minoring":
            heights = torch.minimum(y[:-1], y[1:])
        else:
            heights = torch.maximum(y[:-1], y[1:])
        return self._average((x[:-1] - x[1:]) * heights)

    def reset_state(self) -> None:
        if self._built:
            super().reset_state()

    def get_config(self) -> dict:
        lw = self.label_weights
        config = {
            "num_thresholds": self.num_thresholds,
            "curve": self.curve,
            "summation_method": self.summation_method,
            "multi_label": self.multi_label,
            "num_labels": self.num_labels,
            "label_weights": None if lw is None else lw.detach().cpu().tolist(),
            "from_logits": self._from_logits,
        }
        if self._init_from_thresholds:
            config["thresholds"] = self.thresholds[1:-1]
        return {**super().get_config(), **config}
