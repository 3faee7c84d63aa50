"""ReduceLROnPlateau: lowers the learning rate when a metric stops improving."""
from __future__ import annotations

import warnings

import numpy as np

from torchkeras.callbacks.learning_rate_scheduler import _optimizers, read_learning_rate
from torchkeras.callbacks.monitor_callback import MonitorCallback


class ReduceLROnPlateau(MonitorCallback):
    """Multiplies the learning rate by ``factor`` after ``patience`` epochs without progress.

    Adds ``learning_rate`` to the epoch logs (so ``History`` records it).

    Args:
        monitor: Quantity to watch.
        factor: New rate = rate * factor (must be < 1).
        patience: Epochs without improvement before reducing.
        verbose: 1 prints a line at each reduction.
        mode: ``"auto"``, ``"min"`` or ``"max"``.
        min_delta: Smallest change counted as an improvement.
        cooldown: Epochs to wait after a reduction before counting again.
        min_lr: Lower bound of the learning rate.

    Example:
        >>> reduce_lr = ReduceLROnPlateau(monitor="val_loss", factor=0.2, patience=5,
        ...                               min_lr=1e-3)
        >>> model.fit(x, y, validation_split=0.2, callbacks=[reduce_lr])
    """

    def __init__(self, monitor: str = "val_loss", factor: float = 0.1, patience: int = 10,
                 verbose: int = 0, mode: str = "auto", min_delta: float = 1e-4,
                 cooldown: int = 0, min_lr: float = 0.0, **kwargs):
        super().__init__(monitor, mode, min_delta=min_delta)
        if factor >= 1.0:
            raise ValueError("ReduceLROnPlateau does not support a factor >= 1.0. Received "
                             "factor=%s" % (factor,))
        if kwargs:
            raise ValueError("ReduceLROnPlateau got unknown argument(s): %s" % sorted(kwargs))
        self.factor = factor
        self.min_lr = min_lr
        self.patience = patience
        self.verbose = verbose
        self.cooldown = cooldown
        self.cooldown_counter = 0
        self.wait = 0

    def _reset(self) -> None:
        self.best = None
        self.cooldown_counter = 0
        self.wait = 0

    def on_train_begin(self, logs=None):
        self._reset()

    def in_cooldown(self) -> bool:
        return self.cooldown_counter > 0

    def _reduce(self, optimizer, epoch: int, name: str = "") -> bool:
        old_lr = read_learning_rate(optimizer)
        # Compare in float32 as the rate is stored: min_lr=1e-4 must stop at 1e-4.
        if old_lr <= np.float32(self.min_lr):
            return False
        new_lr = max(old_lr * self.factor, self.min_lr)
        optimizer.learning_rate = new_lr
        if self.verbose > 0:
            print("\nEpoch %d: ReduceLROnPlateau reducing%s learning rate to %s."
                  % (epoch + 1, " " + name if name else "", new_lr))
        return True

    def on_epoch_end(self, epoch, logs=None):
        if self.monitor_op is None:
            self._set_monitor_op()
        logs = logs if logs is not None else {}
        opts = _optimizers(self.model)
        several = len(opts) > 1
        for opt in opts:
            key = "learning_rate_%s" % opt.name if several else "learning_rate"
            logs[key] = read_learning_rate(opt)
        current = logs.get(self.monitor)
        if current is None:
            warnings.warn("Learning rate reduction is conditioned on metric `%s` which is not "
                          "available. Available metrics are: %s."
                          % (self.monitor, ",".join(list(logs))), stacklevel=2)
            return
        if self.in_cooldown():
            self.cooldown_counter -= 1
            self.wait = 0
        if self._is_improvement(current, self.best):
            self.best = current
            self.wait = 0
        elif not self.in_cooldown():
            self.wait += 1
            if self.wait >= self.patience:
                reduced = False
                for opt in opts:
                    reduced = self._reduce(opt, epoch, opt.name if several else "") or reduced
                if reduced:
                    self.cooldown_counter = self.cooldown
                    self.wait = 0
