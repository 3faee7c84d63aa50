"""MonitorCallback: shared logic of callbacks that watch one metric for improvements."""
from __future__ import annotations

import operator
import warnings

from torchkeras.callbacks.callback import Callback

# When a monitored name is neither the loss nor a compiled metric that knows its
# direction, these fragments decide (Keras 2 picked "max" for accuracy-like names).
_UP_HINTS = ("acc", "auc", "precision", "recall", "f1", "fbeta", "iou", "r2_score",
             "true_positives", "true_negatives", "fmeasure", "pearson", "concordance")
_DOWN_HINTS = ("loss", "error", "crossentropy", "hinge", "divergence", "poisson",
               "false_positives", "false_negatives", "mse", "mae", "mape", "msle")


class MonitorCallback(Callback):
    """Base class of ``EarlyStopping``, ``ModelCheckpoint`` and ``ReduceLROnPlateau``.

    Args:
        monitor: Name of the quantity to watch (``"val_loss"``, ``"accuracy"``, ...).
        mode: ``"min"``, ``"max"`` or ``"auto"`` (the direction is taken from the loss
            or the compiled metric of that name, else from the name itself).
        baseline: Initial "best" value, or ``None`` to start from the first value.
        min_delta: Smallest change that counts as an improvement.

    Example:
        >>> class Watch(MonitorCallback):
        ...     def on_epoch_end(self, epoch, logs=None):
        ...         if self.monitor_op is None:
        ...             self._set_monitor_op()
        ...         if self._is_improvement(logs[self.monitor], self.best):
        ...             self.best = logs[self.monitor]
    """

    def __init__(self, monitor: str = "val_loss", mode: str = "auto", baseline=None,
                 min_delta: float = 0):
        super().__init__()
        if mode not in ("auto", "min", "max"):
            warnings.warn("%s mode '%s' is unknown, fallback to auto mode."
                          % (type(self).__name__, mode), stacklevel=3)
            mode = "auto"
        self.monitor = monitor
        self.mode = mode
        self.best = baseline
        self.min_delta = abs(min_delta)
        self.monitor_op = None

    def _set_monitor_op(self) -> None:
        """Chooses ``operator.lt`` (lower is better) or ``operator.gt``."""
        if self.mode == "min":
            self.monitor_op = operator.lt
        elif self.mode == "max":
            self.monitor_op = operator.gt
        else:
            self.monitor_op = _infer_direction(self.model, self.monitor)
            if self.monitor_op is None:
                raise ValueError(
                    "%s callback received monitor=%s, but Keras isn't able to automatically "
                    "determine whether that metric should be maximized or minimized. Pass "
                    "`mode='max'` in order to monitor based on the highest metric value, or "
                    "pass `mode='min'` in order to use the lowest value."
                    % (type(self).__name__, self.monitor))
        # A minimised quantity must drop by at least min_delta: compare value + delta.
        if self.monitor_op is operator.lt:
            self.min_delta = -abs(self.min_delta)
        else:
            self.min_delta = abs(self.min_delta)

    def _is_improvement(self, monitor_value, reference_value) -> bool:
        if reference_value is None:
            return True
        return bool(self.monitor_op(monitor_value - self.min_delta, reference_value))


def _infer_direction(model, monitor: str):
    name = monitor[4:] if monitor.startswith("val_") else monitor
    if name == "loss":
        return operator.lt
    for m in _flat_metrics(model):
        direction = getattr(m, "_direction", None)
        if getattr(m, "name", None) == name and direction in ("up", "down"):
            return operator.gt if direction == "up" else operator.lt
    lowered = name.lower()
    if lowered.endswith("loss") or any(h in lowered for h in _DOWN_HINTS):
        return operator.lt
    if any(h in lowered for h in _UP_HINTS):
        return operator.gt
    return None


def _flat_metrics(model) -> list:
    """``model.metrics`` with containers (``compile_metrics``) opened up."""
    out = []
    for m in getattr(model, "metrics", None) or []:
        inner = getattr(m, "metrics", None)
        inner = inner() if callable(inner) else inner
        out.extend(inner if isinstance(inner, (list, tuple)) else [m])
    return out
