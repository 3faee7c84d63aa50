"""Probabilistic metrics: running means of cross-entropies, KL divergence and Poisson."""
from __future__ import annotations

from torchkeras import losses as _losses
from torchkeras.metrics.reduction_metrics import MeanMetricWrapper


class KLDivergence(MeanMetricWrapper):
    """Mean Kullback-Leibler divergence ``sum(y_true * log(y_true / y_pred))``.

    Args:
        name: Metric name.
        dtype: dtype of the running state.

    Example:
        >>> m = KLDivergence()
        >>> m.update_state([[0, 1], [0, 0]], [[0.6, 0.4], [0.4, 0.6]])
    """

    def __init__(self, name: str = "kl_divergence", dtype=None):
        super().__init__(fn=_losses.kl_divergence, name=name, dtype=dtype)

    def get_config(self) -> dict:
        return {"name": self.name, "dtype": self.dtype}


class Poisson(MeanMetricWrapper):
    """Mean Poisson deviance ``y_pred - y_true * log(y_pred)``.

    Args:
        name: Metric name.
        dtype: dtype of the running state.

    Example:
        >>> m = Poisson()
        >>> m.update_state([[0, 1], [0, 0]], [[1, 1], [0, 0]])
    """

    def __init__(self, name: str = "poisson", dtype=None):
        super().__init__(fn=_losses.poisson, name=name, dtype=dtype)

    def get_config(self) -> dict:
        return {"name": self.name, "dtype": self.dtype}


class BinaryCrossentropy(MeanMetricWrapper):
    """Mean binary cross-entropy between labels and predicted probabilities (or logits).

    Args:
        name: Metric name.
        dtype: dtype of the running state.
        from_logits: ``y_pred`` holds logits.
        label_smoothing: Squeezes labels towards 0.5 by this amount.

    Example:
        >>> m = BinaryCrossentropy()
        >>> m.update_state([[0, 1], [0, 0]], [[0.6, 0.4], [0.4, 0.6]])
    """

    def __init__(self, name: str = "binary_crossentropy", dtype=None, from_logits: bool = False,
                 label_smoothing: float = 0):
        super().__init__(_losses.binary_crossentropy, name, dtype=dtype, from_logits=from_logits,
                         label_smoothing=label_smoothing)
        self.from_logits = from_logits
        self.label_smoothing = label_smoothing
        self._direction = "down"

    def get_config(self) -> dict:
        return {"name": self.name, "dtype": self.dtype, "from_logits": self.from_logits,
                "label_smoothing": self.label_smoothing}


class CategoricalCrossentropy(MeanMetricWrapper):
    """Mean categorical cross-entropy between one-hot labels and predictions.

    Args:
        name: Metric name.
        dtype: dtype of the running state.
        from_logits: ``y_pred`` holds logits.
        label_smoothing: Mixes labels with the uniform distribution by this amount.
        axis: The class axis.

    Example:
        >>> m = CategoricalCrossentropy()
        >>> m.update_state([[0, 1, 0], [0, 0, 1]], [[0.05, 0.95, 0], [0.1, 0.8, 0.1]])
    """

    def __init__(self, name: str = "categorical_crossentropy", dtype=None,
                 from_logits: bool = False, label_smoothing: float = 0, axis: int = -1):
        super().__init__(_losses.categorical_crossentropy, name, dtype=dtype,
                         from_logits=from_logits, label_smoothing=label_smoothing, axis=axis)
        self.from_logits = from_logits
        self.label_smoothing = label_smoothing
        self.axis = axis
        self._direction = "down"

    def get_config(self) -> dict:
        return {"name": self.name, "dtype": self.dtype, "from_logits": self.from_logits,
                "label_smoothing": self.label_smoothing, "axis": self.axis}


class SparseCategoricalCrossentropy(MeanMetricWrapper):
    """Mean cross-entropy between integer labels and predictions.

    Args:
        name: Metric name.
        dtype: dtype of the running state.
        from_logits: ``y_pred`` holds logits.
        ignore_class: Label id whose entries are left out.
        axis: The class axis.

    Example:
        >>> m = SparseCategoricalCrossentropy()
        >>> m.update_state([1, 2], [[0.05, 0.95, 0], [0.1, 0.8, 0.1]])
    """

    def __init__(self, name: str = "sparse_categorical_crossentropy", dtype=None,
                 from_logits: bool = False, ignore_class: int | None = None, axis: int = -1):
        super().__init__(_losses.sparse_categorical_crossentropy, name=name, dtype=dtype,
                         from_logits=from_logits, ignore_class=ignore_class, axis=axis)
        self.from_logits = from_logits
        self.ignore_class = ignore_class
        self.axis = axis
        self._direction = "down"

    def get_config(self) -> dict:
        return {"name": self.name, "dtype": self.dtype, "from_logits": self.from_logits,
                "ignore_class": self.ignore_class, "axis": self.axis}
