"""``fit``, ``evaluate`` and ``predict``: the epoch and batch loops around the steps."""
from __future__ import annotations

import warnings

import numpy as np
import torch

from torchkeras import config as _config
from torchkeras import distribute
from torchkeras.callbacks.callback_list import CallbackList, materialize
from torchkeras.distribute import reduce as dist_reduce
from torchkeras.layers.keras_tensor import map_structure
from torchkeras.trainers import data_adapters as data_module
from torchkeras.trainers.class_weights import validate_class_weight
from torchkeras.layers import call_context
from torchkeras.trainers.lazy_logs import LazyLogs


def _tensor_to_numpy(t):
    t = t.detach()
    if t.dtype == torch.bfloat16:   # numpy has no bfloat16: widen to float32
        t = t.float()
    return t.cpu().numpy()


def to_numpy(x):
    return map_structure(lambda t: _tensor_to_numpy(t) if isinstance(t, torch.Tensor) else t, x)


def _check_positive_int(name: str, value, allow_none: bool = True) -> None:
    if value is None and allow_none:
        return
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value <= 0:
        raise ValueError("%s must be a positive integer, got %r" % (name, value))


class LoopsMixin:
    """The loops of ``Model``; the training and test steps they call live in ``Trainer``."""

    def predict_step(self, data):
        """One prediction step: the model on ``x`` in inference mode (overridable)."""
        x, _, _ = data_module.unpack_x_y_sample_weight(data)
        return self(x, training=False)

    def _ensure_built_for(self, x) -> None:
        """Builds an unbuilt model from the first sample's shape (no real forward pass)."""
        if self.built:
            return
        if data_module.is_array_like(x):
            # On the device the data will train on, so that every weight is built there.
            device = self._target_device()
            sample = map_structure(lambda t: data_module.to_tensor(t)[:1].to(device)
                                   if t is not None else t, x)
            with torch.no_grad():
                self(sample, training=False)

    def _build_from_first_batch(self, data) -> None:
        """Builds an unbuilt model by running it (no grad, inference) on the first batch
        of a dataset adapter; a generator gets that batch back at its next epoch."""
        peek = getattr(data, "peek", None)
        batch = peek() if peek is not None else next(iter(data.epoch()), None)
        if batch is None:
            return
        x, _, _ = data_module.unpack_x_y_sample_weight(batch)
        with torch.no_grad():
            self(x, training=False)

    def _num_classes(self, x, y, data) -> int | None:
        """Classes of a single-output classifier, for checking ``class_weight``: the
        width of one-hot targets, else of the model's output (a one-unit output has two
        classes); None when that cannot be told."""
        if isinstance(y, (np.ndarray, torch.Tensor)) and y.ndim > 1 and y.shape[-1] > 1:
            return int(y.shape[-1])
        outputs = getattr(self, "outputs", None)
        if outputs and len(outputs) == 1 and getattr(outputs[0], "shape", None):
            width = outputs[0].shape[-1]
        else:
            # A subclassed model: one inference call on the first sample tells the width.
            if data_module.is_array_like(x):
                device = self._target_device()
                sample = map_structure(lambda t: data_module.to_tensor(t)[:1].to(device), x)
            else:
                peek = getattr(data, "peek", None)
                batch = peek() if peek is not None else None
                if batch is None:
                    return None
                sample, _, _ = data_module.unpack_x_y_sample_weight(batch)
            with torch.no_grad():
                out = self(sample, training=False)
            width = out.shape[-1] if isinstance(out, torch.Tensor) and out.dim() > 1 else None
        if width is None:
            return None
        return max(int(width), 2)

    def _metrics_result_or_logs(self, logs):
        """The metrics' values, or the last step's logs when a custom step returned
        other keys (Keras's rule)."""
        results = self.get_metrics_result()
        if isinstance(logs, LazyLogs):   # the default steps return exactly these results
            return results
        if isinstance(logs, dict) and set(logs.keys()) == set(results.keys()):
            return results
        return logs

    def _adapter(self, x, y, sample_weight, batch_size, shuffle=False, class_weight=None,
                 steps=None, shard=None):
        return data_module.get_adapter(x, y, sample_weight, batch_size=batch_size,
                                       shuffle=shuffle, class_weight=class_weight,
                                       device=self._target_device(), steps=steps, shard=shard)

    def _compute_device(self, data):
        return getattr(data, "copy_to", None) or data.device

    def _epoch_logs(self, logs, flatten: bool = True) -> dict:
        """End-of-epoch values, reduced across ranks in a distributed run.

        ``flatten=False`` keeps a custom step's nested dicts: the callbacks flatten the
        epoch's logs (with the ``val_`` ones) in one go, which fixes Keras's key order.
        """
        with dist_reduce.reduced_metrics(self):
            results = self._metrics_result_or_logs(logs)
            is_metrics = results is not logs
            values = materialize(results, flatten=flatten or distribute.distribution()
                                 is not None)
        return values if is_metrics else dist_reduce.mean_logs(values)

    # ------------------------------------------------------------------ fit
    def fit(self, x=None, y=None, batch_size=None, epochs: int = 1, verbose="auto",
            callbacks=None, validation_split: float = 0.0, validation_data=None,
            shuffle=True, class_weight=None, sample_weight=None, initial_epoch: int = 0,
            steps_per_epoch=None, validation_steps=None, validation_batch_size=None,
            validation_freq: int = 1):
        """Trains the model; returns a ``History``.

        Args:
            x: Arrays/tensors (lists/dicts for several inputs), a Dataset, DataLoader,
                generator or PyDataset yielding ``(x, y[, sample_weight])``.
            y: Targets (arrays only).
            batch_size: Samples per step (default 32; ignored for batched inputs).
            epochs: Index of the last epoch (training runs ``initial_epoch..epochs-1``).
            verbose: "auto"/1 live bar, 2 one line per epoch, 0 silent.
            callbacks: ``Callback`` objects.
            validation_split: Fraction of the *last* samples held out (arrays only).
            validation_data: ``(x, y[, sample_weight])`` or a dataset.
            shuffle: Shuffle arrays every epoch (``"batch"``: shuffle batch order).
            class_weight: ``{class: weight}`` scaling each sample's loss.
            sample_weight: One weight per sample.
            initial_epoch: Epoch to start from (to resume).
            steps_per_epoch: Steps per epoch (default: one pass over the data).
            validation_steps: Steps per validation.
            validation_batch_size: Batch size for validation (default: ``batch_size``).
            validation_freq: Validate every this many epochs.

        Example:
            >>> history = model.fit(x, y, epochs=10, validation_split=0.2)
        """
        if not self.compiled:
            raise RuntimeError("You must call `compile()` before using the model for "
                               "training (fit).")
        if isinstance(epochs, bool) or not isinstance(epochs, (int, np.integer)) or epochs < 0:
            raise ValueError("epochs must be a non-negative integer, got %r" % (epochs,))
        data_module.check_batch_size(batch_size)
        _check_positive_int("steps_per_epoch", steps_per_epoch)
        epochs, steps_per_epoch = _config.capped_fit_lengths(epochs, steps_per_epoch)
        _check_positive_int("validation_freq", validation_freq, allow_none=False)
        if not isinstance(initial_epoch, (int, np.integer)) or initial_epoch < 0:
            raise ValueError("initial_epoch must be a non-negative integer, got %r" % (initial_epoch,))
        if not isinstance(validation_split, (int, float)) or not 0.0 <= validation_split < 1.0:
            raise ValueError("validation_split must be a float in [0, 1), got %r"
                             % (validation_split,))
        if validation_split and validation_data is None:
            if not data_module.is_array_like(x):
                raise ValueError("validation_split is only supported for arrays/tensors, not "
                                 "for datasets, DataLoaders or generators.")
            arrays = (map_structure(data_module.to_tensor, x),
                      map_structure(data_module.to_tensor, y) if y is not None else None,
                      data_module.to_tensor(sample_weight) if sample_weight is not None else None)
            (x, y, sample_weight), (vx, vy, vsw) = data_module.train_validation_split(
                arrays, validation_split)
            validation_data = (vx, vy) if vsw is None else (vx, vy, vsw)
        if class_weight is not None:
            validate_class_weight(class_weight, None)     # the keys' form, before building
        self._ensure_built_for(x)
        strategy = distribute.distribution()
        train_shard = val_shard = None
        if strategy is not None:
            r, w = distribute.rank(), distribute.world_size()
            train_shard = data_module.ShardPlan.train(r, w, distribute.context.shared_seed())
            val_shard = data_module.ShardPlan.contiguous(r, w)
        train_data = self._adapter(x, y, sample_weight, batch_size, shuffle=shuffle,
                                   class_weight=class_weight, steps=steps_per_epoch,
                                   shard=train_shard)
        val_data = None
        if validation_data is not None:
            vx, vy, vsw = data_module.unpack_x_y_sample_weight(validation_data) \
                if isinstance(validation_data, (tuple, list)) else (validation_data, None, None)
            val_data = self._adapter(vx, vy, vsw, validation_batch_size or batch_size,
                                     steps=validation_steps, shard=val_shard)
        if not self.built:
            # A DataLoader/Dataset/generator: build from its first batch before the
            # optimizer (or DDP) looks at the weights.
            self._build_from_first_batch(train_data)
        if class_weight is not None:
            validate_class_weight(class_weight, self._num_classes(x, y, train_data))
        self._move_to_device(self._compute_device(train_data))
        if strategy is not None:
            self.__dict__["_tk_ddp"] = strategy.wrap(self)
        try:
            return self._fit_loop(train_data, val_data, callbacks, verbose, epochs,
                                  initial_epoch, validation_freq)
        finally:
            self.__dict__.pop("_tk_ddp", None)

    def _fit_loop(self, train_data, val_data, callbacks, verbose, epochs, initial_epoch,
                  validation_freq):
        self._prepare_training()
        verbose = 1 if verbose == "auto" else verbose
        if not distribute.is_chief():
            verbose = 0
        cbs = callbacks if isinstance(callbacks, CallbackList) else CallbackList(
            callbacks, add_history=True, add_progbar=verbose != 0, model=self,
            verbose=verbose, epochs=epochs, steps=train_data.__len__())   # None: unknown
        self.stop_training = False
        cbs.on_train_begin()
        # BackupAndRestore (or a user) may set where training resumes: epoch and step.
        if self._initial_epoch is not None:
            initial_epoch = self._initial_epoch
        skip_steps = self._initial_step or 0
        self._initial_epoch = self._initial_step = None
        epoch_logs = {}
        batch_hooks = cbs.has_batch_hooks("train")
        for epoch in range(initial_epoch, epochs):
            self.reset_metrics()
            cbs.on_epoch_begin(epoch)
            self.train()
            logs = None
            for step, batch in enumerate(train_data.epoch(epoch)):
                if step < skip_steps:
                    continue
                if batch_hooks:
                    cbs.on_train_batch_begin(step)
                logs = self.train_step(batch)
                if batch_hooks:
                    cbs.on_train_batch_end(step, logs)
                if self.stop_training:
                    break
            skip_steps = 0
            if logs is None:
                if epoch_logs:
                    # A one-shot generator used up by earlier epochs: Keras warns and goes
                    # on; there is nothing left to train on, so training ends here.
                    warnings.warn("Your input ran out of data; interrupting training at "
                                  "epoch %d. Make sure that your dataset or generator can "
                                  "generate at least `steps_per_epoch * epochs` batches (a "
                                  "generator is used up after one pass)." % epoch,
                                  stacklevel=3)
                    break
                raise ValueError("fit ran no step in epoch %d: the data is empty." % epoch)
            epoch_logs = self._epoch_logs(logs, flatten=False)
            if val_data is not None and (epoch + 1) % validation_freq == 0:
                val_logs = self._evaluate_loop(val_data, cbs, verbose=0)
                epoch_logs.update({"val_" + k: v for k, v in val_logs.items()})
            cbs.on_epoch_end(epoch, epoch_logs)
            if self.stop_training:
                break
        self.eval()
        finalize = getattr(self.optimizer, "finalize_variable_values", None)
        if finalize is not None and epochs > 0:   # EMA / Lookahead weights become the model's
            finalize(self.torch_weights(trainable=True))
        cbs.on_train_end(epoch_logs)
        self.history = cbs.history
        return self.history

    # ------------------------------------------------------------------ evaluate
    def evaluate(self, x=None, y=None, batch_size=None, verbose="auto", sample_weight=None,
                 steps=None, callbacks=None, return_dict: bool = False, **kwargs):
        """Loss and metrics on the given data (a list, or a dict with ``return_dict``)."""
        if not self.compiled:
            raise RuntimeError("You must call `compile()` before using the model for "
                               "evaluation.")
        data_module.check_batch_size(batch_size)
        _check_positive_int("steps", steps)
        self._ensure_built_for(x)
        shard = None
        if distribute.distribution() is not None:
            shard = data_module.ShardPlan.contiguous(distribute.rank(), distribute.world_size())
        data = self._adapter(x, y, sample_weight, batch_size, steps=steps, shard=shard)
        self._move_to_device(self._compute_device(data))
        verbose = 1 if verbose == "auto" else verbose
        if not distribute.is_chief():
            verbose = 0
        cbs = callbacks if isinstance(callbacks, CallbackList) else CallbackList(
            callbacks, add_progbar=verbose != 0, model=self, verbose=verbose, epochs=1,
            steps=data.__len__())
        logs = self._evaluate_loop(data, cbs, verbose)
        if return_dict:
            return logs
        return self._flatten_metrics_in_order(logs)

    def _evaluate_loop(self, data, cbs, verbose) -> dict:
        self.reset_metrics()
        self._check_labels_on_next_step()
        if self.training:
            self.eval()
        cbs.on_test_begin()
        batch_hooks = cbs.has_batch_hooks("test")
        logs = None
        fast = None if batch_hooks else self._fused_test_step()
        with torch.no_grad(), call_context.loop_call(False):
            if fast is not None:
                steps = 0
                for batch in data.epoch():
                    fast(batch)
                    steps += 1
                logs = LazyLogs(self.get_metrics_result) if steps else None
            else:
                state = call_context.STATE
                for step, batch in enumerate(data.epoch()):
                    if batch_hooks:
                        cbs.on_test_batch_begin(step)
                    if state.loss_layers:
                        # Inside loop_call a model call is not top-level: clear the last
                        # step's add_loss values so they do not pile up.
                        call_context.start_top_level_call()
                    logs = self.test_step(batch)
                    if batch_hooks:
                        cbs.on_test_batch_end(step, logs)
        if logs is None:
            raise ValueError("evaluate ran no step: the data is empty.")
        logs = self._epoch_logs(logs)
        cbs.on_test_end(logs)
        # The model stays in eval mode (fit switches back to train() every epoch); the
        # Keras `training` flag, not the torch mode, drives layers during calls.
        return logs

    # ------------------------------------------------------------------ predict
    def predict(self, x, batch_size=None, verbose="auto", steps=None, callbacks=None):
        """Model outputs for ``x`` as numpy arrays (lists/dicts for several outputs)."""
        data_module.check_batch_size(batch_size)
        _check_positive_int("steps", steps)
        self._ensure_built_for(x)
        shard = None
        if distribute.distribution() is not None:
            shard = data_module.ShardPlan.contiguous(distribute.rank(), distribute.world_size())
        data = self._adapter(x, None, None, batch_size, steps=steps, shard=shard)
        device = self._compute_device(data)
        for p in self.parameters():
            if p.device != device:
                self.to(device)
            break
        verbose = 1 if verbose == "auto" else verbose
        if not distribute.is_chief():
            verbose = 0
        cbs = callbacks if isinstance(callbacks, CallbackList) else CallbackList(
            callbacks, add_progbar=verbose != 0, model=self, verbose=verbose, epochs=1,
            steps=data.__len__())
        if self.training:
            self.eval()
        cbs.on_predict_begin()
        batch_hooks = cbs.has_batch_hooks("predict")
        outputs = []
        default_step = type(self).predict_step is LoopsMixin.predict_step
        forward = self._inference_forward() if default_step else None
        with torch.no_grad(), call_context.loop_call(False):
            state = call_context.STATE
            for step, batch in enumerate(data.epoch()):
                if batch_hooks:
                    cbs.on_predict_batch_begin(step)
                if state.loss_layers:
                    call_context.start_top_level_call()
                out = forward(batch[0]) if forward is not None and type(batch) is tuple \
                    and len(batch) == 1 else self.predict_step(batch)
                outputs.append(out)
                if batch_hooks:
                    cbs.on_predict_batch_end(step, {"outputs": out})
        cbs.on_predict_end()
        if not outputs:
            raise ValueError("predict ran no step: the data is empty.")
        result = _concat(outputs)
        if shard is not None:   # every rank returns all predictions, in order
            result = map_structure(lambda t: dist_reduce.gather_rows(t)
                                   if isinstance(t, torch.Tensor) else t, result)
        return to_numpy(result)


def _concat(batches):
    first = batches[0]
    if isinstance(first, torch.Tensor):
        return torch.cat(batches, 0)
    if isinstance(first, (list, tuple)):
        return type(first)(_concat([b[i] for b in batches]) for i in range(len(first)))
    if isinstance(first, dict):
        return {k: _concat([b[k] for b in batches]) for k in first}
    return batches

