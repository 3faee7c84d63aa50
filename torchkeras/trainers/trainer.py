"""Trainer: ``compile`` and the per-batch steps of a Model (the loops are in loops.py).

One training step is forward, loss (+ ``model.losses``), backward, optimizer step and
metric updates, with no host-device synchronisation: running sums stay on the device.
"""
from __future__ import annotations

import torch

from torchkeras import config as _config
from torchkeras import fast_paths
from torchkeras.layers import call_context as _ctx
from torchkeras.layers.layer_metrics import collect_metrics
from torchkeras.trainers import compile_utils, training_checks
from torchkeras.trainers.compiled_forward import (COMPILE_MODES, CompiledForward,
                                                  check_jit_compile)
from torchkeras.trainers.data_adapters import unpack_x_y_sample_weight
from torchkeras.trainers.lazy_logs import LazyLogs
from torchkeras.trainers.loops import LoopsMixin
from torchkeras.trainers.on_batch import OnBatchMixin


class Trainer(OnBatchMixin, LoopsMixin):
    """compile / train_step / test_step / predict_step and the ``*_on_batch`` helpers."""

    def __init__(self):
        self.compiled = False
        self.optimizer = None
        self.loss = None
        self._compile_loss = None
        self._compile_metrics = None
        self._loss_tracker = None
        self.stop_training = False
        self.history = None
        self._run_eagerly = False
        self._jit_compile = False
        self.steps_per_execution = 1
        self._compile_config = None
        self._reg_cache = None
        self._initial_epoch = None   # resume point set by BackupAndRestore
        self._initial_step = None
        self._opt_made_before_build = False   # a torch optimizer made on an unbuilt model
        self._opt_weights = None   # the weights the compiled optimizer was built on

    # ------------------------------------------------------------------ compile
    def compile(self, optimizer="rmsprop", loss=None, loss_weights=None, metrics=None,
                weighted_metrics=None, run_eagerly: bool = False, steps_per_execution: int = 1,
                jit_compile=False, auto_scale_loss: bool = True) -> None:
        """Configures the model for training.

        Args:
            optimizer: Name, ``Optimizer``, ``torch.optim.Optimizer`` (instance or class).
                A torch optimizer instance holds the parameters that exist when it is
                created: build the model first (``model.build(shape)`` or one call),
                or pass the class (``torch.optim.Adam``), built on the first batch.
            loss: Name, ``Loss``, ``nn.Module`` loss or function ``(y_true, y_pred)``; a
                list or dict for several outputs.
            loss_weights: Weights of the per-output losses in the total loss.
            metrics: Metric names/objects (torchmetrics too), list or per-output dict.
            weighted_metrics: Metrics that receive ``sample_weight``.
            run_eagerly: Accepted for Keras compatibility (steps always run eagerly
                unless ``jit_compile``).
            steps_per_execution: Accepted for Keras compatibility.
            jit_compile: ``True`` runs the training forward pass (and its backward)
                under ``torch.compile``; a mode name of ``torch.compile`` (e.g.
                ``"reduce-overhead"``: CUDA graphs on CUDA) compiles in that mode.

        Example:
            >>> model.compile(optimizer="adam", loss="sparse_categorical_crossentropy",
            ...               metrics=["accuracy"])
        """
        from torchkeras import optimizers
        from torchkeras.metrics.loss_tracker import LossTracker
        opt = optimizers.get(optimizer)
        if self.dtype_policy.name == "mixed_float16" and \
                not isinstance(opt, optimizers.LossScaleOptimizer) and \
                not isinstance(opt, optimizers.TorchOptimizer):
            # float16 gradients underflow without loss scaling (Keras does the same).
            opt = optimizers.LossScaleOptimizer(opt)
        check_jit_compile(jit_compile)
        if not isinstance(steps_per_execution, int) or steps_per_execution < 1:
            raise ValueError("steps_per_execution must be a positive integer, got %r"
                             % (steps_per_execution,))
        names = self._output_names_for_compile()
        compile_loss = compile_utils.CompileLoss(loss, loss_weights, names) if loss is not None \
            else None
        compile_metrics = compile_utils.CompileMetrics(metrics, weighted_metrics, names)
        # Stored outside nn.Module's registries: metric state and optimizers are not
        # part of the model's modules or state_dict.
        self.__dict__["optimizer"] = opt
        self._opt_made_before_build = isinstance(optimizer, torch.optim.Optimizer) and \
            not self.built
        self._opt_weights = None
        self.loss = loss
        self._compile_loss = compile_loss
        self._compile_metrics = compile_metrics
        self.__dict__["_loss_tracker"] = LossTracker(name="loss")
        self._run_eagerly = run_eagerly
        self._jit_compile = bool(jit_compile) and jit_compile != "auto"
        self._jit_mode = jit_compile if jit_compile in COMPILE_MODES else None
        self.steps_per_execution = steps_per_execution
        self._compile_config = {"optimizer": optimizer, "loss": loss, "loss_weights": loss_weights,
                                "metrics": metrics, "weighted_metrics": weighted_metrics,
                                "run_eagerly": run_eagerly,
                                "steps_per_execution": steps_per_execution,
                                "jit_compile": jit_compile}
        self.compiled = True

    def _output_names_for_compile(self) -> list:
        names = getattr(self, "output_names", None)
        return list(names) if names else ["output"]

    @property
    def run_eagerly(self) -> bool:
        return self._run_eagerly

    @run_eagerly.setter
    def run_eagerly(self, value: bool) -> None:
        self._run_eagerly = bool(value)

    @property
    def jit_compile(self) -> bool:
        return self._jit_compile

    @property
    def metrics(self) -> list:
        """Keras's list: loss tracker, compiled metrics (one ``compile_metrics`` entry,
        present when ``compile`` was given metrics), per-output loss trackers, then the
        metrics the model and its layers hold as attributes (``Layer.metrics``)."""
        out = []
        if self._loss_tracker is not None:
            out.append(self._loss_tracker.metric)
        if self._compile_metrics is not None and self._compile_metrics.requested:
            out.append(self._compile_metrics)
        if self._compile_loss is not None:
            out.extend(self._compile_loss.metrics())
        out.extend(collect_metrics(self))
        return out

    @property
    def metrics_names(self) -> list:
        return [m.name for m in self.metrics]

    def reset_metrics(self) -> None:
        for m in self.metrics:
            m.reset_state()

    def get_metrics_result(self) -> dict:
        """Current metric values (device tensors); dict results are flattened."""
        out = {}
        for m in self.metrics:
            value = m.result()
            if isinstance(value, dict):
                out.update(value)
            else:
                out[m.name] = value
        return out

    def get_compile_config(self) -> dict | None:
        if not self.compiled or self._compile_config is None:
            return None
        from torchkeras.trainers.compile_config import serialize_compile_config
        return serialize_compile_config(self._compile_config)

    def compile_from_config(self, config: dict) -> None:
        from torchkeras.trainers.compile_config import deserialize_compile_config
        self.compile(**deserialize_compile_config(config))

    # ------------------------------------------------------------------ losses/metrics
    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training=True):
        """Compiled loss plus the model's own losses (``add_loss``, regularizers)."""
        if self._reg_cache == [] and not _ctx.STATE.loss_layers and y is not None \
                and self._compile_loss is not None:
            return self._compile_loss(y, y_pred, sample_weight)   # nothing else to add
        total = None
        if self._compile_loss is not None and y is not None:
            total = self._compile_loss(y, y_pred, sample_weight)
        extra = self._model_losses()
        for term in extra:
            total = term if total is None else total + term
        if total is None:
            if self._compile_loss is None and not extra:
                raise ValueError("No loss to compute: compile() the model with a `loss`, or "
                                 "add losses with add_loss().")
            total = torch.zeros((), device=_device_of_model(self))
        return total

    def _compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training=True):
        """``compute_loss``, leaving out ``training`` for overrides written without it
        (Keras added the argument in 3.3; older overrides, e.g. the distillation
        example's, still work there)."""
        if training_checks.compute_loss_takes_training(type(self)):
            return self.compute_loss(x=x, y=y, y_pred=y_pred, sample_weight=sample_weight,
                                     training=training)
        return self.compute_loss(x=x, y=y, y_pred=y_pred, sample_weight=sample_weight)

    def _model_losses(self) -> list:
        if self._reg_cache is None:
            # Parameters: layers that re-lay a weight out wrap its regularizer to see
            # Keras's layout.
            self._reg_cache = [(p, getattr(p, "regularizer"))
                               for p in self.torch_weights(trainable=True)
                               if getattr(p, "regularizer", None) is not None]
        out = [reg(p) for p, reg in self._reg_cache]
        out.extend(_ctx.added_losses())
        return out

    def compute_metrics(self, x, y, y_pred, sample_weight=None) -> dict:
        """Updates the compiled metrics and returns all metric results (device tensors)."""
        if self._compile_metrics is not None and y is not None:
            self._compile_metrics.update_state(y, y_pred, sample_weight)
        return LazyLogs(self.get_metrics_result)

    # ------------------------------------------------------------------ steps
    def _forward(self, x, training: bool):
        if self._jit_compile and training:
            return self._jit_forward()(x)
        return self(x, training=training)

    def _jit_forward(self):
        compiled = self.__dict__.get("_tk_compiled_forward")
        mode = getattr(self, "_jit_mode", None)
        if compiled is None or compiled.mode != mode:
            compiled = CompiledForward(lambda x: self(x, training=True), mode)
            self.__dict__["_tk_compiled_forward"] = compiled
        return compiled

    def train_step(self, data) -> dict:
        """One optimisation step on ``data`` = (x, y[, sample_weight]); returns logs."""
        if type(data) is tuple and len(data) == 2:
            (x, y), sample_weight = data, None
        else:
            x, y, sample_weight = unpack_x_y_sample_weight(data)
        y_pred = self._forward(x, training=True)
        loss = self._compute_loss(x=x, y=y, y_pred=y_pred, sample_weight=sample_weight,
                                 training=True)
        self._loss_tracker.update(loss.detach(), _batch_size(x))
        opt = self.optimizer
        opt.zero_grad(set_to_none=True)
        if loss.requires_grad:
            if hasattr(opt, "scale_loss"):
                loss = opt.scale_loss(loss)
            loss.backward()
            opt.step()
        return self.compute_metrics(x, y, y_pred, sample_weight)

    def test_step(self, data) -> dict:
        if type(data) is tuple and len(data) == 2:
            (x, y), sample_weight = data, None
        else:
            x, y, sample_weight = unpack_x_y_sample_weight(data)
        y_pred = self(x, training=False)
        loss = self._compute_loss(x=x, y=y, y_pred=y_pred, sample_weight=sample_weight,
                                 training=False)
        self._loss_tracker.update(loss.detach(), _batch_size(x))
        return self.compute_metrics(x, y, y_pred, sample_weight)

    def _fused_test_step(self):
        """The default ``test_step`` as one flat closure (for loops.py), or None: use
        ``test_step``. Fast path 4 of :mod:`torchkeras.fast_paths`: only when the model
        overrides none of the methods the closure stands in for and the compiled loss is a
        single ``Loss`` of weight 1; it updates the same loss tracker and metrics."""
        closs = self._compile_loss
        if closs is None or not fast_paths.inherits_unchanged(type(self), Trainer, _FUSED):
            return None
        loss_fn = fast_paths.single_loss(closs)
        if loss_fn is None:
            return None
        if self._reg_cache is None:
            self._model_losses()          # fills the regularizer cache
        cmetrics = self._compile_metrics
        plain = not self._reg_cache
        state = _ctx.STATE
        forward = self._inference_forward()
        track = self._loss_tracker.update
        direct_metrics: list = []

        def step(data):
            if type(data) is tuple and len(data) == 2:
                (x, y), sw = data, None
            else:
                x, y, sw = unpack_x_y_sample_weight(data)
            y_pred = forward(x)
            if plain and not state.loss_layers and type(y_pred) is torch.Tensor \
                    and not closs.check_labels:
                loss = loss_fn(y, y_pred, sample_weight=sw)
            else:
                loss = self._compute_loss(x=x, y=y, y_pred=y_pred, sample_weight=sw,
                                         training=False)
            n = x.shape[0] if type(x) is torch.Tensor and x.dim() else _batch_size(x)
            track(loss, n)
            if direct_metrics and sw is None and type(y_pred) is torch.Tensor:
                for update in direct_metrics:
                    update(y, y_pred)
            else:
                cmetrics.update_state(y, y_pred, sw)
                if not direct_metrics and cmetrics.built and len(cmetrics.per_output) == 1:
                    direct_metrics.extend(m.update_state for m, _ in cmetrics.per_output[0])
        return step

    def _inference_forward(self):
        """``x -> model(x, training=False)`` for a loop running inside
        ``call_context.loop_call(False)``: the model's ``call`` itself when that is
        equivalent (plain float32 tensors), else the full ``__call__``."""
        direct = fast_paths.direct_inference_call(self)
        state = _ctx.STATE

        takes_training = self._call_takes_training

        def forward(x):
            if state.loss_layers:
                _ctx.start_top_level_call()   # per-step add_loss values do not pile up
            if direct is not None and type(x) is torch.Tensor and x.dtype is torch.float32:
                return direct(x, training=False) if takes_training else direct(x)
            return self(x, training=False)
        return forward

    @property
    def _call_takes_training(self) -> bool:
        info = fast_paths.call_signature(type(self))
        return info[0] or info[2]

    def _prepare_training(self) -> None:
        """Binds the optimizer to the current trainable weights (once per fit)."""
        if not self.compiled:
            raise RuntimeError("You must call `compile()` before using the model for "
                               "training/evaluation.")
        self._reg_cache = None
        if self.optimizer is not None:
            was_built = bool(getattr(self.optimizer, "built", False))
            weights = self.torch_weights(trainable=True)
            self.optimizer.build(weights)
            if self._opt_made_before_build:
                training_checks.check_torch_optimizer_covers_weights(self, self.optimizer)
                self._opt_made_before_build = False
            if not was_built:
                # The weights themselves, not their ids: a pickled or deep-copied model
                # keeps the list pointing at its own copies.
                self._opt_weights = list(weights)
            elif self._opt_weights is not None:
                training_checks.check_no_new_trainable_weights(
                    self, weights, {id(w) for w in self._opt_weights})
        self._check_labels_on_next_step()

    def _check_labels_on_next_step(self) -> None:
        """The next compiled-loss call validates sparse labels (one host sync): on CUDA a
        bad label would otherwise end in a device-side assert instead of a ValueError."""
        if self._compile_loss is not None:
            self._compile_loss.check_labels = True

    def _move_to_device(self, device: torch.device) -> None:
        for p in self.parameters():
            if p.device != device:
                self.to(device)
            break
        for m in self.metrics:
            current = getattr(m, "device", None)
            if current is not None and current != device or (
                    current is None and not isinstance(m, compile_utils.CompileMetrics)):
                m.to(device)

    def _target_device(self) -> torch.device:
        for p in self.parameters():
            return p.device
        return _config.get_device()


# What the fused test step stands in for: a model overriding any of them takes test_step.
_FUSED = ("test_step", "compute_loss", "compute_metrics", "metrics")


def _batch_size(x) -> int:
    while isinstance(x, (list, tuple)):
        x = x[0]
    if isinstance(x, dict):
        return _batch_size(next(iter(x.values())))
    return x.shape[0] if getattr(x, "ndim", 0) else 1


def _device_of_model(model) -> torch.device:
    for p in model.parameters():
        return p.device
    return _config.get_device()
