"""TerminateOnNaN: stops training when the loss becomes NaN or infinite."""
from __future__ import annotations

import math

import torch

from torchkeras.callbacks.callback import Callback


class TerminateOnNaN(Callback):
    """Stops training (or raises) as soon as a batch's loss is NaN or infinite.

    On CUDA the check reads the previous batch's flag through a pinned buffer, so the
    loop never waits for the current step: training stops one batch after the bad
    loss at the latest. On the CPU the check is immediate.

    Args:
        raise_error: Raise a ``RuntimeError`` instead of setting ``stop_training``.

    Example:
        >>> model.fit(x, y, callbacks=[TerminateOnNaN()])
    """

    # Reads device-side logs itself (see CallbackList).
    _reads_lazy_logs = True

    def __init__(self, raise_error: bool = False):
        super().__init__()
        self.raise_error = raise_error
        self._pending = None   # (batch, flag buffer, event, loss tensor) of a CUDA batch

    def on_train_begin(self, logs=None):
        self._pending = None

    def on_train_batch_end(self, batch, logs=None):
        logs = logs() if callable(logs) else (logs or {})
        loss = logs.get("loss")
        if loss is None:
            return
        if isinstance(loss, torch.Tensor) and loss.device.type == "cuda":
            self._check_pending()
            flag = torch.empty((), dtype=torch.bool, pin_memory=True)
            flag.copy_(~torch.isfinite(loss.detach()).all(), non_blocking=True)
            event = torch.cuda.Event()
            event.record()
            self._pending = (batch, flag, event, loss)
            return
        value = float(loss)
        if math.isnan(value) or math.isinf(value):
            self._terminate(batch, value)

    def on_epoch_end(self, epoch, logs=None):
        self._check_pending()

    def on_train_end(self, logs=None):
        self._pending = None

    def _check_pending(self) -> None:
        if self._pending is None:
            return
        batch, flag, event, loss = self._pending
        self._pending = None
        event.synchronize()
        if bool(flag):
            self._terminate(batch, float(loss))

    def _terminate(self, batch: int, value: float) -> None:
        if self.raise_error:
            raise RuntimeError("NaN or Inf loss encountered at batch %d. Loss value: %s. "
                               "Terminating training immediately." % (batch, value))
        print("Batch %d: Invalid loss, terminating training" % batch)
        self.model.stop_training = True
