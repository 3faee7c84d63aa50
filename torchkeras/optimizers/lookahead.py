"""Lookahead: slow weights that follow an inner optimizer's fast weights.

Every ``sync_period`` steps the slow copy moves a fraction of the way towards the fast
weights and the fast weights restart from it (Zhang et al., 2019, "Lookahead Optimizer:
k steps forward, 1 step back"). With a step size that shrinks over training the slow
weights act as an exponential moving average taken every few steps, which is how the
airbench CIFAR-10 recipes use it.
"""
from __future__ import annotations

import numbers

import torch

from torchkeras.optimizers.optimizer import Optimizer
from torchkeras.optimizers.optimizer_utils import MirrorVariable
from torchkeras.optimizers.schedules import LearningRateSchedule
from torchkeras.optimizers.schedules import serialize as _serialize_schedule
from torchkeras.saving.serialization import (deserialize_keras_object,
                                             serialize_keras_object)


class Lookahead(Optimizer):
    """Wraps an optimizer with Lookahead's slow weights.

    After every ``sync_period``-th step: ``slow += alpha * (fast - slow)`` then
    ``fast = slow``, with ``alpha = slow_step_size``. ``finalize_variable_values`` (called
    at the end of training) leaves the slow weights in the model, once a sync has
    happened (before that they are only the starting weights).

    The step size may be a float or a schedule: a ``LearningRateSchedule`` or any
    callable taking the number of steps taken so far (a Python int) and returning a float,
    evaluated on the host, so syncing costs two multi-tensor kernels and no host-device
    synchronisation.

    Args:
        optimizer: The inner optimizer (an ``Optimizer``, a name such as ``"sgd"``, or a
            ``torch.optim.Optimizer``).
        sync_period: Steps between two syncs (``k`` in the paper).
        slow_step_size: ``alpha`` in ``[0, 1]``, or a schedule of the step count.
        extra_variables: Tensors that are not trained but should follow the slow weights
            too, e.g. BatchNormalization moving statistics
            (``[w for w in model.non_trainable_weights if w.is_floating_point()]``).
            They are not part of the config.
        name: Name of the optimizer.

    Example:
        >>> opt = Lookahead(SGD(0.1, momentum=0.9), sync_period=5, slow_step_size=0.5)
        >>> model.compile(optimizer=opt, loss="mse")
        >>> model.fit(x, y, epochs=3)
        >>> opt.finalize_variable_values(model.trainable_weights)   # keep the slow weights
    """

    def __init__(self, optimizer, sync_period: int = 6, slow_step_size=0.5,
                 extra_variables=None, name: str | None = None):
        from torchkeras import optimizers
        inner = optimizers.get(optimizer)
        if not isinstance(inner, Optimizer):
            raise ValueError("Lookahead expects an optimizer to wrap, received %r" % (optimizer,))
        if inner.use_ema:
            raise ValueError("Lookahead keeps its own slow weights: wrap an optimizer created "
                             "with use_ema=False.")
        if isinstance(sync_period, bool) or not isinstance(sync_period, numbers.Integral) \
                or sync_period < 1:
            raise ValueError("Lookahead expects `sync_period` to be an integer >= 1, received "
                             "%r" % (sync_period,))
        if not callable(slow_step_size):
            if isinstance(slow_step_size, bool) or not isinstance(slow_step_size, numbers.Real) \
                    or not 0.0 <= slow_step_size <= 1.0:
                raise ValueError("Lookahead expects `slow_step_size` to be a float in [0, 1] or "
                                 "a schedule, received %r" % (slow_step_size,))
            slow_step_size = float(slow_step_size)
        super().__init__(learning_rate=0.0, name=name)
        self.inner_optimizer = inner
        self.sync_period = int(sync_period)
        self.slow_step_size = slow_step_size
        self._extra = [v for v in (extra_variables or []) if v.is_floating_point()]
        self._fast: list = []
        self._slow: list = []

    # -- building -----------------------------------------------------------------------

    def build(self, var_list) -> None:
        if self._reuse_build(var_list):
            self.inner_optimizer.build(var_list)
            return
        var_list = list(var_list)
        self.inner_optimizer.build(var_list)
        self._params = var_list
        self._param_index = {id(p): i for i, p in enumerate(var_list)}
        self._trainable_variables = var_list[:]
        seen = {id(p) for p in var_list}
        extra = []
        for v in self._extra:
            if id(v) not in seen:
                seen.add(id(v))
                extra.append(v)
        self._fast = var_list + extra
        # Slow weights start where the fast ones are when training starts.
        self._slow = [self.add_variable_from_reference(v, name="slow").copy_(v.detach())
                      for v in self._fast]
        self._num_own = len(self._variables)
        # Everything a step may write, listed after our own state: a LossScaleOptimizer
        # around this one snapshots `_variables` to undo a step that overflowed.
        self._variables.extend(v for v in self.inner_optimizer._variables
                               if not isinstance(v, MirrorVariable))
        self._variables.extend(extra)
        self.built = True

    # -- the step -------------------------------------------------------------------------

    @torch.no_grad()
    def step(self, closure=None):
        """Steps the inner optimizer on the current ``.grad``, then syncs when due."""
        if not self.built:
            raise ValueError("Lookahead.step() needs the optimizer built on its variables "
                             "first: call `optimizer.build(variables)`.")
        loss = self.inner_optimizer.step(closure)
        self._after_inner_step()
        return loss

    def _apply_core(self, grads: list, idx, inplace: bool) -> None:
        self.inner_optimizer._apply_core(grads, idx, inplace)
        self._after_inner_step()

    def _after_inner_step(self) -> None:
        steps = self._iterations + 1
        self._set_iterations(steps)
        if steps % self.sync_period == 0:
            self.sync(self._current_step_size(steps))

    def _current_step_size(self, steps: int) -> float:
        alpha = self.slow_step_size
        if callable(alpha):
            alpha = alpha(steps)
        return alpha if isinstance(alpha, float) else float(alpha)

    @torch.no_grad()
    def sync(self, slow_step_size: float) -> None:
        """``slow += slow_step_size * (fast - slow)``; ``fast = slow`` (two foreach kernels)."""
        if slow_step_size != 0.0:
            torch._foreach_lerp_(self._slow, self._fast, slow_step_size)
        torch._foreach_copy_(self._fast, self._slow)

    def finalize_variable_values(self, var_list) -> None:
        """Copies the slow weights into the model (the fast progress since the last sync
        is dropped, as Lookahead prescribes).

        Before the first sync (fewer than ``sync_period`` steps taken) the slow weights are
        still the starting weights; the trained fast weights are kept then, so a run
        shorter than one sync period trains like the inner optimizer alone instead of
        handing back the untrained model.
        """
        if self.built and self._iterations >= self.sync_period:
            with torch.no_grad():
                torch._foreach_copy_(self._fast, self._slow)

    def zero_grad(self, set_to_none: bool = True) -> None:
        self.inner_optimizer.zero_grad(set_to_none=set_to_none)

    def scale_loss(self, loss):
        return self.inner_optimizer.scale_loss(loss)

    # -- delegation ---------------------------------------------------------------------------

    @property
    def learning_rate(self):
        """The inner optimizer's learning rate (settable, so LR callbacks work)."""
        return self.inner_optimizer.learning_rate

    @learning_rate.setter
    def learning_rate(self, value) -> None:
        if getattr(self, "inner_optimizer", None) is None:
            # OptimizerBase.__init__ sets the wrapper's own (unused) rate.
            self._set_learning_rate(value)
            return
        self.inner_optimizer.learning_rate = value

    lr = learning_rate

    @property
    def variables(self) -> list:
        """Iterations, learning rate and slow weights, then the inner optimizer's state."""
        own = self._variables[:self._num_own] if self.built else self._variables[:]
        return own + self.inner_optimizer.variables

    def _assign_all(self, variables: list, values: list) -> None:
        own = self._num_own if self.built else len(self._variables)
        Optimizer._assign_all(self, variables[:own], values[:own])
        self.inner_optimizer._assign_all(variables[own:], values[own:])

    def __repr__(self) -> str:
        return "<Lookahead name=%s sync_period=%d inner=%r>" % (self.name, self.sync_period,
                                                             self.inner_optimizer)

    # -- config -------------------------------------------------------------------------------

    def get_config(self) -> dict:
        alpha = self.slow_step_size
        if isinstance(alpha, LearningRateSchedule):
            alpha = _serialize_schedule(alpha)
        elif callable(alpha):
            alpha = serialize_keras_object(alpha)
        return {"name": self.name, "optimizer": serialize_keras_object(self.inner_optimizer),
                "sync_period": self.sync_period, "slow_step_size": alpha}

    @classmethod
    def from_config(cls, config: dict, custom_objects: dict | None = None):
        config = dict(config)
        inner = deserialize_keras_object(config.pop("optimizer"), custom_objects=custom_objects)
        if isinstance(config.get("slow_step_size"), dict):
            config["slow_step_size"] = deserialize_keras_object(
                config["slow_step_size"], custom_objects=custom_objects)
        return cls(inner, **config)
