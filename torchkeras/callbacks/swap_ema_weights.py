"""SwapEMAWeights: evaluates (and optionally checkpoints) with the optimizer's EMA weights."""
from __future__ import annotations

import torch

from torchkeras.callbacks.callback import Callback


class SwapEMAWeights(Callback):
    """Swaps the model weights with the optimizer's moving averages around evaluation.

    Needs an optimizer built with ``use_ema=True``. During validation/prediction the
    model holds the averaged weights; training resumes with the raw ones. With
    ``swap_on_epoch=True`` the averages are also in place from each epoch's end to the
    next epoch's start, so callbacks placed after this one (e.g. ``ModelCheckpoint``)
    save the averaged weights; after the last epoch the averages stay in the model.

    Args:
        swap_on_epoch: Also swap at epoch boundaries (see above).

    Example:
        >>> model.compile(optimizer=SGD(use_ema=True), loss="mse")
        >>> model.fit(x, y, validation_data=(vx, vy),
        ...           callbacks=[SwapEMAWeights(swap_on_epoch=True),
        ...                      ModelCheckpoint("best.keras")])
    """

    def __init__(self, swap_on_epoch: bool = False):
        super().__init__()
        self.swap_on_epoch = swap_on_epoch
        self._ema_weights_in_model = False

    def _ema_optimizers(self) -> list:
        opt = self.model.optimizer
        opt = getattr(opt, "inner_optimizer", opt)
        inner = getattr(opt, "optimizers", None)
        if inner:
            chosen = [o for o in inner if getattr(o, "use_ema", False)]
            if not chosen:
                raise ValueError("SwapEMAWeights must be used when at least one inner optimizer "
                                 "has `use_ema=True` set. Received a MultiOptimizer with all "
                                 "inner optimizers having `use_ema=False`.")
        else:
            chosen = [opt]
        for o in chosen:
            ema = getattr(o, "ema_variables", None)
            if ema is None or ema() is None:
                raise ValueError("SwapEMAWeights must be used when `use_ema=True` is set on the "
                                 "optimizer. Received: use_ema=%s" % getattr(o, "use_ema", None))
        return chosen

    def _swap(self) -> None:
        with torch.no_grad():
            for opt in self._ema_optimizers():
                weights, averages = opt.ema_variables()
                if not weights:
                    continue
                # An exact exchange (no w + a - a rounding): copy through a temporary.
                saved = [w.clone() for w in weights]
                torch._foreach_copy_(weights, averages)
                torch._foreach_copy_(averages, saved)

    def _finalize(self) -> None:
        # The model keeps the averages: make the stored averages equal to them too.
        with torch.no_grad():
            for opt in self._ema_optimizers():
                weights, averages = opt.ema_variables()
                if weights:
                    torch._foreach_copy_(averages, weights)

    def on_epoch_begin(self, epoch, logs=None):
        if self.swap_on_epoch and self._ema_weights_in_model:
            self._swap()
            self._ema_weights_in_model = False

    def on_epoch_end(self, epoch, logs=None):
        if self.swap_on_epoch and not self._ema_weights_in_model:
            self._swap()
            self._ema_weights_in_model = True
            if epoch == self.params.get("epochs", 0) - 1:
                self._finalize()

    def on_test_begin(self, logs=None):
        if not self._ema_weights_in_model:
            self._swap()
            self._ema_weights_in_model = True

    def on_test_end(self, logs=None):
        if self._ema_weights_in_model:
            self._swap()
            self._ema_weights_in_model = False

    def on_predict_begin(self, logs=None):
        if not self._ema_weights_in_model:
            self._swap()
            self._ema_weights_in_model = True

    def on_predict_end(self, logs=None):
        if self._ema_weights_in_model:
            self._swap()
            self._ema_weights_in_model = False
