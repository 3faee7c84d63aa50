"""TorchOptimizer: a ``torch.optim.Optimizer`` behind the Keras optimizer API.

``compile(optimizer=torch.optim.AdamW(model.parameters(), lr=1e-3))`` or
``compile(optimizer=torch.optim.SGD)`` (built on the model's weights when training
starts) both land here. The torch optimizer does the math; this wrapper adds
``iterations``, a settable ``learning_rate``, Keras-style clipping and saved state.
"""
from __future__ import annotations

import numpy as np
import torch

from torchkeras.optimizers import optimizer_utils as U
from torchkeras.optimizers.optimizer import Optimizer


class TorchOptimizer(Optimizer):
    """Drives a ``torch.optim.Optimizer`` (an instance, or a class built on ``build``).

    Args:
        optimizer: A ``torch.optim.Optimizer`` instance or subclass.
        clipnorm: Clip each gradient to this L2 norm before the torch step.
        clipvalue: Clip gradient elements to ``[-clipvalue, clipvalue]``.
        global_clipnorm: Clip all gradients to this joint L2 norm.
        name: Name of the optimizer.
        **optimizer_kwargs: Arguments for the class when ``optimizer`` is a class.

    Example:
        >>> opt = TorchOptimizer(torch.optim.AdamW, lr=1e-3, weight_decay=0.01)
        >>> opt.build(list(model.parameters()))
        >>> opt.learning_rate = 1e-4   # sets every param group's lr
    """

    def __init__(self, optimizer, clipnorm=None, clipvalue=None, global_clipnorm=None,
                 name: str | None = None, **optimizer_kwargs):
        if isinstance(optimizer, torch.optim.Optimizer):
            if optimizer_kwargs:
                raise ValueError("TorchOptimizer: keyword arguments %s only apply when given "
                                 "an optimizer class." % sorted(optimizer_kwargs))
            instance, cls = optimizer, type(optimizer)
        elif isinstance(optimizer, type) and issubclass(optimizer, torch.optim.Optimizer):
            instance, cls = None, optimizer
        else:
            raise ValueError("TorchOptimizer expects a torch.optim.Optimizer instance or class, "
                             "received %r" % (optimizer,))
        lr = optimizer_kwargs.get("lr")
        if lr is None:
            lr = instance.param_groups[0].get("lr", 0.0) if instance is not None else \
                _default_lr(cls)
        super().__init__(learning_rate=float(lr), clipnorm=clipnorm, clipvalue=clipvalue,
                         global_clipnorm=global_clipnorm, name=name)
        self.optimizer = instance
        self.optimizer_class = cls
        self.optimizer_kwargs = dict(optimizer_kwargs)
        if instance is not None:
            params = [p for group in instance.param_groups for p in group["params"]]
            self.build(params)

    def build(self, var_list) -> None:
        if self.built:
            return
        var_list = list(var_list)
        if self.optimizer is None:
            self.optimizer = self.optimizer_class(var_list, **self.optimizer_kwargs)
        self._params = var_list
        self._param_index = {id(p): i for i, p in enumerate(var_list)}
        self._trainable_variables = var_list[:]
        self._constrained = [(i, p) for i, p in enumerate(var_list)
                             if getattr(p, "constraint", None) is not None]
        self.built = True

    @torch.no_grad()
    def step(self, closure=None):
        grads = [p.grad for p in self._params if p.grad is not None]
        if grads:
            self._clip_in_place(grads)
        loss = self.optimizer.step(closure) if closure is not None else self.optimizer.step()
        for _, p in self._constrained:
            p.copy_(p.constraint(p))
        self._set_iterations(self._iterations + 1)
        return loss

    def _clip_in_place(self, grads: list) -> None:
        if self.clipnorm:
            U.clip_by_norm(grads, float(self.clipnorm), True)
        elif self.global_clipnorm:
            U.clip_by_global_norm(grads, float(self.global_clipnorm), True)
        elif self.clipvalue:
            U.clip_by_value(grads, float(self.clipvalue), True)

    def _apply_core(self, grads: list, idx, inplace: bool) -> None:
        # torch optimizers read `.grad`: hand the gradients over that way.
        chosen = self._params if idx is None else [self._params[i] for i in idx]
        chosen_ids = set(map(id, chosen))
        for p in self._params:
            if id(p) not in chosen_ids:
                p.grad = None
        for p, g in zip(chosen, grads):
            if p.grad is not g:
                p.grad = g if inplace else g.clone()
        self.step()

    def zero_grad(self, set_to_none: bool = True) -> None:
        self.optimizer.zero_grad(set_to_none=set_to_none)

    # The torch param groups hold the learning rate; the mirror variable follows them.
    def _on_lr_assigned(self, value) -> None:
        super()._on_lr_assigned(value)
        self._write_group_lr(self._lr_value)

    def _set_learning_rate(self, value, creating: bool = False) -> None:
        super()._set_learning_rate(value, creating)
        if not creating and self._learning_rate is None:
            self._write_group_lr(self._lr_value)

    def _write_group_lr(self, value: float) -> None:
        optimizer = getattr(self, "optimizer", None)
        for group in optimizer.param_groups if optimizer is not None else []:
            if isinstance(group["lr"], torch.Tensor):
                group["lr"].fill_(value)
            else:
                group["lr"] = value

    @property
    def learning_rate(self):
        if self.optimizer is not None and self._lr_var is not None:
            lr = self.optimizer.param_groups[0]["lr"]
            self._lr_var.data.fill_(float(lr))
            self._lr_value = U.as_float32(float(lr))
        return Optimizer.learning_rate.fget(self)

    @learning_rate.setter
    def learning_rate(self, value) -> None:
        self._set_learning_rate(value)

    lr = learning_rate

    # -- state: torch's state_dict, flattened into str keys --------------------------------

    @property
    def variables(self) -> list:
        out = [self._iterations_var]
        if self.optimizer is None:
            return out
        for p in self._params:
            state = self.optimizer.state.get(p, {})
            out.extend(v for _, v in sorted(state.items()) if isinstance(v, torch.Tensor))
        return out

    def save_own_variables(self, store: dict) -> None:
        store["iteration"] = np.asarray(self._iterations, dtype=np.int64)
        sd = self.optimizer.state_dict()
        for pid, state in sd["state"].items():
            for key, value in state.items():
                store["state/%d/%s" % (pid, key)] = _host_value(value)
        for gi, group in enumerate(sd["param_groups"]):
            for key, value in group.items():
                if key == "params":
                    continue
                if isinstance(value, torch.Tensor) or _is_numeric(value):
                    store["group/%d/%s" % (gi, key)] = _host_value(value)

    def load_own_variables(self, store: dict) -> None:
        sd = self.optimizer.state_dict()
        state: dict = {}
        for key, value in store.items():
            parts = key.split("/")
            if parts[0] == "state":
                state.setdefault(int(parts[1]), {})[parts[2]] = _as_tensor(value)
            elif parts[0] == "group":
                group = sd["param_groups"][int(parts[1])]
                old = group.get(parts[2])
                t = _as_tensor(value)
                group[parts[2]] = t if isinstance(old, torch.Tensor) else (
                    tuple(t.tolist()) if isinstance(old, (tuple, list)) else type(old)(t.item())
                    if isinstance(old, (bool, int, float)) else t.item())
        sd["state"] = state
        self.optimizer.load_state_dict(sd)
        self._set_iterations(int(np.asarray(store["iteration"])))
        self._lr_value = U.as_float32(float(self.optimizer.param_groups[0]["lr"]))
        self._lr_var.data.fill_(self._lr_value)

    def get_config(self) -> dict:
        defaults = dict(getattr(self.optimizer, "defaults", {}) or self.optimizer_kwargs)
        kwargs = {k: (list(v) if isinstance(v, tuple) else v) for k, v in defaults.items()
                  if _is_numeric(v) or isinstance(v, (bool, str, type(None)))}
        kwargs["lr"] = float(self.learning_rate)
        return {"name": self.name, "optimizer": self.optimizer_class.__name__,
                "clipnorm": self.clipnorm, "clipvalue": self.clipvalue,
                "global_clipnorm": self.global_clipnorm, **kwargs}

    @classmethod
    def from_config(cls, config: dict, custom_objects: dict | None = None):
        config = dict(config)
        name = config.pop("optimizer")
        klass = getattr(torch.optim, name, None)
        if not (isinstance(klass, type) and issubclass(klass, torch.optim.Optimizer)):
            raise ValueError("Unknown torch.optim optimizer %r" % (name,))
        kwargs = {k: (tuple(v) if isinstance(v, list) else v) for k, v in config.items()}
        return cls(klass, **kwargs)


def _default_lr(cls) -> float:
    import inspect
    try:
        default = inspect.signature(cls.__init__).parameters["lr"].default
    except (KeyError, TypeError, ValueError):
        return 0.001
    return float(default) if isinstance(default, (int, float)) else 0.001


def _is_numeric(value) -> bool:
    if isinstance(value, (tuple, list)):
        return all(_is_numeric(v) for v in value)
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _host_value(value):
    # Python floats stay float64 so hyperparameters round-trip exactly.
    return U.to_numpy_or_tensor(value) if isinstance(value, torch.Tensor) else np.asarray(value)


def _as_tensor(value) -> torch.Tensor:
    return value.detach().clone() if isinstance(value, torch.Tensor) else \
        torch.as_tensor(np.asarray(value))
