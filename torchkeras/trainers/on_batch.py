"""``train_on_batch`` / ``test_on_batch`` / ``predict_on_batch`` and the list form of
results (Keras's metric order) shared with ``evaluate``."""
from __future__ import annotations

import torch

from torchkeras.callbacks.logs import materialize
from torchkeras.trainers import compile_utils
from torchkeras.trainers.class_weights import validate_class_weight
from torchkeras.trainers.data_adapters import ArrayAdapter
from torchkeras.trainers.loops import to_numpy


class OnBatchMixin:
    """One-batch entry points of ``Model`` (the steps they run live in ``Trainer``)."""

    def train_on_batch(self, x, y=None, sample_weight=None, class_weight=None,
                       return_dict: bool = False):
        """One gradient update on one batch; returns the loss (and metrics)."""
        if class_weight is not None:
            validate_class_weight(class_weight, None)
        self._ensure_built_for(x)
        if class_weight is not None:
            validate_class_weight(class_weight, self._num_classes(x, y, None))
        adapter = ArrayAdapter(x, y, sample_weight, batch_size=_len(x), class_weight=class_weight,
                               device=self._target_device())
        self._move_to_device(adapter.device)
        self._prepare_training()
        self.train()
        logs = None
        for batch in adapter.epoch():
            self.reset_metrics()
            logs = self.train_step(batch)
        return self._format_result(logs, return_dict)

    def test_on_batch(self, x, y=None, sample_weight=None, return_dict: bool = False):
        self._ensure_built_for(x)
        if not self.compiled:
            raise RuntimeError("You must call `compile()` before using the model for "
                               "training/evaluation.")
        adapter = ArrayAdapter(x, y, sample_weight, batch_size=_len(x),
                               device=self._target_device())
        self._move_to_device(adapter.device)
        self.reset_metrics()
        self._check_labels_on_next_step()
        logs = None
        with torch.no_grad():
            for batch in adapter.epoch():
                logs = self.test_step(batch)
        return self._format_result(logs, return_dict)

    def predict_on_batch(self, x):
        with torch.no_grad():
            return to_numpy(self.predict_step((x,)))

    def _format_result(self, logs, return_dict: bool):
        logs = materialize(logs)
        if return_dict:
            return logs
        return self._flatten_metrics_in_order(logs)

    def _flatten_metrics_in_order(self, logs: dict):
        """``logs`` as a list in ``metrics`` order (then any other keys, sorted); a lone
        value is returned as it is — Keras's evaluate/train_on_batch result."""
        names = []
        for m in self.metrics:
            if isinstance(m, compile_utils.CompileMetrics):
                # Keras lists the metric objects' own names here: with several outputs
                # the logged keys carry the output's prefix, so those keys land in the
                # sorted tail below — kept, as that is the order Keras returns.
                names.extend(sub.name for sub in m.metrics())
            else:
                names.append(m.name)
        order = list(dict.fromkeys(k for k in names if k in logs))
        order += sorted(k for k in logs if k not in set(order))
        values = [logs[k] for k in order]
        return values[0] if len(values) == 1 else values


def _len(x) -> int:
    while isinstance(x, (list, tuple)):
        x = x[0]
    if isinstance(x, dict):
        return _len(next(iter(x.values())))
    return int(x.shape[0])
