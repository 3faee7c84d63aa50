"""LossTracker: the trainer's handle on the ``Mean`` that ``fit``/``evaluate`` log as
``loss``."""
from __future__ import annotations

import torch

from torchkeras.metrics.reduction_metrics import Mean


class LossTracker:
    """The contract between the training steps and the loss metric.

    ``metric`` is the plain ``Mean`` that users see as ``model.metrics[0]`` (as in Keras);
    the steps call :meth:`update` once per batch. With a Python ``count`` (the batch size)
    the term waits in the Mean's buffer on the device and is folded in when anything reads
    the state (``result``, ``total``, ``count``, ``variables``) or after 256 steps, so a
    step costs no bookkeeping op and no host sync. This class may use ``Mean``'s buffer
    methods: both live in ``torchkeras.metrics``, where that contract is documented.

    Args:
        name: Metric name (``"loss"`` for the model's tracker).
        dtype: dtype of the running total and count.

    Example:
        >>> t = LossTracker(name="loss")
        >>> t.update(torch.tensor(1.0), 4)
        >>> t.update(torch.tensor(2.0), 2)
        >>> round(float(t.result()), 4)   # (1 * 4 + 2 * 2) / 6
        1.3333
    """

    def __init__(self, name: str = "loss", dtype=None):
        self.metric = Mean(name=name, dtype=dtype)

    def update(self, value: torch.Tensor, count) -> None:
        """Adds one batch: ``total += value * count``, ``count += count``.

        Args:
            value: A 0-d tensor, e.g. the mean loss of a batch (detached here if needed).
            count: A Python number (buffered) or a 0-d tensor, e.g. the batch size.
        """
        metric = self.metric
        if type(count) is int or type(count) is float:
            # Mean._defer's body inlined: this runs once per training/test step.
            d = metric.__dict__
            buf = d["_buf"]
            buf.append((value.detach() if value.requires_grad else value, count))
            d["_pending"] += count
            if len(buf) >= 256:
                metric._flush()
        elif isinstance(count, torch.Tensor):
            with torch.no_grad():
                metric.total.add_(value.detach() * count)
                metric.count.add_(count)
        else:
            metric._defer(value.detach() if value.requires_grad else value, count, count)

    def result(self) -> torch.Tensor:
        """The mean loss so far (a device tensor)."""
        return self.metric.result()

    def reset(self) -> None:
        """Zero total and count, drop the buffer (``metric.reset_state()``)."""
        self.metric.reset_state()
