"""MultiOptimizer: each variable stepped by the optimizer an OptimizerMap (or callable) picks."""
from __future__ import annotations

import torch

from torchkeras.optimizers.loss_scale_optimizer import LossScaleOptimizer
from torchkeras.optimizers.optimizer import Optimizer
from torchkeras.optimizers.optimizer_utils import MirrorVariable
from torchkeras.saving.serialization import (deserialize_keras_object,
                                             serialize_keras_object)
from torchkeras.variable_view import torch_parameters


class MultiOptimizer(Optimizer):
    """Delegates every variable to one of several optimizers.

    ``optimizer_map`` is an :class:`OptimizerMap` (variable path -> optimizer, with a
    default) or any callable taking a variable and returning an optimizer. ``build``
    asks it once per variable and builds each optimizer on its share; a step runs each
    of them on theirs (each with its own learning rate, schedule, clipping and state)
    and counts one iteration. There is no single learning rate: reading or setting
    ``learning_rate`` raises ``AttributeError``; use ``optimizers`` instead (learning-rate
    callbacks do).

    The variables the callable receives are the stored parameters (with ``path`` and
    ``name`` as in Keras); their ``shape`` is torch's layout (a Dense kernel is
    ``(units, input_dim)``).

    Args:
        optimizer_map: An ``OptimizerMap`` or a callable ``variable -> Optimizer``.
        loss_scale_factor: Set on every inner optimizer (``scale_loss`` multiplies the
            loss, each optimizer divides its gradients).
        name: Name of the optimizer.

    Example:
        >>> opt_map = OptimizerMap(default_optimizer=SGD(0.01))
        >>> opt_map["dense_1/.*"] = Adam(1e-3)
        >>> model.compile(optimizer=MultiOptimizer(opt_map), loss="mse")
    """

    def __init__(self, optimizer_map, loss_scale_factor=None, name: str | None = None):
        if not callable(optimizer_map):
            raise TypeError("optimizer_map must be an OptimizerMap or a callable returning an "
                            "optimizer for a variable. Received: %r" % (optimizer_map,))
        super().__init__(learning_rate=0.0, loss_scale_factor=loss_scale_factor, name=name)
        self._optimizer_map = optimizer_map
        self._inner_optimizers: list = []
        candidates = list(optimizer_map.values()) if hasattr(optimizer_map, "values") else []
        default = getattr(optimizer_map, "default_optimizer", None)
        if default is not None:
            candidates.append(default)
        for opt in candidates:
            if not any(opt is o for o in self._inner_optimizers):
                opt.loss_scale_factor = loss_scale_factor
                self._inner_optimizers.append(opt)
        self._groups: list = []
        self._owner: list = []
        self._local: list = []
        self._num_own = len(self._variables)

    # -- building -----------------------------------------------------------------------

    def build(self, var_list) -> None:
        if self.built:
            # Inner optimizers first, so each moves its own slots (and device helpers).
            for opt, variables in zip(self._inner_optimizers, self._groups):
                if variables:
                    opt.build(variables)
            self._reuse_build(var_list)
            return
        var_list = list(var_list)
        owners = []
        for var in var_list:
            opt = self._optimizer_map(var)
            if not isinstance(opt, Optimizer):
                raise ValueError("Optimizer for variable %s is not an Optimizer instance."
                                 % (getattr(var, "path", None) or tuple(var.shape),))
            if isinstance(opt, LossScaleOptimizer):
                raise ValueError("LossScaleOptimizer cannot be used inside an MultiOptimizer.")
            if isinstance(opt, MultiOptimizer):
                raise ValueError("MultiOptimizer cannot be used inside an MultiOptimizer.")
            owners.append(opt)
        # Validated before anything is registered or built.
        for opt in owners:
            if not any(opt is o for o in self._inner_optimizers):
                opt.loss_scale_factor = self.loss_scale_factor
                self._inner_optimizers.append(opt)
        groups = [[] for _ in self._inner_optimizers]
        for var, opt in zip(var_list, owners):
            k = next(j for j, o in enumerate(self._inner_optimizers) if o is opt)
            self._owner.append(k)
            self._local.append(len(groups[k]))
            groups[k].append(var)
        for opt, variables in zip(self._inner_optimizers, groups):
            if variables:
                opt.build(variables)
        self._groups = groups
        super().build(var_list)
        self._num_own = len(self._variables)
        # Everything a step may write, after our own state: a LossScaleOptimizer around
        # this one snapshots `_variables` to undo a step that overflowed.
        for opt in self._inner_optimizers:
            self._variables.extend(v for v in opt._variables
                                   if not isinstance(v, MirrorVariable))

    @property
    def optimizers(self) -> list:
        """The inner optimizers (map values, then the default, then any added by build)."""
        return self._inner_optimizers

    # -- the step -------------------------------------------------------------------------

    @torch.no_grad()
    def step(self, closure=None):
        """Steps every inner optimizer on its variables' ``.grad``; one iteration."""
        loss = None
        if closure is not None:
            with torch.enable_grad():
                loss = closure()
        if not self.built:
            raise ValueError("MultiOptimizer.step() needs the optimizer built on its "
                             "variables first: call `optimizer.build(variables)`.")
        for opt, variables in zip(self._inner_optimizers, self._groups):
            if variables:
                opt.step()
        self._set_iterations(self._iterations + 1)
        return loss

    def _apply_core(self, grads: list, idx, inplace: bool) -> None:
        shares = [([], []) for _ in self._inner_optimizers]
        for k, g in enumerate(grads):
            i = k if idx is None else idx[k]
            sub_grads, sub_idx = shares[self._owner[i]]
            sub_grads.append(g)
            sub_idx.append(self._local[i])
        for opt, variables, (sub_grads, sub_idx) in zip(self._inner_optimizers, self._groups,
                                                        shares):
            if sub_grads:
                full = sub_idx == list(range(len(variables)))
                opt._apply_core(sub_grads, None if full else sub_idx, inplace)
        self._set_iterations(self._iterations + 1)

    def zero_grad(self, set_to_none: bool = True) -> None:
        for opt, variables in zip(self._inner_optimizers, self._groups):
            if variables:
                opt.zero_grad(set_to_none=set_to_none)

    def finalize_variable_values(self, var_list) -> None:
        """Lets each inner optimizer finalize (e.g. copy in its EMA) its own variables."""
        shares = [[] for _ in self._inner_optimizers]
        for var in torch_parameters(list(var_list)):
            shares[self._owner[self._param_index[id(var)]]].append(var)
        for opt, variables in zip(self._inner_optimizers, shares):
            if variables:
                opt.finalize_variable_values(variables)

    # -- no single learning rate ------------------------------------------------------------

    @property
    def learning_rate(self):
        raise AttributeError("Learning rate cannot be accessed on a MultiOptimizer. Access the "
                             "learning rate on the individual sub-optimizers instead.")

    @learning_rate.setter
    def learning_rate(self, value) -> None:
        raise AttributeError("Learning rate cannot be set on a MultiOptimizer. Set the "
                             "learning rate on the individual sub-optimizers instead.")

    lr = learning_rate

    @property
    def loss_scale_factor(self):
        return self.__dict__.get("_loss_scale_factor")

    @loss_scale_factor.setter
    def loss_scale_factor(self, value) -> None:
        self.__dict__["_loss_scale_factor"] = value
        for opt in self.__dict__.get("_inner_optimizers", ()):
            opt.loss_scale_factor = value

    # -- state --------------------------------------------------------------------------------

    @property
    def variables(self) -> list:
        """Iteration and (unused) learning rate, then each inner optimizer's variables."""
        out = self._variables[:self._num_own]
        for opt in self._inner_optimizers:
            out.extend(opt.variables)
        return out

    def _assign_all(self, variables: list, values: list) -> None:
        own = self._num_own
        Optimizer._assign_all(self, variables[:own], values[:own])
        start = own
        for opt in self._inner_optimizers:
            n = len(opt.variables)
            opt._assign_all(variables[start:start + n], values[start:start + n])
            start += n

    def __repr__(self) -> str:
        return "<MultiOptimizer name=%s optimizers=%r>" % (self.name, self._inner_optimizers)

    # -- config -------------------------------------------------------------------------------

    def get_config(self) -> dict:
        return {"optimizer_map": serialize_keras_object(self._optimizer_map),
                "loss_scale_factor": self.loss_scale_factor, "name": self.name}

    @classmethod
    def from_config(cls, config: dict, custom_objects: dict | None = None):
        config = dict(config)
        config["optimizer_map"] = deserialize_keras_object(config["optimizer_map"],
                                                           custom_objects=custom_objects)
        return cls(**config)
