"""ModelCheckpoint: saves the model or its weights during training."""
from __future__ import annotations

import os
import warnings

from torchkeras.callbacks.callback_list import materialize
from torchkeras.callbacks.monitor_callback import MonitorCallback

_WEIGHTS_SUFFIXES = (".weights.h5", ".weights.safetensors", ".safetensors")
_MODEL_SUFFIXES = (".keras",)


def is_chief() -> bool:
    """True unless this is a non-zero rank of a ``torch.distributed`` run."""
    import torch.distributed as dist
    return not (dist.is_available() and dist.is_initialized() and dist.get_rank() != 0)


class ModelCheckpoint(MonitorCallback):
    """Saves the whole model (``.keras``) or its weights at the end of epochs or batches.

    ``filepath`` may hold ``str.format`` fields filled from the logs, the 1-based
    ``epoch`` and, with batch-level saving, the 1-based ``batch``:
    ``"ckpt/{epoch:02d}-{val_loss:.2f}.keras"``. Missing folders are created.

    Args:
        filepath: Where to save. Whole models need ``.keras``; with
            ``save_weights_only=True`` the name must end in ``.weights.h5``,
            ``.weights.safetensors`` or ``.safetensors``.
        monitor: Metric judged by ``save_best_only``.
        verbose: 1 prints a line for every save decision.
        save_best_only: Save only when ``monitor`` improves on the best value so far.
        save_weights_only: Save weights (``model.save_weights``) instead of the model.
        mode: ``"auto"``, ``"min"`` or ``"max"``.
        save_freq: ``"epoch"``, or save every this many training batches.
        initial_value_threshold: Starting "best" value for ``save_best_only``.

    Example:
        >>> ckpt = ModelCheckpoint("ckpt/{epoch:02d}-{val_loss:.2f}.keras",
        ...                        monitor="val_loss", save_best_only=True)
        >>> model.fit(x, y, validation_split=0.2, epochs=10, callbacks=[ckpt])
    """

    # Batch logs stay on the device until a save needs them (see CallbackList).
    _reads_lazy_logs = True

    def __init__(self, filepath, monitor: str = "val_loss", verbose: int = 0,
                 save_best_only: bool = False, save_weights_only: bool = False,
                 mode: str = "auto", save_freq="epoch", initial_value_threshold=None):
        super().__init__(monitor, mode, initial_value_threshold)
        self.verbose = verbose
        self.filepath = os.fspath(filepath)
        self.save_best_only = save_best_only
        self.save_weights_only = save_weights_only
        self.save_freq = save_freq
        self._batches_seen_since_last_saving = 0
        self._last_batch_seen = None
        self._current_epoch = 0
        if save_freq != "epoch" and (isinstance(save_freq, bool) or not isinstance(save_freq, int)
                                     or save_freq <= 0):
            raise ValueError("Unrecognized save_freq: %s. Expected save_freq are 'epoch' or "
                             "integer values" % (save_freq,))
        if save_weights_only:
            if not self.filepath.endswith(_WEIGHTS_SUFFIXES):
                raise ValueError(
                    "When using `save_weights_only=True` in `ModelCheckpoint`, the filepath "
                    "provided must end in `.weights.h5` (Keras weights format) or "
                    "`.weights.safetensors`/`.safetensors`. Received: filepath=%s"
                    % self.filepath)
        elif not self.filepath.endswith(_MODEL_SUFFIXES):
            raise ValueError("The filepath provided must end in `.keras` (Keras model format). "
                             "Received: filepath=%s" % self.filepath)

    # ------------------------------------------------------------------ events
    def on_epoch_begin(self, epoch, logs=None):
        self._current_epoch = epoch

    def on_train_batch_end(self, batch, logs=None):
        if self._should_save_on_batch(batch):
            self._save_model(self._current_epoch, batch, materialize(logs))

    def on_epoch_end(self, epoch, logs=None):
        if self.save_freq == "epoch":
            self._save_model(epoch, None, logs)

    # ------------------------------------------------------------------ decisions
    def _should_save_on_batch(self, batch: int) -> bool:
        if self.save_freq == "epoch":
            return False
        if self._last_batch_seen is None or batch <= self._last_batch_seen:
            added = batch + 1   # a new epoch started: batches are 0-based
        else:
            added = batch - self._last_batch_seen
        self._batches_seen_since_last_saving += added
        self._last_batch_seen = batch
        if self._batches_seen_since_last_saving >= self.save_freq:
            self._batches_seen_since_last_saving = 0
            return True
        return False

    def _should_save_model(self, epoch: int, logs: dict, filepath: str) -> bool:
        if not self.save_best_only:
            if self.verbose > 0:
                print("\nEpoch %d: saving model to %s" % (epoch + 1, filepath))
            return True
        current = logs.get(self.monitor)
        if current is None:
            warnings.warn("Can save best model only with %s available." % self.monitor,
                          stacklevel=3)
            return True
        if getattr(current, "ndim", 0):
            warnings.warn("Can save best model only when `monitor` is a scalar value. "
                          "Received: %s. Falling back to `save_best_only=False`." % (current,),
                          stacklevel=3)
            return True
        if self.monitor_op is None:
            self._set_monitor_op()
        best = "None" if self.best is None else "%.5f" % self.best
        if self._is_improvement(current, self.best):
            if self.verbose > 0:
                print("\nEpoch %d: %s improved from %s to %.5f, saving model to %s"
                      % (epoch + 1, self.monitor, best, current, filepath))
            self.best = current
            return True
        if self.verbose > 0:
            print("\nEpoch %d: %s did not improve from %s" % (epoch + 1, self.monitor, best))
        return False

    def _get_file_path(self, epoch: int, batch, logs: dict) -> str:
        try:
            if batch is None or "batch" in logs:
                return self.filepath.format(epoch=epoch + 1, **logs)
            return self.filepath.format(epoch=epoch + 1, batch=batch + 1, **logs)
        except KeyError as e:
            raise KeyError('Failed to format this callback filepath: "%s". Reason: %s'
                           % (self.filepath, e)) from None

    def _save_model(self, epoch: int, batch, logs) -> None:
        logs = logs or {}
        filepath = self._get_file_path(epoch, batch, logs)
        if os.path.isdir(filepath):
            raise IOError("Please specify a non-directory filepath for ModelCheckpoint. "
                          "Filepath used is an existing directory: %s" % filepath)
        if not self._should_save_model(epoch, logs, filepath) or not is_chief():
            return
        folder = os.path.dirname(filepath)
        if folder:
            os.makedirs(folder, exist_ok=True)
        if self.save_weights_only:
            self.model.save_weights(filepath, overwrite=True)
        else:
            self.model.save(filepath, overwrite=True)
        if self.verbose > 0:
            print("\nEpoch %d: finished saving model to %s" % (epoch + 1, filepath))
