"""History: records every epoch's logs; ``fit`` returns it."""
from __future__ import annotations

from torchkeras.callbacks.callback import Callback


class History(Callback):
    """``history.history[key]`` lists one value per epoch; ``history.epoch`` the epochs.

    Example:
        >>> history = model.fit(x, y, epochs=3)
        >>> history.history["loss"]
    """

    def __init__(self):
        super().__init__()
        self.history: dict = {}
        self.epoch: list = []

    def on_train_begin(self, logs=None):
        self.epoch = []

    def on_epoch_end(self, epoch, logs=None):
        self.epoch.append(epoch)
        for k, v in (logs or {}).items():
            self.history.setdefault(k, []).append(v)
        self.model.history = self
