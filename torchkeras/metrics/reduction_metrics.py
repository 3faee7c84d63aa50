"""Sum, Mean and MeanMetricWrapper: running (weighted) reductions kept on the device."""
from __future__ import annotations

from typing import Callable

import torch

from torchkeras.metrics import metrics_utils as mu
from torchkeras.metrics.metric import Metric


def _apply_mask(sample_weight, mask, dtype):
    """Folds a Keras mask (``_keras_mask``) into the sample weights."""
    if mask is None:
        return sample_weight
    mask = mask.to(dtype)
    if sample_weight is None:
        return mask
    sample_weight = sample_weight.to(dtype)
    mask, sample_weight = mu.squeeze_or_expand_to_same_rank(mask, sample_weight)
    return sample_weight * mask


def reduce_to_samplewise_values(values: torch.Tensor, sample_weight, reduce_fn, dtype):
    """Weights ``values`` and reduces them to one value per sample.

    Returns ``(values, sample_weight)`` where ``values`` has rank <= 1 and
    ``sample_weight`` (when given) the matching per-sample weights.
    """
    values = values.to(dtype)
    if sample_weight is not None:
        sample_weight = sample_weight.to(dtype)
        values, sample_weight = mu.squeeze_or_expand_to_same_rank(values, sample_weight)
        w_ndim, v_ndim = sample_weight.dim(), values.dim()
        if v_ndim > w_ndim:
            values = reduce_fn(values, dim=tuple(range(w_ndim, v_ndim)))
        sample_weight = sample_weight.expand(values.shape) if sample_weight.shape != values.shape \
            else sample_weight
        values = values * sample_weight
        if w_ndim > 1:
            sample_weight = reduce_fn(sample_weight, dim=tuple(range(1, w_ndim)))
    if values.dim() > 1:
        values = reduce_fn(values, dim=tuple(range(1, values.dim())))
    return values, sample_weight


def _samplewise(metric: Metric, values, sample_weight, reduce_fn):
    # As in Keras, a mask carried by `values` only matters when weights are given.
    mask = mu.keras_mask(values)
    values = metric._convert(values)
    if sample_weight is not None:
        sample_weight = _apply_mask(metric._convert(sample_weight), mask, metric.total.dtype)
    return reduce_to_samplewise_values(values, sample_weight, reduce_fn, metric.total.dtype)


class Sum(Metric):
    """The (weighted) sum of the values seen so far.

    Args:
        name: Metric name.
        dtype: dtype of the running total.

    Example:
        >>> m = Sum()
        >>> m.update_state([1, 3, 5, 7], sample_weight=[1, 1, 0, 0])
        >>> float(m.result())
        4.0
    """

    def __init__(self, name: str = "sum", dtype=None):
        super().__init__(name=name, dtype=dtype)
        self.total = self.add_variable(shape=(), initializer="zeros", dtype=self.dtype,
                                       name="total")

    def update_state(self, values, sample_weight=None) -> None:
        values, _ = _samplewise(self, values, sample_weight, torch.sum)
        with torch.no_grad():
            self.total.add_(values.sum())

    def result(self) -> torch.Tensor:
        return self.total.detach().clone()


class Mean(Metric):
    """The (weighted) mean of the values seen so far: ``total / count``.

    Args:
        name: Metric name.
        dtype: dtype of the running total and count.

    Example:
        >>> m = Mean()
        >>> m.update_state([1, 3, 5, 7], sample_weight=[1, 1, 0, 0])
        >>> float(m.result())
        2.0
    """

    def __init__(self, name: str = "mean", dtype=None):
        super().__init__(name=name, dtype=dtype)
        self.total = self.add_variable(shape=(), initializer="zeros", dtype=self.dtype,
                                       name="total")
        self.count = self.add_variable(shape=(), initializer="zeros", dtype=self.dtype,
                                       name="count")
        # The training loop's per-step updates are buffered: device-side terms to add to
        # `total` and host-side sample counts wait here and are folded in when anything
        # reads the state, so a step costs no extra device op for bookkeeping.
        self._pending = 0.0
        self._buf = []

    def _defer(self, value: torch.Tensor, weight: float, count: float) -> None:
        """Adds ``weight * value`` to total and ``count`` to count, lazily."""
        d = self.__dict__
        d["_buf"].append((value, weight))
        d["_pending"] += count
        if len(d["_buf"]) >= 256:
            self._flush()

    def _flush(self) -> None:
        d = self.__dict__
        buf, pending = d.get("_buf"), d.get("_pending")
        if not buf and not pending:
            return
        d["_buf"], d["_pending"] = [], 0.0
        total = super().__getattr__("total")
        with torch.no_grad():
            if buf:
                groups: dict = {}
                for value, weight in buf:
                    groups.setdefault(weight, []).append(value)
                for weight, values in groups.items():
                    acc = values[0] if len(values) == 1 else torch.stack(values).sum()
                    if weight == 1:
                        total.add_(acc)
                    else:
                        total.add_(acc, alpha=weight)
            if pending:
                super().__getattr__("count").add_(pending)

    def __getattr__(self, name: str):
        if name in ("total", "count") and (self.__dict__.get("_buf") or
                                           self.__dict__.get("_pending")):
            self._flush()
        return super().__getattr__(name)

    @property
    def variables(self) -> list:
        self._flush()
        return super().variables

    def reset_state(self) -> None:
        self.__dict__["_pending"] = 0.0
        self.__dict__["_buf"] = []
        super().reset_state()

    def update_state(self, values, sample_weight=None) -> None:
        if sample_weight is None and type(values) is torch.Tensor and values.dim() == 0 \
                and mu.keras_mask(values) is None:
            # Fast path of the training loop: one scalar (e.g. a batch loss) per step.
            self.total.add_(values.detach())
            self.count.add_(1.0)
            return
        values, sw = _samplewise(self, values, sample_weight, torch.mean)
        self._accumulate(values, sw)

    def _accumulate(self, values: torch.Tensor, sample_weight) -> None:
        with torch.no_grad():
            self.total.add_(values.sum())
            if sample_weight is not None:
                self.count.add_(sample_weight.sum())
            else:
                self.count.add_(float(values.shape[0]) if values.dim() >= 1 else 1.0)

    def _update_fast(self, value: torch.Tensor, count) -> None:
        """Internal (loss tracker): ``total += value * count; count += count``.

        Args:
            value: A 0-d tensor, e.g. the mean loss of a batch.
            count: Python number or 0-d tensor, e.g. the batch size.
        """
        if isinstance(count, torch.Tensor):
            self.total.add_(value.detach() * count)
            self.count.add_(count)
        else:
            self._defer(value if not value.requires_grad else value.detach(), count, count)

    def result(self) -> torch.Tensor:
        return mu.divide_no_nan(self.total.detach(), self.count.detach())


class MeanMetricWrapper(Mean):
    """Averages a stateless metric function ``fn(y_true, y_pred, **kwargs)`` over samples.

    Args:
        fn: Function returning per-sample (or per-element) values.
        name: Metric name (default: ``"mean_metric_wrapper"``, made unique).
        dtype: dtype of the running total and count.
        **kwargs: Passed to ``fn`` on every call.

    Example:
        >>> def abs_err(y_true, y_pred):
        ...     return (y_true - y_pred).abs()
        >>> m = MeanMetricWrapper(abs_err, name="abs_err")
    """

    def __init__(self, fn: Callable, name: str | None = None, dtype=None, **kwargs):
        super().__init__(name=name, dtype=dtype)
        if not callable(fn):
            raise ValueError("MeanMetricWrapper expects a callable `fn`, got %r" % (fn,))
        self._fn = fn
        self._fn_kwargs = kwargs
        from torchkeras.metrics import _is_keras_loss
        if _is_keras_loss(fn):
            self._direction = "down"

    def update_state(self, y_true, y_pred, sample_weight=None) -> None:
        if sample_weight is None and type(y_pred) is torch.Tensor and \
                type(y_true) is torch.Tensor and y_pred.device == self.total.device and \
                getattr(y_pred, "_keras_mask", None) is None:
            # Training-loop fast path: plain tensors, no weights, no mask.
            values = self._fn(y_true, y_pred, **self._fn_kwargs)
            if values.dim() > 1:
                values = values.mean(dim=tuple(range(1, values.dim())))
            self._defer(values.detach().sum(), 1, float(values.shape[0]) if values.dim() else 1.0)
            return
        mask = mu.keras_mask(y_pred)
        y_true = self._convert(y_true)
        y_pred = self._convert(y_pred)
        values = self._fn(y_true, y_pred, **self._fn_kwargs)
        values = self._convert(values)
        sw = None if sample_weight is None else self._convert(sample_weight)
        sw = _apply_mask(sw, mask, self.total.dtype)
        values, sw = reduce_to_samplewise_values(values, sw, torch.mean, self.total.dtype)
        self._accumulate(values, sw)

    def get_config(self) -> dict:
        from torchkeras.saving.serialization import serialize_keras_object
        config = {**super().get_config(), "fn": serialize_keras_object(self._fn)}
        config.update(serialize_keras_object(self._fn_kwargs))
        return config

    @classmethod
    def from_config(cls, config: dict):
        config = dict(config)
        if "fn" in config and isinstance(config["fn"], (dict, str)):
            from torchkeras.metrics import _deserialize_function
            config["fn"] = _deserialize_function(config["fn"])
        return cls(**config)
