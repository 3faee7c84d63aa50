"""Hinge metrics: running means of the hinge losses."""
from __future__ import annotations

from torchkeras import losses as _losses
from torchkeras.metrics.reduction_metrics import MeanMetricWrapper


class Hinge(MeanMetricWrapper):
    """Mean hinge loss ``max(1 - y_true * y_pred, 0)`` (0/1 labels become -1/1).

    Args:
        name: Metric name.
        dtype: dtype of the running state.

    Example:
        >>> m = Hinge()
        >>> m.update_state([[0, 1], [0, 0]], [[0.6, 0.4], [0.4, 0.6]])
    """

    def __init__(self, name: str = "hinge", dtype=None):
        super().__init__(fn=_losses.hinge, name=name, dtype=dtype)
        self._direction = "down"

    def get_config(self) -> dict:
        return {"name": self.name, "dtype": self.dtype}


class SquaredHinge(MeanMetricWrapper):
    """Mean squared hinge loss ``max(1 - y_true * y_pred, 0) ** 2``.

    Args:
        name: Metric name.
        dtype: dtype of the running state.

    Example:
        >>> m = SquaredHinge()
        >>> m.update_state([[0, 1], [0, 0]], [[0.6, 0.4], [0.4, 0.6]])
    """

    def __init__(self, name: str = "squared_hinge", dtype=None):
        super().__init__(fn=_losses.squared_hinge, name=name, dtype=dtype)
        self._direction = "down"

    def get_config(self) -> dict:
        return {"name": self.name, "dtype": self.dtype}


class CategoricalHinge(MeanMetricWrapper):
    """Mean categorical hinge loss ``max(0, 1 + max(neg) - pos)``.

    Args:
        name: Metric name.
        dtype: dtype of the running state.

    Example:
        >>> m = CategoricalHinge()
        >>> m.update_state([[0, 1], [0, 0]], [[0.6, 0.4], [0.4, 0.6]])
    """

    def __init__(self, name: str = "categorical_hinge", dtype=None):
        super().__init__(fn=_losses.categorical_hinge, name=name, dtype=dtype)
        self._direction = "down"

    def get_config(self) -> dict:
        return {"name": self.name, "dtype": self.dtype}
