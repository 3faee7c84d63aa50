"""OptimizerBase: hyperparameters, learning rate, iteration count and saved state.

The step count and the learning rate live on the host as Python numbers (the step
reads them without touching a device); ``iterations`` and ``learning_rate`` expose them
as Keras-style variables that write through when assigned.
"""
from __future__ import annotations

import warnings

import numpy as np
import torch

from torchkeras.optimizers import optimizer_utils as U
from torchkeras.optimizers.schedules import LearningRateSchedule
from torchkeras.optimizers.schedules import serialize as _serialize_schedule
from torchkeras.saving.serialization import (deserialize_keras_object,
                                             serialize_keras_object)


class OptimizerBase:
    """Construction, validation and state plumbing shared by every optimizer.

    See :class:`torchkeras.optimizers.Optimizer` for the arguments.
    """

    def __init__(self, learning_rate, weight_decay=None, clipnorm=None, clipvalue=None,
                 global_clipnorm=None, use_ema: bool = False, ema_momentum: float = 0.99,
                 ema_overwrite_frequency: int | None = None, loss_scale_factor=None,
                 gradient_accumulation_steps: int | None = None, name: str | None = None,
                 **kwargs):
        owner = type(self).__name__
        if "lr" in kwargs:
            warnings.warn("The `lr` argument is deprecated, use `learning_rate` instead.",
                          DeprecationWarning, stacklevel=3)
            learning_rate = kwargs.pop("lr")
        decay = kwargs.pop("decay", None)
        if decay is not None:
            warnings.warn("The `decay` argument is deprecated (Keras 2 inverse time decay); "
                          "use `keras.optimizers.schedules.InverseTimeDecay` instead.",
                          DeprecationWarning, stacklevel=3)
            U.check_number(owner, "decay", decay, low=0)
        if kwargs:
            raise ValueError("Argument(s) not recognized: %s" % (kwargs,))
        for arg, value in (("weight_decay", weight_decay), ("clipnorm", clipnorm),
                           ("clipvalue", clipvalue), ("global_clipnorm", global_clipnorm)):
            U.check_number(owner, arg, value, low=0, allow_none=True)
        if sum(a is not None for a in (clipnorm, clipvalue, global_clipnorm)) > 1:
            raise ValueError(
                "Only one of `clipnorm`, `clipvalue` and `global_clipnorm` can be set. "
                "Received: clipnorm=%s, clipvalue=%s, global_clipnorm=%s"
                % (clipnorm, clipvalue, global_clipnorm))
        U.check_number(owner, "loss_scale_factor", loss_scale_factor, low=0, low_open=True,
                       allow_none=True)
        if gradient_accumulation_steps and not (
                isinstance(gradient_accumulation_steps, int)
                and gradient_accumulation_steps >= 2):
            raise ValueError("`gradient_accumulation_steps` must be an integer >= 2. Received: "
                             "gradient_accumulation_steps=%s" % (gradient_accumulation_steps,))
        if use_ema:
            if not 0 <= ema_momentum <= 1:
                raise ValueError("`ema_momentum` must be in the range [0, 1]. Received: "
                                 "ema_momentum=%s" % (ema_momentum,))
            if ema_overwrite_frequency and (not isinstance(ema_overwrite_frequency, int)
                                            or ema_overwrite_frequency < 1):
                raise ValueError("`ema_overwrite_frequency` must be an integer >= 1 or None. "
                                 "Received: ema_overwrite_frequency=%s"
                                 % (ema_overwrite_frequency,))
        if name is None:
            from torchkeras.layers.layer import to_snake_case, unique_name
            name = unique_name(to_snake_case(owner))
        self.name = name
        self.weight_decay = weight_decay
        self.clipnorm = clipnorm
        self.global_clipnorm = global_clipnorm
        self.clipvalue = clipvalue
        self.use_ema = use_ema
        self.ema_momentum = ema_momentum
        self.ema_overwrite_frequency = ema_overwrite_frequency
        self.loss_scale_factor = loss_scale_factor
        self.gradient_accumulation_steps = gradient_accumulation_steps
        self.decay = decay or 0.0
        self.built = False
        self._params: list = []
        self._param_index: dict = {}
        self._trainable_variables: list = []
        self._exclude_ids: set = set()
        self._exclude_pattern = None
        self._decay_mask: list = []
        self._decay_params: list = []
        self._decay_all = True
        self._constrained: list = []
        self._iterations = 0
        self._iterations_var = U.make_mirror(0, torch.int64, "iteration",
                                             self._on_iterations_assigned)
        self._variables: list = [self._iterations_var]
        self._learning_rate = None   # schedule / callable; None means the float below
        self._lr_value = 0.0
        self._lr_var = None
        self._set_learning_rate(learning_rate, creating=True)

    # -- learning rate ------------------------------------------------------------------------

    @property
    def learning_rate(self):
        """The current learning rate: a float variable, or the schedule's value now.

        Assign a float (``opt.learning_rate = 0.5``) to change it, or a schedule.
        """
        if self._learning_rate is None:
            return self._lr_var
        return torch.tensor(self._current_lr(), dtype=torch.float32)

    @learning_rate.setter
    def learning_rate(self, value) -> None:
        self._set_learning_rate(value)

    # Keras 2 spelling, still common in callbacks and scripts.
    lr = learning_rate

    def _set_learning_rate(self, value, creating: bool = False) -> None:
        if isinstance(value, LearningRateSchedule) or (
                callable(value) and not isinstance(value, (torch.Tensor, np.ndarray))):
            self._learning_rate = value
            if self._lr_var is not None:
                self._variables.remove(self._lr_var)
                self._lr_var = None
            return
        if isinstance(self._learning_rate, LearningRateSchedule):
            raise TypeError(
                "This optimizer was created with a `LearningRateSchedule` object as its "
                "`learning_rate` constructor argument, hence its learning rate is not "
                "settable. If you need the learning rate to be settable, you should "
                "instantiate the optimizer with a float `learning_rate` argument.")
        if isinstance(value, (torch.Tensor, np.ndarray, np.generic)):
            value = float(value)
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ValueError(
                "Argument `learning_rate` should be float, or an instance of "
                "LearningRateSchedule, or a callable (that takes in the current iteration "
                "value and returns the corresponding learning rate value). Received instead: "
                "learning_rate=%r" % (value,))
        U.check_number(type(self).__name__, "learning_rate", value, low=0)
        if value == float("inf"):
            raise ValueError("Argument `learning_rate` must be finite, received inf.")
        self._lr_value = U.as_float32(value)
        self._learning_rate = None
        if self._lr_var is None:
            self._lr_var = U.make_mirror(self._lr_value, torch.float32, "learning_rate",
                                         self._on_lr_assigned)
            self._variables.insert(1, self._lr_var)
        else:
            self._lr_var.data.fill_(self._lr_value)

    def _on_lr_assigned(self, value) -> None:
        self._lr_value = U.as_float32(value)

    def _current_lr(self) -> float:
        """The learning rate for the step about to run, as a host float."""
        sched = self._learning_rate
        if sched is None:
            lr = self._lr_value
        elif isinstance(sched, LearningRateSchedule):
            lr = sched(self._iterations)
        else:
            lr = sched()
        if not isinstance(lr, float):
            lr = float(lr)  # a callable returning a tensor: one read, its author's choice
        if self.decay:
            lr = lr / (1.0 + self.decay * self._iterations)
        return lr

    # -- iterations ------------------------------------------------------------------------------

    @property
    def iterations(self):
        """Number of ``apply``/``step`` calls so far (an int64 variable: ``int()`` works).

        With gradient accumulation, the number of accumulated updates, as in Keras.
        """
        k = self.gradient_accumulation_steps
        if k:
            return torch.div(self._iterations_var.detach(), k, rounding_mode="floor")
        return self._iterations_var

    @iterations.setter
    def iterations(self, value) -> None:
        self._set_iterations(int(value))

    def _set_iterations(self, value: int) -> None:
        self._iterations = value
        self._iterations_var.fill_(value)

    def _on_iterations_assigned(self, value) -> None:
        self._iterations = int(value)

    # -- state -----------------------------------------------------------------------------------

    @property
    def variables(self) -> list:
        """The optimizer's state in a stable order: iteration, learning rate, then slots."""
        self._sync_host_state_to_variables()
        return self._variables[:]

    def _sync_host_state_to_variables(self) -> None:
        """Hook: write host-side state (e.g. Nadam's momentum product) into its variables."""

    def _load_host_state_from_variables(self) -> None:
        """Hook: read host-side state back after the variables were loaded."""

    def save_own_variables(self, store: dict) -> None:
        """Writes ``variables`` into ``store`` as ``{"0": array, "1": array, ...}``."""
        for i, var in enumerate(self.variables):
            store[str(i)] = U.to_numpy_or_tensor(var)

    def load_own_variables(self, store: dict) -> None:
        """Restores the state written by :meth:`save_own_variables` (same variable layout)."""
        variables = self.variables
        if len(store.keys()) != len(variables):
            msg = ("Skipping variable loading for optimizer '%s', because it has %d variables "
                   "whereas the saved optimizer has %d variables. "
                   % (self.name, len(variables), len(store.keys())))
            if len(variables) <= 2:
                msg += "This is likely because the optimizer has not been called/built yet."
            warnings.warn(msg, stacklevel=2)
            return
        self._assign_all(variables, [store[str(i)] for i in range(len(variables))])

    def set_weights(self, weights) -> None:
        """Assigns ``weights`` (arrays, in ``variables`` order) to the optimizer's state."""
        if not self.built:
            raise ValueError(
                "You are calling `set_weights()` on an optimizer that has not yet been built. "
                "Please call `optimizer.build(trainable_variables)` to create the optimizer "
                "weights before calling `set_weights()`.")
        variables = self.variables
        self._assign_all(variables[:len(weights)], list(weights))

    def _assign_all(self, variables: list, values: list) -> None:
        tensors = []
        for var, value in zip(variables, values):
            t = value.detach() if isinstance(value, torch.Tensor) else \
                torch.as_tensor(np.asarray(value))
            if tuple(t.shape) != tuple(var.shape):
                raise ValueError("Optimizer variable %s has shape %s not compatible with "
                                 "provided weight shape %s."
                                 % (getattr(var, "name", "?"), tuple(var.shape), tuple(t.shape)))
            tensors.append(t)
        with torch.no_grad():
            for var, t in zip(variables, tensors):
                var.copy_(t.to(device=var.device, dtype=var.dtype))
        self._iterations = int(self._iterations_var)
        if self._lr_var is not None:
            self._lr_value = float(self._lr_var)
        self._load_host_state_from_variables()

    def state_dict(self) -> dict:
        """``{"0": tensor, ...}`` (as :meth:`save_own_variables`), for ``torch.save`` users."""
        return {str(i): v.detach().clone() for i, v in enumerate(self.variables)}

    def load_state_dict(self, state_dict: dict) -> None:
        """Inverse of :meth:`state_dict`."""
        self.load_own_variables(state_dict)

    def scale_loss(self, loss):
        """``loss * loss_scale_factor`` when one is set (before ``backward``)."""
        if self.loss_scale_factor is not None:
            return loss * self.loss_scale_factor
        return loss

    def get_config(self) -> dict:
        """Keras 3's optimizer config (learning rate as float32 value or serialized schedule)."""
        lr = self._learning_rate
        if isinstance(lr, LearningRateSchedule):
            lr = _serialize_schedule(lr)
        elif lr is None:
            lr = self._lr_value
        else:
            lr = serialize_keras_object(lr)
        config = {
            "name": self.name, "learning_rate": lr, "weight_decay": self.weight_decay,
            "clipnorm": self.clipnorm, "global_clipnorm": self.global_clipnorm,
            "clipvalue": self.clipvalue, "use_ema": self.use_ema,
            "ema_momentum": self.ema_momentum,
            "ema_overwrite_frequency": self.ema_overwrite_frequency,
            "loss_scale_factor": self.loss_scale_factor,
            "gradient_accumulation_steps": self.gradient_accumulation_steps,
        }
        if self.decay:
            config["decay"] = self.decay
        return config

    @classmethod
    def from_config(cls, config: dict, custom_objects: dict | None = None):
        """Rebuilds an optimizer (without its state) from ``get_config()``."""
        config = dict(config)
        if isinstance(config.get("learning_rate"), dict):
            config["learning_rate"] = deserialize_keras_object(
                config["learning_rate"], custom_objects=custom_objects)
        if "decay" in config:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", DeprecationWarning)
                return cls(**config)
        return cls(**config)

    def __repr__(self) -> str:
        lr = self._learning_rate if self._learning_rate is not None else self._lr_value
        return "<%s name=%s learning_rate=%r>" % (type(self).__name__, self.name, lr)
