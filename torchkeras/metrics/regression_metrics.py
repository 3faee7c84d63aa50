"""Regression metrics: running means of error functions, RMSE, cosine similarity, R2."""
from __future__ import annotations

import torch

from torchkeras import config as _config
from torchkeras import losses as _losses
from torchkeras.metrics import metrics_utils as mu
from torchkeras.metrics.metric import Metric
from torchkeras.metrics.reduction_metrics import Mean, MeanMetricWrapper


class _LossMean(MeanMetricWrapper):
    """A MeanMetricWrapper around a loss function, configured by name and dtype only."""

    _fn_name = ""

    def __init__(self, name: str | None = None, dtype=None):
        super().__init__(getattr(_losses, self._fn_name), name=name, dtype=dtype)
        self._direction = "down"

    def get_config(self) -> dict:
        return {"name": self.name, "dtype": self.dtype}


class MeanSquaredError(_LossMean):
    """Mean of ``(y_true - y_pred) ** 2`` over all samples seen.

    Args:
        name: Metric name.
        dtype: dtype of the running state.

    Example:
        >>> m = MeanSquaredError()
        >>> m.update_state([[0, 1], [0, 0]], [[1, 1], [0, 0]])
        >>> float(m.result())
        0.25
    """

    _fn_name = "mean_squared_error"

    def __init__(self, name: str = "mean_squared_error", dtype=None):
        super().__init__(name=name, dtype=dtype)


class MeanAbsoluteError(_LossMean):
    """Mean of ``|y_true - y_pred|`` over all samples seen.

    Args:
        name: Metric name.
        dtype: dtype of the running state.

    Example:
        >>> m = MeanAbsoluteError()
        >>> m.update_state([[0, 1], [0, 0]], [[1, 1], [0, 0]])
    """

    _fn_name = "mean_absolute_error"

    def __init__(self, name: str = "mean_absolute_error", dtype=None):
        super().__init__(name=name, dtype=dtype)


class MeanAbsolutePercentageError(_LossMean):
    """Mean of ``100 * |y_true - y_pred| / |y_true|`` over all samples seen.

    Args:
        name: Metric name.
        dtype: dtype of the running state.

    Example:
        >>> m = MeanAbsolutePercentageError()
        >>> m.update_state([[1, 2]], [[1.5, 2]])
    """

    _fn_name = "mean_absolute_percentage_error"

    def __init__(self, name: str = "mean_absolute_percentage_error", dtype=None):
        super().__init__(name=name, dtype=dtype)


class MeanSquaredLogarithmicError(_LossMean):
    """Mean of ``(log(1 + y_pred) - log(1 + y_true)) ** 2`` over all samples seen.

    Args:
        name: Metric name.
        dtype: dtype of the running state.

    Example:
        >>> m = MeanSquaredLogarithmicError()
        >>> m.update_state([[0, 1]], [[1, 1]])
    """

    _fn_name = "mean_squared_logarithmic_error"

    def __init__(self, name: str = "mean_squared_logarithmic_error", dtype=None):
        super().__init__(name=name, dtype=dtype)


class LogCoshError(_LossMean):
    """Mean of ``log(cosh(y_pred - y_true))`` over all samples seen.

    Args:
        name: Metric name (Keras's default is ``"logcosh"``).
        dtype: dtype of the running state.

    Example:
        >>> m = LogCoshError()
        >>> m.update_state([[0, 1]], [[1, 1]])
    """

    _fn_name = "log_cosh"

    def __init__(self, name: str = "logcosh", dtype=None):
        super().__init__(name=name, dtype=dtype)


class RootMeanSquaredError(Mean):
    """Square root of the (weighted) mean of squared errors.

    Args:
        name: Metric name.
        dtype: dtype of the running state.

    Example:
        >>> m = RootMeanSquaredError()
        >>> m.update_state([[0, 1], [0, 0]], [[1, 1], [0, 0]])
        >>> float(m.result())
        0.5
    """

    def __init__(self, name: str = "root_mean_squared_error", dtype=None):
        super().__init__(name=name, dtype=dtype)
        self._direction = "down"

    def update_state(self, y_true, y_pred, sample_weight=None) -> None:
        y_true = self._convert(y_true, self.dtype)
        y_pred = self._convert(y_pred, self.dtype)
        y_true, y_pred = mu.squeeze_or_expand_to_same_rank(y_true, y_pred)
        super().update_state(torch.square(y_pred - y_true), sample_weight=sample_weight)

    def result(self) -> torch.Tensor:
        return torch.sqrt(super().result())


def cosine_similarity(y_true, y_pred, axis: int = -1) -> torch.Tensor:
    """Cosine similarity along ``axis`` (1 = same direction), as the metric reports it."""
    y_pred = mu.to_tensor(y_pred)
    y_true = mu.to_tensor(y_true, y_pred.device, y_pred.dtype)
    y_true, y_pred = mu.squeeze_or_expand_to_same_rank(y_true, y_pred)
    cap = 1.0 / _config.epsilon()

    def l2_normalize(x):
        return x * torch.rsqrt(torch.square(x).sum(dim=axis, keepdim=True)).clamp_max(cap)

    return (l2_normalize(y_true) * l2_normalize(y_pred)).sum(dim=axis)


class CosineSimilarity(MeanMetricWrapper):
    """Mean cosine similarity between labels and predictions.

    Args:
        name: Metric name.
        dtype: dtype of the running state.
        axis: The feature axis.

    Example:
        >>> m = CosineSimilarity(axis=1)
        >>> m.update_state([[0.0, 1.0], [1.0, 1.0]], [[1.0, 0.0], [1.0, 1.0]])
        >>> round(float(m.result()), 4)
        0.5
    """

    def __init__(self, name: str = "cosine_similarity", dtype=None, axis: int = -1):
        super().__init__(cosine_similarity, name=name, dtype=dtype, axis=axis)
        self._direction = "up"

    def get_config(self) -> dict:
        # Keras 3 leaves `axis` out of this config.
        return {"name": self.name, "dtype": self.dtype}


class R2Score(Metric):
    """Coefficient of determination, optionally adjusted for the number of regressors.

    Inputs are 2-D ``(batch_size, num_outputs)``.

    Args:
        class_aggregation: ``"uniform_average"`` (default), ``"variance_weighted_average"``
            or ``None`` (one score per output).
        num_regressors: Number of independent variables for the adjusted R2 (0: plain).
        name: Metric name.
        dtype: dtype of the result.

    Example:
        >>> m = R2Score()
        >>> m.update_state([[1], [4], [3]], [[2], [4], [4]])
        >>> round(float(m.result()), 4)
        0.5714
    """

    def __init__(self, class_aggregation: str | None = "uniform_average", num_regressors: int = 0,
                 name: str = "r2_score", dtype=None):
        super().__init__(name=name, dtype=dtype)
        self._direction = "up"
        valid = (None, "uniform_average", "variance_weighted_average")
        if class_aggregation not in valid:
            raise ValueError("Invalid value for argument `class_aggregation`. Expected one of %s. "
                             "Received: class_aggregation=%s" % (valid, class_aggregation))
        if num_regressors < 0:
            raise ValueError("Invalid value for argument `num_regressors`. Expected a value >= 0. "
                             "Received: num_regressors=%s" % (num_regressors,))
        self.class_aggregation = class_aggregation
        self.num_regressors = num_regressors
        self.num_samples = self.add_variable(shape=(), initializer="zeros", name="num_samples")
        self._built = False

    def _build(self, y_true_shape, y_pred_shape) -> None:
        if len(y_pred_shape) != 2 or len(y_true_shape) != 2:
            raise ValueError("R2Score expects 2D inputs with shape (batch_size, output_dim). "
                             "Received input shapes: y_pred.shape=%s and y_true.shape=%s."
                             % (tuple(y_pred_shape), tuple(y_true_shape)))
        n = y_pred_shape[-1]
        self.squared_sum = self.add_variable(shape=(n,), initializer="zeros", name="squared_sum")
        self.sum = self.add_variable(shape=(n,), initializer="zeros", name="sum")
        self.total_mse = self.add_variable(shape=(n,), initializer="zeros", name="residual")
        self.count = self.add_variable(shape=(n,), initializer="zeros", name="count")
        self._built = True

    def update_state(self, y_true, y_pred, sample_weight=None) -> None:
        """Accumulates sums, squared sums and squared residuals per output.

        Args:
            y_true: Targets ``(batch_size, num_outputs)``.
            y_pred: Predictions, same shape.
            sample_weight: Optional weights ``(batch_size,)`` or ``(batch_size, num_outputs)``.
        """
        y_true = self._convert(y_true, self.dtype)
        y_pred = self._convert(y_pred, self.dtype)
        y_true, y_pred = mu.squeeze_or_expand_to_same_rank(y_true, y_pred)
        if not self._built:
            self._build(y_true.shape, y_pred.shape)
        if sample_weight is None:
            sw = torch.ones((), dtype=y_true.dtype, device=self._device)
        else:
            sw = self._convert(sample_weight, y_true.dtype)
            if sw.dim() == 1:
                sw = sw.unsqueeze(1)
        sw = sw.expand(y_true.shape)
        weighted = y_true * sw
        with torch.no_grad():
            self.sum.add_(weighted.sum(0))
            self.squared_sum.add_((y_true * weighted).sum(0))
            self.total_mse.add_((torch.square(y_true - y_pred) * sw).sum(0))
            self.count.add_(sw.sum(0))
            self.num_samples.add_(float(y_true.numel()))

    def result(self) -> torch.Tensor:
        if not self._built:
            return torch.zeros((), device=self._device)
        s, count = self.sum.detach(), self.count.detach()
        total = self.squared_sum.detach() - s * (s / count)
        raw = 1 - self.total_mse.detach() / total
        raw = torch.where(torch.isinf(raw), 0.0, raw)
        if self.class_aggregation == "uniform_average":
            score = raw.mean()
        elif self.class_aggregation == "variance_weighted_average":
            score = (total * raw).sum() / total.sum()
        else:
            score = raw
        if self.num_regressors != 0:
            # Adjusted R2; falls back to the plain score when n - 1 <= p (as Keras does,
            # without its host-side warnings, so reading the result never syncs).
            n = self.num_samples.detach().to(torch.float32)
            p = float(self.num_regressors)
            adjusted = 1.0 - (1.0 - score) * (n - 1.0) / (n - p - 1.0)
            score = torch.where(n - 1.0 > p, adjusted, score)
        return score

    def get_config(self) -> dict:
        return {**super().get_config(), "class_aggregation": self.class_aggregation,
                "num_regressors": self.num_regressors}
