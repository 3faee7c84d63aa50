"""BackupAndRestore: resumes an interrupted ``fit`` exactly where its last backup left it."""
from __future__ import annotations

import contextlib
import os
import re
import shutil

from torchkeras.callbacks import training_state as ts
from torchkeras.callbacks.callback import Callback
from torchkeras.callbacks.model_checkpoint import is_chief
from torchkeras.saving import file_utils

_FILE = "training_state.safetensors"


class BackupAndRestore(Callback):
    """Backs up the training state so a killed run restarted with the same script
    continues from the last backup instead of from scratch.

    A backup holds the model's state dict, the optimizer's state, the epoch and step,
    the metric accumulators and every random generator (torch CPU/CUDA, numpy, Python,
    seeded layers), including those from the start of the current epoch, so the
    resumed run draws the same shuffling order, skips the batches already trained and
    continues with the same dropout masks: on the CPU its final weights equal an
    uninterrupted run's. Each backup is one file written to a temporary name and
    renamed, so a crash never leaves a half-written backup.

    Args:
        backup_dir: Folder for the backup (use it for nothing else).
        save_freq: ``"epoch"`` (back up after every epoch), an integer (every this many
            training batches), or ``False`` (never back up: only restore).
        double_checkpoint: Keep the previous backup too and fall back to it if the
            latest cannot be read.
        delete_checkpoint: Delete the backup when ``fit`` finishes.

    Example:
        >>> backup = BackupAndRestore("/tmp/backup", save_freq=100)
        >>> model.fit(x, y, epochs=10, callbacks=[backup])   # rerun after a crash: resumes
    """

    # Never reads batch logs: the loop need not materialise them for this callback.
    _reads_lazy_logs = True

    def __init__(self, backup_dir, save_freq="epoch", double_checkpoint: bool = False,
                 delete_checkpoint: bool = True):
        super().__init__()
        if not backup_dir:
            raise ValueError("Empty `backup_dir` argument passed")
        if save_freq is not False and save_freq != "epoch" and (
                isinstance(save_freq, bool) or not isinstance(save_freq, int) or save_freq < 1):
            raise ValueError("Invalid value for argument `save_freq`. Received: save_freq=%s. "
                             "Expected either 'epoch' or an integer value." % (save_freq,))
        self.backup_dir = os.fspath(backup_dir)
        self.save_freq = save_freq
        self.double_checkpoint = double_checkpoint
        self.delete_checkpoint = delete_checkpoint
        self._path = os.path.join(self.backup_dir, _FILE)
        self._prev_path = self._path + ".bkp"
        self._reset_counters()

    def _reset_counters(self) -> None:
        self._batches_seen_since_last_saving = 0
        self._last_batch_seen = None
        self._current_epoch = 0
        self._epoch_rng = None
        self._due = False          # a batch-level backup is owed at the next event
        self._pending = None       # state to put back before the first resumed step
        self._resume_at = None     # (epoch, step) that fit must start from

    # ------------------------------------------------------------------ restore
    def on_train_begin(self, logs=None):
        self._reset_counters()
        if not self.model.built:
            raise ValueError("To use the BackupAndRestore callback, you model must be built "
                             "before you call `fit()`. Model %s is unbuilt. You can build it "
                             "beforehand by calling it on a batch of data." % self.model.name)
        from torchkeras import distribute
        distribute.barrier()   # rank 0's last backup is on disk before any rank reads it
        if is_chief():
            self._remove_stale_temps()
        loaded = self._load()
        if loaded is None:
            return
        tensors, info = loaded
        ts.restore_model(self.model, tensors, info.get("model_keys"))
        ts.restore_optimizer(self.model.optimizer, self.model, tensors)
        epoch, step = int(info["epoch"]), int(info["step"])
        self._batches_seen_since_last_saving = int(info.get("batches_since_save", 0))
        last = info.get("last_batch_seen")
        self._last_batch_seen = None if last is None else int(last)
        # The loop starts at this epoch and skips the first `step` batches (same order).
        self.model._initial_epoch = epoch
        self.model._initial_step = step
        self._resume_at = (epoch, step)
        if step == 0:
            ts.restore_rng(_sub(tensors, "rng/now/"), info["rng"]["now"], self.model)
        else:
            # The epoch's shuffle is drawn from the generators as they were at its start;
            # the state at the backup is put back once the trained batches are skipped.
            ts.restore_rng(_sub(tensors, "rng/epoch/"), info["rng"]["epoch"], self.model)
            self._pending = (tensors, info)

    def _remove_stale_temps(self) -> None:
        """Temporary files of runs killed while writing a backup (so the folder can go)."""
        for path in (self._path, self._prev_path):
            file_utils.remove_stale_temps(path)
        if not os.path.isdir(self.backup_dir):
            return
        # Names earlier versions used: `<file>.tmp-<pid>`, `<file>.bkp.tmp`, and
        # safetensors' own `.tmpXXXXXX`; the folder holds nothing but backups.
        stale = re.compile(r"%s(\.tmp-\d+|\.bkp\.tmp)|\.tmp[0-9A-Za-z]{6}" % re.escape(_FILE))
        for name in os.listdir(self.backup_dir):
            if stale.fullmatch(name):
                with contextlib.suppress(OSError):
                    os.remove(os.path.join(self.backup_dir, name))

    def _load(self):
        if not os.path.exists(self._path):
            return None
        try:
            return ts.read_state(self._path)
        except OSError:
            if not (self.double_checkpoint and os.path.exists(self._prev_path)):
                raise
            shutil.copyfile(self._prev_path, self._path)
            return ts.read_state(self._path)

    def on_epoch_begin(self, epoch, logs=None):
        if self._resume_at is not None:
            expected = self._resume_at[0]
            self._resume_at = None
            # The loop reads these right after on_train_begin; clear them for later fits.
            self.model._initial_epoch = None
            self.model._initial_step = None
            if epoch != expected:
                raise RuntimeError(
                    "BackupAndRestore restored the state at epoch %d, but fit() started epoch "
                    "%d: this training loop does not honour `model._initial_epoch`."
                    % (expected, epoch))
        self._current_epoch = epoch
        self._epoch_rng = ts.capture_rng(self.model) if self.save_freq not in ("epoch", False) \
            else None

    def on_train_batch_begin(self, batch, logs=None):
        if self._pending is not None:
            tensors, info = self._pending
            self._pending = None
            if batch != int(info["step"]):
                raise RuntimeError(
                    "BackupAndRestore restored the state after step %d of epoch %d, but fit() "
                    "resumed at step %d: this training loop does not honour "
                    "`model._initial_step`." % (int(info["step"]), int(info["epoch"]), batch))
            ts.restore_rng(_sub(tensors, "rng/now/"), info["rng"]["now"], self.model)
            ts.restore_metrics(self.model, tensors)
            return
        if self._due:
            self._due = False
            self._save(self._current_epoch, batch)

    # ------------------------------------------------------------------ backup
    def on_train_batch_end(self, batch, logs=None):
        if self.save_freq in ("epoch", False):
            return
        if self._last_batch_seen is None or batch <= self._last_batch_seen:
            added = batch + 1
        else:
            added = batch - self._last_batch_seen
        self._batches_seen_since_last_saving += added
        self._last_batch_seen = batch
        if self._batches_seen_since_last_saving >= self.save_freq:
            self._batches_seen_since_last_saving = 0
            # Written at the next batch's start (or the epoch's end, if this was the
            # last batch), where a resumed run can pick up with nothing left to replay.
            self._due = True

    def on_epoch_end(self, epoch, logs=None):
        if self.save_freq == "epoch" or self._due:
            self._due = False
            self._save(epoch + 1, 0)

    def _save(self, epoch: int, step: int) -> None:
        if not is_chief():
            return
        tensors = ts.capture_model(self.model)
        tensors.update(ts.capture_optimizer(self.model.optimizer))
        now, now_info = ts.capture_rng(self.model)
        tensors.update({"rng/now/" + k: v for k, v in now.items()})
        rng_info = {"now": now_info}
        if step:
            tensors.update(ts.capture_metrics(self.model))
            epoch_rng, epoch_info = self._epoch_rng
            tensors.update({"rng/epoch/" + k: v for k, v in epoch_rng.items()})
            rng_info["epoch"] = epoch_info
        info = {"epoch": epoch, "step": step, "rng": rng_info,
                "model_keys": list(self.model.state_dict().keys()),
                "batches_since_save": self._batches_seen_since_last_saving,
                "last_batch_seen": self._last_batch_seen}
        if self.double_checkpoint and os.path.exists(self._path):
            with file_utils.atomic_path(self._prev_path) as tmp:
                shutil.copyfile(self._path, tmp)
        ts.write_state(self._path, tensors, info)

    def on_train_end(self, logs=None):
        self._pending = None
        if self._resume_at is not None:   # resumed past the last epoch: nothing ran
            self._resume_at = None
            self.model._initial_epoch = None
            self.model._initial_step = None
        if not (self.delete_checkpoint and is_chief()):
            return
        for path in (self._path, self._prev_path):
            if os.path.exists(path):
                os.remove(path)
        try:
            os.rmdir(self.backup_dir)   # only if nothing else lives there
        except OSError:
            pass


def _sub(tensors: dict, prefix: str) -> dict:
    return {k[len(prefix):]: v for k, v in tensors.items() if k.startswith(prefix)}
