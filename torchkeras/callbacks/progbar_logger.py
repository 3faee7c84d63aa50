"""ProgbarLogger: prints the progress bar (verbose 1) or one line per epoch (verbose 2)."""
from __future__ import annotations

from torchkeras.callbacks.callback import Callback
from torchkeras.callbacks.logs import materialize
from torchkeras.utils.progbar import Progbar


class ProgbarLogger(Callback):
    """Prints metrics to stdout; batch values are read only when the bar is redrawn.

    ``fit``/``evaluate``/``predict`` add it when ``verbose`` is not 0.
    """

    # The loop hands this callback device-side logs; it reads them a few times a second.
    _reads_lazy_logs = True

    def __init__(self):
        super().__init__()
        self.verbose = 1
        self.epochs = 1
        self.progbar = None
        self._mode = "train"

    def set_params(self, params):
        super().set_params(params)
        verbose = params.get("verbose", 1)
        self.verbose = 1 if verbose == "auto" else verbose
        self.epochs = params.get("epochs", 1)

    def _start(self, target, mode):
        self._mode = mode
        self.progbar = Progbar(target=target, verbose=self.verbose,
                               unit_name="step")

    def on_train_begin(self, logs=None):
        pass

    def on_epoch_begin(self, epoch, logs=None):
        self._start(self.params.get("steps"), "train")
        if self.verbose and self.epochs > 1:
            print("Epoch %d/%d" % (epoch + 1, self.epochs))

    def on_train_batch_end(self, batch, logs=None):
        self._update(batch + 1, logs)

    def on_test_begin(self, logs=None):
        if self._mode != "train" or self.progbar is None:
            self._start(self.params.get("steps"), "test")

    def on_test_batch_end(self, batch, logs=None):
        if self._mode == "test":
            self._update(batch + 1, logs)

    def on_test_end(self, logs=None):
        if self._mode == "test":
            self._finish(logs)

    def on_predict_begin(self, logs=None):
        self._start(self.params.get("steps"), "predict")

    def on_predict_batch_end(self, batch, logs=None):
        self._update(batch + 1, None)

    def on_predict_end(self, logs=None):
        self._finish(None)

    def on_epoch_end(self, epoch, logs=None):
        self._finish(logs)

    def _update(self, step, logs):
        if self.progbar is None:
            return
        self.progbar.update(step, values=(lambda: _items(logs)) if logs else None,
                            finalize=False)

    def _finish(self, logs):
        if self.progbar is None:
            return
        target = self.progbar.target or self.progbar.seen
        self.progbar.target = target
        self.progbar.update(target, values=_items(logs) if logs else None, finalize=True)
        self.progbar = None


def _items(logs) -> list:
    # Read at most a few times a second: one host transfer per redraw. Nested results
    # (a custom train_step returning compile_metrics' dict) are flattened as in Keras.
    values = materialize(logs)
    return [(k, v) for k, v in values.items() if isinstance(v, (int, float))]
