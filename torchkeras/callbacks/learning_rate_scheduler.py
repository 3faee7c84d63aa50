"""LearningRateScheduler: sets the learning rate from a function of the epoch."""
from __future__ import annotations

import numpy as np

from torchkeras.callbacks.callback import Callback


def _optimizers(model) -> list:
    """The optimizers whose rate a callback drives (inner ones of wrappers)."""
    opt = getattr(model, "optimizer", None)
    if opt is None:
        raise ValueError("The model has no optimizer: compile() it before using learning-rate "
                         "callbacks.")
    opt = getattr(opt, "inner_optimizer", opt)
    inner = getattr(opt, "optimizers", None)
    return list(inner) if inner else [opt]


def read_learning_rate(optimizer) -> float:
    """The optimizer's current learning rate as a Python float."""
    if not hasattr(optimizer, "learning_rate"):
        raise ValueError('Optimizer must have a "learning_rate" attribute.')
    return float(optimizer.learning_rate)


class LearningRateScheduler(Callback):
    """At each epoch's start, sets ``lr = schedule(epoch, lr)`` (or ``schedule(epoch)``).

    Adds ``learning_rate`` to the epoch logs.

    Args:
        schedule: Function of the 0-based epoch index and the current rate returning a
            float (a one-argument ``schedule(epoch)`` works too).
        verbose: 1 prints the new rate each epoch.

    Example:
        >>> def schedule(epoch, lr):
        ...     return lr if epoch < 10 else lr * 0.9
        >>> model.fit(x, y, epochs=15, callbacks=[LearningRateScheduler(schedule)])
    """

    def __init__(self, schedule, verbose: int = 0):
        super().__init__()
        if not callable(schedule):
            raise ValueError("LearningRateScheduler expects a callable schedule, got %r"
                             % (schedule,))
        self.schedule = schedule
        self.verbose = verbose

    def _update(self, optimizer, epoch: int) -> float:
        current = read_learning_rate(optimizer)
        try:
            lr = self.schedule(epoch, current)
        except TypeError:
            # Keras also accepts schedule(epoch).
            lr = self.schedule(epoch)
        if hasattr(lr, "detach") and getattr(lr, "ndim", 1) == 0:
            lr = float(lr)
        if not isinstance(lr, (float, np.float32, np.float64)):
            raise ValueError("The output of the `schedule` function should be a float. Got: %s"
                             % (lr,))
        optimizer.learning_rate = float(lr)
        return float(lr)

    def on_epoch_begin(self, epoch, logs=None):
        opts = _optimizers(self.model)
        for opt in opts:
            lr = self._update(opt, epoch)
            if self.verbose > 0:
                who = " %s" % opt.name if len(opts) > 1 else ""
                print("\nEpoch %d: LearningRateScheduler setting%s learning rate to %s."
                      % (epoch + 1, who, lr))

    def on_epoch_end(self, epoch, logs=None):
        if logs is None:
            return
        opts = _optimizers(self.model)
        for opt in opts:
            key = "learning_rate_%s" % opt.name if len(opts) > 1 else "learning_rate"
            logs[key] = read_learning_rate(opt)
