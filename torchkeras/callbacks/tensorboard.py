"""TensorBoard: training curves, weights, graph and profiles for TensorBoard."""
from __future__ import annotations

import os
import time
import warnings

from torchkeras.callbacks import tensorboard_summaries as tbs
from torchkeras.callbacks.callback import Callback
from torchkeras.callbacks.callback_list import materialize
from torchkeras.callbacks.model_checkpoint import is_chief
from torchkeras.utils.image_logging import image_summary


class TensorBoard(Callback):
    """Writes TensorBoard logs through ``torch.utils.tensorboard``.

    Runs ``<log_dir>/train`` and ``<log_dir>/validation`` get Keras's tags:
    ``epoch_loss``, ``epoch_<metric>``, ``epoch_learning_rate`` (and
    ``epoch_steps_per_second``) once per epoch, ``batch_<name>`` every
    ``update_freq`` batches, and ``evaluation_<name>_vs_iterations`` after each
    evaluation. View them with ``tensorboard --logdir <log_dir>``.

    Batch values are read from the device only on the batches that are written, so
    ``update_freq=100`` costs one host sync per 100 steps.

    Args:
        log_dir: Root folder of the runs.
        histogram_freq: Write weight histograms every this many epochs (0: never).
        write_graph: Write the model graph: the Keras config (TensorBoard's conceptual
            graph) and torch's traced op graph.
        write_images: With ``histogram_freq``, also write weights as images.
        write_steps_per_second: Also log training speed.
        update_freq: ``"epoch"``, ``"batch"`` or an integer number of batches between
            batch-level writes.
        profile_batch: Profile these training batches with ``torch.profiler``: an
            integer, ``"start,stop"`` or ``(start, stop)`` (1-based; 0 disables). The
            trace lands in ``<log_dir>/train``.
        embeddings_freq: Write ``Embedding`` layers to the projector every this many
            epochs (0: never).
        embeddings_metadata: Label file for the projector (one per line), or a dict of
            layer name to file.

    Example:
        >>> tb = TensorBoard(log_dir="logs", histogram_freq=1, update_freq=50)
        >>> model.fit(x, y, epochs=5, validation_split=0.1, callbacks=[tb])
        >>> # then: tensorboard --logdir logs
    """

    # Batch logs stay on the device except on the batches that are written.
    _reads_lazy_logs = True

    def __init__(self, log_dir="logs", histogram_freq: int = 0, write_graph: bool = True,
                 write_images: bool = False, write_steps_per_second: bool = False,
                 update_freq="epoch", profile_batch=0, embeddings_freq: int = 0,
                 embeddings_metadata=None):
        super().__init__()
        self.log_dir = os.fspath(log_dir)
        self.histogram_freq = _non_negative_int("histogram_freq", histogram_freq)
        self.write_graph = write_graph
        self.write_images = write_images
        self.write_steps_per_second = write_steps_per_second
        if update_freq == "batch":
            update_freq = 1
        if update_freq != "epoch" and (isinstance(update_freq, bool)
                                       or not isinstance(update_freq, int) or update_freq < 1):
            raise ValueError("update_freq must be 'epoch', 'batch' or a positive integer, got %r"
                             % (update_freq,))
        self.update_freq = update_freq
        self.embeddings_freq = _non_negative_int("embeddings_freq", embeddings_freq)
        self.embeddings_metadata = embeddings_metadata
        self._start_batch, self._stop_batch = tbs.parse_profile_batch(profile_batch)
        self._should_trace = not (self._start_batch == 0 and self._stop_batch == 0)
        self._train_dir = os.path.join(self.log_dir, "train")
        self._val_dir = os.path.join(self.log_dir, "validation")
        self._writers: dict = {}
        self._profiler = tbs.BatchProfiler(self._train_dir)
        self._graph_written = False
        self._global_train_batch = 0
        self._epoch_start_time = 0.0
        self._epoch_start_iterations = 0
        self._rate_mark = (0.0, 0)   # (time, global batch) of the last batch-level write

    # ------------------------------------------------------------------ writers
    def _writer(self, key: str):
        writer = self._writers.get(key)
        if writer is None:
            from torch.utils.tensorboard import SummaryWriter
            writer = SummaryWriter(self._train_dir if key == "train" else self._val_dir)
            self._writers[key] = writer
        return writer

    @property
    def _train_writer(self):
        return self._writer("train")

    @property
    def _val_writer(self):
        return self._writer("val")

    def _close_writers(self) -> None:
        for writer in self._writers.values():
            writer.close()
        self._writers = {}

    # ------------------------------------------------------------------ train
    def on_train_begin(self, logs=None):
        self._global_train_batch = 0
        if self.write_graph and not self._graph_written and is_chief():
            self._graph_written = True
            writer = self._train_writer
            tbs.keras_model_summary(writer, self.model, step=0)
            tbs.write_op_graph(writer, self.model)
            writer.flush()
        self._rate_mark = (time.perf_counter(), 0)

    def on_train_end(self, logs=None):
        if self._profiler.active:
            self._profiler.stop()
        self._close_writers()

    def on_epoch_begin(self, epoch, logs=None):
        if self.write_steps_per_second:
            self._epoch_start_iterations = self._iterations()
            self._epoch_start_time = time.perf_counter()

    def on_train_batch_begin(self, batch, logs=None):
        self._global_train_batch += 1
        if not self._should_trace:
            return
        if self._global_train_batch == self._start_batch and not self._profiler.active:
            self._profiler.start()
        if self._profiler.active:
            self._profiler.begin_batch(batch)

    def on_train_batch_end(self, batch, logs=None):
        step = self._global_train_batch
        if self._profiler.active:
            self._profiler.end_batch()
            if step >= self._stop_batch:
                self._profiler.stop()
                self._should_trace = False
        if self.update_freq == "epoch" or step % self.update_freq or not is_chief():
            return
        values = materialize(logs)   # the one host sync of this batch
        writer = self._train_writer
        if self.write_steps_per_second:
            now = time.perf_counter()
            last_time, last_step = self._rate_mark
            if now > last_time:
                writer.add_scalar("batch_steps_per_second", (step - last_step) / (now - last_time),
                                  step)
            self._rate_mark = (now, step)
        for name, value in values.items():
            writer.add_scalar("batch_" + name, float(value), step)

    def on_epoch_end(self, epoch, logs=None):
        if not is_chief():
            return
        self._log_epoch_metrics(epoch, logs or {})
        if self.histogram_freq and epoch % self.histogram_freq == 0:
            self._log_weights(epoch)
        if self.embeddings_freq and epoch % self.embeddings_freq == 0:
            self._log_embeddings(epoch)
        for writer in self._writers.values():
            writer.flush()

    # ------------------------------------------------------------------ test
    def on_test_end(self, logs=None):
        optimizer = getattr(self.model, "optimizer", None)
        if not logs or optimizer is None or not hasattr(optimizer, "iterations") \
                or not is_chief():
            return
        step = self._iterations()
        writer = self._val_writer
        for name, value in logs.items():
            writer.add_scalar("evaluation_%s_vs_iterations" % name, float(value), step)
        writer.flush()

    # ------------------------------------------------------------------ helpers
    def _iterations(self) -> int:
        opt = getattr(self.model, "optimizer", None)
        if opt is None or not hasattr(opt, "iterations"):
            return self._global_train_batch
        return int(opt.iterations)

    def _learning_rates(self) -> dict:
        opt = getattr(self.model, "optimizer", None)
        if opt is None:
            return {}
        opt = getattr(opt, "inner_optimizer", opt)
        inner = getattr(opt, "optimizers", None)
        if inner:
            return {"learning_rate_%s" % o.name: float(o.learning_rate) for o in inner}
        if hasattr(opt, "learning_rate"):
            return {"learning_rate": float(opt.learning_rate)}
        return {}

    def _log_epoch_metrics(self, epoch: int, logs: dict) -> None:
        if not logs:
            return
        train = {k: v for k, v in logs.items() if not k.startswith("val_")}
        val = {k[4:]: v for k, v in logs.items() if k.startswith("val_")}
        train.update(self._learning_rates())
        if self.write_steps_per_second:
            seconds = time.perf_counter() - self._epoch_start_time
            steps = self._iterations() - self._epoch_start_iterations
            train["steps_per_second"] = steps / seconds if seconds > 0 else 0.0
        if train:
            writer = self._train_writer
            for name, value in train.items():
                writer.add_scalar("epoch_" + name, float(value), epoch)
        if val:
            writer = self._val_writer
            for name, value in val.items():
                writer.add_scalar("epoch_" + name, float(value), epoch)

    def _log_weights(self, epoch: int) -> None:
        from torchkeras import config as _config
        writer = self._train_writer
        channels_last = _config.image_data_format() == "channels_last"
        for name, owner, key, p in tbs.layer_weights(self.model):
            values = owner.keras_layout(key, p.detach()).float().cpu().numpy()
            writer.add_histogram(name + "/histogram", values, epoch)
            if self.write_images:
                images = tbs.weight_as_images(values, channels_last)
                if images is not None:
                    writer._get_file_writer().add_summary(
                        image_summary(name + "/image", images), epoch)

    def _log_embeddings(self, epoch: int) -> None:
        metadata = self.embeddings_metadata
        found = []
        for layer in getattr(self.model, "layers", []):
            table = getattr(layer, "embeddings", None)
            if type(layer).__name__ != "Embedding" or table is None:
                continue
            found.append(layer.name)
            path = metadata if isinstance(metadata, str) else (metadata or {}).get(layer.name)
            labels = _read_labels(path, int(table.shape[0])) if path else None
            self._train_writer.add_embedding(table.detach().float().cpu(), metadata=labels,
                                             tag=layer.name, global_step=epoch)
        if isinstance(metadata, dict):
            unknown = sorted(set(metadata) - set(found))
            if unknown:
                raise ValueError("Unrecognized `Embedding` layer names passed to "
                                 "`keras.callbacks.TensorBoard` `embeddings_metadata` "
                                 "argument: %s" % unknown)


def _read_labels(path: str, rows: int):
    with open(path, "r", encoding="utf-8") as f:
        labels = [line.rstrip("\n") for line in f]
    if len(labels) == rows + 1:
        labels = labels[1:]   # a header line
    if len(labels) != rows:
        warnings.warn("Embedding metadata %s has %d lines for %d rows; writing no labels."
                      % (path, len(labels), rows))
        return None
    return labels


def _non_negative_int(name: str, value) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError("%s must be a non-negative integer, got %r" % (name, value))
    return value
