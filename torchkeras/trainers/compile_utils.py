"""What ``compile`` turns its ``loss``/``metrics`` arguments into, for one or many outputs.

Output names follow Keras: a dict output uses its keys, a list output uses the names
of the layers producing each output. History keys are ``loss``, ``<output>_loss`` and
``<output>_<metric>`` for several outputs, plain ``<metric>`` for one.
"""
from __future__ import annotations

import torch

from torchkeras import fast_paths
from torchkeras import losses as losses_module
from torchkeras import metrics as metrics_module


def _flatten_with_names(struct, names):
    """Aligns a loss/metric/target structure with the model's output names."""
    if isinstance(struct, dict):
        missing = [k for k in struct if k not in names]
        if missing:
            raise ValueError("Unknown output name(s) %s: the model's outputs are %s"
                             % (missing, names))
        return [struct.get(n) for n in names]
    if isinstance(struct, (list, tuple)) and len(names) > 1:
        if len(struct) != len(names):
            raise ValueError("Expected %d values (one per output %s), got %d"
                             % (len(names), names, len(struct)))
        return list(struct)
    return [struct] + [struct] * (len(names) - 1) if len(names) > 1 else [struct]


def flatten_outputs(value, names):
    """Model outputs or targets (tensor, list or dict) -> list aligned with ``names``."""
    if isinstance(value, dict):
        try:
            return [value[n] for n in names]
        except KeyError as e:
            raise ValueError("Missing data for output %s; expected keys %s, got %s"
                             % (e, names, sorted(value))) from None
    if isinstance(value, (list, tuple)):
        if len(value) != len(names):
            raise ValueError("Expected %d outputs/targets %s, got %d"
                             % (len(names), names, len(value)))
        return list(value)
    return [value]


def get_metric(identifier, y_true, y_pred):
    """Keras's metric resolution, with 'accuracy' picked from the target/output shapes."""
    if identifier is None:
        return None
    if isinstance(identifier, str) and identifier.lower() in ("accuracy", "acc"):
        is_binary = y_pred.ndim >= 1 and y_pred.shape[-1] == 1
        sparse = y_true.ndim == y_pred.ndim - 1 or (
            y_true.ndim == y_pred.ndim and y_true.shape[-1] == 1 and y_pred.shape[-1] > 1)
        if is_binary:
            obj = metrics_module.BinaryAccuracy(name=identifier)
        elif sparse:
            obj = metrics_module.SparseCategoricalAccuracy(name=identifier)
        else:
            obj = metrics_module.CategoricalAccuracy(name=identifier)
        return obj
    if isinstance(identifier, str) and identifier.lower() in ("crossentropy", "ce"):
        if y_pred.shape[-1] == 1:
            obj = metrics_module.BinaryCrossentropy(name=identifier)
        elif y_true.ndim == y_pred.ndim - 1:
            obj = metrics_module.SparseCategoricalCrossentropy(name=identifier)
        else:
            obj = metrics_module.CategoricalCrossentropy(name=identifier)
        return obj
    if _is_torchmetric(identifier):
        return TorchMetricAdapter(identifier)
    obj = metrics_module.get(identifier)
    if isinstance(obj, type):
        obj = obj()
    if not isinstance(obj, metrics_module.Metric):
        name = identifier if isinstance(identifier, str) else getattr(obj, "__name__", "metric")
        obj = metrics_module.MeanMetricWrapper(obj, name=name)
    elif isinstance(identifier, str):
        obj.name = identifier
    return obj


def _is_torchmetric(obj) -> bool:
    return any(c.__module__.startswith("torchmetrics") for c in type(obj).__mro__)


def TorchMetricAdapter(metric):
    """Wraps a torchmetrics metric so ``compile(metrics=[...])`` can drive it."""

    class _TorchMetric(metrics_module.Metric):
        def __init__(self, inner):
            super().__init__(name=_snake(type(inner).__name__))
            self.metric = inner

        def update_state(self, y_true, y_pred, sample_weight=None):
            self.metric.update(y_pred, y_true)

        def result(self):
            return self.metric.compute()

        def reset_state(self):
            self.metric.reset()

    return _TorchMetric(metric)


def _snake(name: str) -> str:
    from torchkeras.layers.layer import to_snake_case
    return to_snake_case(name)


class CompileLoss:
    """The compiled loss: per-output losses, their weights, and their trackers."""

    def __init__(self, loss, loss_weights, output_names):
        self.output_names = list(output_names)
        n = len(self.output_names)
        flat = _flatten_with_names(loss, self.output_names)
        self.fns = [self._resolve(l) for l in flat]
        if loss_weights is None:
            self.weights = [1.0] * n
        else:
            self.weights = [1.0 if w is None else float(w)
                            for w in _flatten_with_names(loss_weights, self.output_names)]
        if all(fn is None for fn in self.fns):
            raise ValueError("compile() got no loss for any of the outputs %s" % self.output_names)
        # Set by the loops before their first batch: that call checks sparse labels.
        self.check_labels = False
        self.trackers = []
        if n > 1:
            self.trackers = [metrics_module.Mean(name=name + "_loss") if fn is not None else None
                             for name, fn in zip(self.output_names, self.fns)]
        # Fast path 5 of torchkeras/fast_paths.py, decided once: one Loss of weight 1.
        self.single = fast_paths.single_loss(self)

    @staticmethod
    def _resolve(identifier):
        if identifier is None:
            return None
        fn = losses_module.get(identifier)
        if isinstance(fn, type):
            fn = fn()
        if isinstance(fn, (losses_module.Loss, torch.nn.Module)):
            return fn
        # Built-in functions become their Loss class (same numbers, fused kernels);
        # other functions get Keras's wrapper (rank alignment, reduction, sample weights).
        cls = _FUNCTION_CLASSES.get(getattr(fn, "__name__", None))
        if cls is not None and getattr(losses_module, getattr(fn, "__name__", ""), None) is fn:
            obj = getattr(losses_module, cls)()
            if isinstance(identifier, str):
                obj.name = identifier
            return obj
        name = identifier if isinstance(identifier, str) else getattr(fn, "__name__", None)
        return losses_module.LossFunctionWrapper(fn, name=name)

    def __call__(self, y_true, y_pred, sample_weight=None):
        if self.check_labels:
            self.check_labels = False
            self._check_labels(y_true, y_pred)
        single = self.single
        if single is not None and type(y_pred) is torch.Tensor \
                and type(y_true) is torch.Tensor:
            return single(y_true, y_pred, sample_weight=sample_weight)   # the per-step case
        fn = self.fns[0]
        yts, yps = self._per_output(y_true, y_pred)
        if len(self.output_names) == 1:
            yt, yp, sw = yts[0], yps[0], sample_weight
            return _call_loss(fn, yt, yp, sw) * self.weights[0] if self.weights[0] != 1.0 \
                else _call_loss(fn, yt, yp, sw)
        sws = flatten_outputs(sample_weight, self.output_names) if isinstance(
            sample_weight, (list, tuple, dict)) else [sample_weight] * len(yts)
        total = None
        for fn, w, yt, yp, sw, tracker in zip(self.fns, self.weights, yts, yps, sws, self.trackers):
            if fn is None or yt is None:
                continue
            value = _call_loss(fn, yt, yp, sw)
            tracker.update_state(value.detach(), sample_weight=_batch(yp))
            term = value * w if w != 1.0 else value
            total = term if total is None else total + term
        return total

    def _per_output(self, y_true, y_pred) -> tuple[list, list]:
        """Targets and predictions, one per output, in ``output_names`` order."""
        if len(self.output_names) == 1:
            yp = y_pred[0] if isinstance(y_pred, (list, tuple)) else y_pred
            if isinstance(yp, dict):
                yp = next(iter(yp.values()))
            yt = y_true[0] if isinstance(y_true, (list, tuple)) and len(y_true) == 1 else y_true
            return [yt], [yp]
        return (flatten_outputs(y_true, self.output_names),
                flatten_outputs(y_pred, self.output_names))

    def _check_labels(self, y_true, y_pred) -> None:
        for fn, yt, yp in zip(self.fns, *self._per_output(y_true, y_pred)):
            check = getattr(fn, "check_labels", None)
            if check is not None and yt is not None and isinstance(yp, torch.Tensor):
                check(yt, yp)

    def metrics(self) -> list:
        return [t for t in self.trackers if t is not None]


_FUNCTION_CLASSES = {
    "mean_squared_error": "MeanSquaredError", "mean_absolute_error": "MeanAbsoluteError",
    "binary_crossentropy": "BinaryCrossentropy",
    "categorical_crossentropy": "CategoricalCrossentropy",
    "sparse_categorical_crossentropy": "SparseCategoricalCrossentropy", "huber": "Huber",
}


def _call_loss(fn, y_true, y_pred, sample_weight):
    if isinstance(fn, losses_module.Loss):
        return fn(y_true, y_pred, sample_weight=sample_weight)
    # torch.nn losses take (input, target) and reduce themselves.
    value = fn(y_pred, y_true)
    if value.ndim > 0:
        if sample_weight is not None:
            sw = sample_weight.to(value.dtype)
            while sw.ndim < value.ndim:
                sw = sw.unsqueeze(-1)
            return (value * sw).sum() / value.numel()
        return value.mean()
    return value


def _batch(x) -> int:
    while isinstance(x, (list, tuple)):
        x = x[0]
    if isinstance(x, dict):
        return _batch(next(iter(x.values())))
    return int(x.shape[0]) if getattr(x, "ndim", 0) else 1


class CompileMetrics:
    """The compiled metrics, built on the first batch once target shapes are known.

    It is one entry of ``model.metrics`` (named ``compile_metrics`` as in Keras) whose
    ``result()`` is a dict, so custom ``train_step``s can update it like any metric.
    """

    name = "compile_metrics"

    def __init__(self, metrics, weighted_metrics, output_names):
        self.output_names = list(output_names)
        self._spec = metrics
        self._weighted_spec = weighted_metrics
        self.built = False
        self.per_output: list = []       # [(metric, weighted)] per output
        self._validate(metrics)
        self._validate(weighted_metrics)

    @property
    def requested(self) -> bool:
        """Whether ``compile`` was given metrics (else Keras has no ``compile_metrics``)."""
        return self._spec is not None or self._weighted_spec is not None

    def _validate(self, spec) -> None:
        if spec is None:
            return
        if not isinstance(spec, (list, tuple, dict)):
            raise ValueError("Expected `metrics` to be a list or dict, got %r" % (spec,))
        for item in _flatten_spec(spec):
            if isinstance(item, str) and item.lower() not in ("accuracy", "acc", "crossentropy",
                                                              "ce"):
                metrics_module.get(item)   # unknown names fail at compile time

    def _per_output_spec(self, spec):
        n = len(self.output_names)
        if spec is None:
            return [[] for _ in range(n)]
        if isinstance(spec, dict):
            out = _flatten_with_names(spec, self.output_names)
            return [[] if s is None else (list(s) if isinstance(s, (list, tuple)) else [s])
                    for s in out]
        spec = list(spec)
        if n > 1 and spec and all(isinstance(s, (list, tuple)) or s is None for s in spec) \
                and len(spec) == n:
            return [list(s or []) for s in spec]
        return [list(spec) for _ in range(n)]

    def build(self, y_true, y_pred) -> None:
        yts = flatten_outputs(y_true, self.output_names) if len(self.output_names) > 1 else [y_true]
        yps = flatten_outputs(y_pred, self.output_names) if len(self.output_names) > 1 else [
            y_pred[0] if isinstance(y_pred, (list, tuple)) else y_pred]
        plain = self._per_output_spec(self._spec)
        weighted = self._per_output_spec(self._weighted_spec)
        self.per_output = []
        for i, name in enumerate(self.output_names):
            entries = []
            for ident, w in [(m, False) for m in plain[i]] + [(m, True) for m in weighted[i]]:
                metric = get_metric(ident, yts[i], yps[i])
                if metric is None:
                    continue
                entries.append((metric, w))
            self.per_output.append(entries)
        device = _device_of(yps[0])
        for m in self.metrics():
            m.to(device)
        self.built = True

    def update_state(self, y_true, y_pred, sample_weight=None) -> None:
        if not self.built:
            self.build(y_true, y_pred)
        if len(self.per_output) == 1:
            yp = y_pred[0] if type(y_pred) in (list, tuple) else y_pred
            if sample_weight is None:
                for metric, _ in self.per_output[0]:
                    metric.update_state(y_true, yp)
            else:
                for metric, weighted in self.per_output[0]:
                    metric.update_state(y_true, yp, sample_weight if weighted else None)
            return
        yts = flatten_outputs(y_true, self.output_names)
        yps = flatten_outputs(y_pred, self.output_names)
        sws = flatten_outputs(sample_weight, self.output_names) if isinstance(
            sample_weight, (list, tuple, dict)) else [sample_weight] * len(yts)
        for entries, yt, yp, sw in zip(self.per_output, yts, yps, sws):
            for metric, weighted in entries:
                metric.update_state(yt, yp, sw if weighted else None)

    def metrics(self) -> list:
        return [m for entries in self.per_output for m, _ in entries]

    @property
    def variables(self) -> list:
        return [v for m in self.metrics() for v in m.variables]

    @property
    def device(self):
        """Where the metrics' state lives (None before they are built)."""
        metrics = self.metrics()
        return getattr(metrics[0], "device", None) if metrics else None

    def to(self, device) -> "CompileMetrics":
        for m in self.metrics():
            m.to(device)
        return self

    def reset_state(self) -> None:
        for m in self.metrics():
            m.reset_state()

    def result(self) -> dict:
        # Keras's naming: "<output>_<metric>" for several outputs, "_1" suffixes for
        # repeated names, "weighted_" only where a weighted metric clashes.
        out, seen = {}, set()
        multi = len(self.output_names) > 1
        for weighted_pass in (False, True):
            for out_name, entries in zip(self.output_names, self.per_output):
                for metric, weighted in entries:
                    if weighted != weighted_pass:
                        continue
                    prefix = out_name + "_" if multi else ""
                    name = prefix + metric.name
                    if name in seen and weighted:
                        name = prefix + "weighted_" + metric.name
                    if name in seen:
                        i = 1
                        while "%s_%d" % (name, i) in seen:
                            i += 1
                        name = "%s_%d" % (name, i)
                    seen.add(name)
                    value = metric.result()
                    if isinstance(value, dict):
                        out.update(value)
                    else:
                        out[name] = value
        return out


def _flatten_spec(spec) -> list:
    if isinstance(spec, dict):
        spec = list(spec.values())
    out = []
    for s in spec:
        if isinstance(s, (list, tuple)):
            out.extend(_flatten_spec(s))
        elif s is not None:
            out.append(s)
    return out


def _device_of(x):
    while isinstance(x, (list, tuple)):
        x = x[0]
    if isinstance(x, dict):
        return _device_of(next(iter(x.values())))
    return x.device if isinstance(x, torch.Tensor) else torch.device("cpu")
