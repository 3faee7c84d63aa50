"""Optimizer: the Keras 3 optimizer contract, stepping torch parameters in place.

An optimizer is bound to a list of parameters by ``build`` and then either
``step()``s on their ``.grad`` (the torch way, used by ``fit``) or ``apply``s given
gradients (the Keras way). Either path runs Keras's sequence: loss-scale undo,
gradient accumulation, clipping, decoupled weight decay, the update rule, EMA,
constraints, then the iteration count goes up. The step count and learning rate are
Python numbers on the host, so a step issues only device kernels, never a sync.
"""
from __future__ import annotations

import functools
import re
import warnings

import numpy as np
import torch

from torchkeras.optimizers import optimizer_utils as U
from torchkeras.optimizers.optimizer_base import OptimizerBase
from torchkeras.variable_view import torch_gradient, torch_parameters


class Optimizer(OptimizerBase):
    """Base class of torchkeras optimizers (Keras 3 ``keras.optimizers.Optimizer``).

    Subclasses create their slot variables in ``build`` with
    ``add_optimizer_variables`` and implement ``_update(params, grads, idx, lr, step)``
    with ``torch._foreach_*`` ops, or Keras's per-variable
    ``update_step(gradient, variable, learning_rate)``.

    Args:
        learning_rate: Float, a ``LearningRateSchedule``, or a no-argument callable.
        weight_decay: If set, ``w -= w * weight_decay * lr`` before each update.
        clipnorm: Clip each gradient to this L2 norm.
        clipvalue: Clip each gradient element to ``[-clipvalue, clipvalue]``.
        global_clipnorm: Clip all gradients together to this joint L2 norm.
        use_ema: Keep an exponential moving average of the weights.
        ema_momentum: EMA momentum.
        ema_overwrite_frequency: Every this many steps, copy the EMA into the weights.
        loss_scale_factor: Multiply the loss (``scale_loss``) and divide the gradients.
        gradient_accumulation_steps: Update every this many steps with the mean gradient.
        name: Name of the optimizer.

    Example:
        >>> opt = torchkeras.optimizers.Adam(learning_rate=1e-3)
        >>> opt.build(list(model.parameters()))
        >>> loss.backward(); opt.step(); opt.zero_grad()
    """

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if "build" in cls.__dict__:
            cls.build = _on_parameters(cls.__dict__["build"])

    # -- building -----------------------------------------------------------------------

    def build(self, var_list) -> None:
        """Binds the optimizer to ``var_list`` and creates the shared slots (EMA, accumulators).

        ``var_list`` may hold parameters or Keras-layout views (``model.trainable_weights``);
        either way the optimizer works on the parameters.
        """
        var_list = torch_parameters(var_list)
        if self._reuse_build(var_list):
            return
        var_list = list(var_list)
        self._params = var_list
        self._param_index = {id(p): i for i, p in enumerate(var_list)}
        self._trainable_variables = var_list[:]
        if self.use_ema:
            self._model_variables_moving_average = self.add_optimizer_variables(
                var_list, "average")
        if self.gradient_accumulation_steps:
            self._accumulated_gradients = self.add_optimizer_variables(
                var_list, "gradient_accumulator")
        self._refresh_weight_decay_lists()
        self._constrained = [(i, p) for i, p in enumerate(var_list)
                             if getattr(p, "constraint", None) is not None]
        self.built = True

    def _reuse_build(self, var_list) -> bool:
        """True if already built (``build`` is then a no-op, as in Keras).

        The slots follow the parameters to their device, so ``model.to("cuda")`` between
        two ``fit`` calls (each of which calls ``build``) keeps the optimizer usable.
        """
        if not self.built:
            return False
        devices = {p.device for p in self._params}
        if len(devices) == 1:
            device = devices.pop()
            moved = False
            for v in self._variables:
                if not isinstance(v, U.MirrorVariable) and v.device != device:
                    v.data = v.data.to(device)
                    moved = True
            if moved:
                self._on_device_change()
        return True

    def _on_device_change(self) -> None:
        """Hook: recreate device-side helpers after the slots moved."""

    def _var_key(self, variable) -> int:
        return id(variable)

    def _get_variable_index(self, variable) -> int:
        return self._param_index[id(variable)]

    def add_variable(self, shape, initializer="zeros", dtype=None, aggregation: str = "none",
                     layout=None, name: str | None = None, device=None) -> torch.Tensor:
        """Creates and tracks an optimizer variable (a non-trainable ``Variable``).

        Example:
            >>> self.counter = self.add_variable((), dtype="int64", name="counter")
        """
        from torchkeras import config as _config
        dtype = _config.to_torch_dtype(dtype)
        if device is None:
            device = self._params[0].device if self._params else _config.get_device()
        value = _initial_value(initializer, torch.empty(tuple(shape), dtype=dtype,
                                                          device=device))
        return self._track(value, name or "variable")

    def add_variable_from_reference(self, reference_variable, name: str | None = None,
                                    initializer="zeros") -> torch.Tensor:
        """A slot shaped, typed and placed like ``reference_variable`` (same strides)."""
        ref_name = getattr(reference_variable, "path", None) or \
            getattr(reference_variable, "name", None) or "variable"
        full = "%s_%s" % (str(ref_name).replace("/", "_").replace(":", "_"), name or "var")
        like = torch.empty_like(reference_variable.detach(), memory_format=torch.preserve_format)
        return self._track(_initial_value(initializer, like), full)

    def add_optimizer_variables(self, trainable_variables, name, initializer="zeros"):
        """One slot per variable for each name; several names interleave per variable."""
        names = [name] if isinstance(name, str) else list(name)
        inits = initializer if isinstance(initializer, (list, tuple)) else \
            [initializer] * len(names)
        out = tuple([] for _ in names)
        for var in trainable_variables:
            for k, (n, init) in enumerate(zip(names, inits)):
                out[k].append(self.add_variable_from_reference(var, name=n, initializer=init))
        return out[0] if isinstance(name, str) else out

    def _track(self, tensor: torch.Tensor, name: str) -> torch.Tensor:
        from torchkeras.variables import Variable
        var = Variable(tensor, trainable=False, name=name)
        self._variables.append(var)
        return var

    # -- weight decay ----------------------------------------------------------------------

    def exclude_from_weight_decay(self, var_list=None, var_names=None) -> None:
        """Leaves the given variables, or those whose name matches a string, undecayed.

        Args:
            var_list: Variables to exclude.
            var_names: Substrings (regular expressions); a variable whose name contains one
                is excluded, e.g. ``["bias"]``.

        Example:
            >>> opt.exclude_from_weight_decay(var_names=["bias", "gamma", "beta"])
        """
        self._exclude_ids = set(id(v) for v in var_list) if var_list else set()
        self._exclude_pattern = re.compile("|".join(set(var_names))) if var_names else None
        if self.built:
            self._refresh_weight_decay_lists()

    def _use_weight_decay(self, variable) -> bool:
        if id(variable) in self._exclude_ids:
            return False
        pattern = self._exclude_pattern
        return pattern is None or pattern.search(str(getattr(variable, "name", "") or "")) is None

    def _refresh_weight_decay_lists(self) -> None:
        self._decay_mask = [self._use_weight_decay(p) for p in self._params]
        self._decay_params = [p for p, m in zip(self._params, self._decay_mask) if m]
        self._decay_all = len(self._decay_params) == len(self._params)

    # -- the step ----------------------------------------------------------------------------

    @torch.no_grad()
    def step(self, closure=None):
        """Applies the built parameters' current ``.grad`` (parameters without one are skipped).

        Args:
            closure: Optional callable re-evaluating the loss (torch convention).

        Returns:
            The closure's loss, or None.
        """
        loss = None
        if closure is not None:
            with torch.enable_grad():
                loss = closure()
        if not self.built:
            raise ValueError("%s.step() needs the optimizer built on its variables first: "
                             "call `optimizer.build(variables)`." % type(self).__name__)
        grads = [p.grad for p in self._params]
        present = [i for i, g in enumerate(grads) if g is not None]
        if len(present) != len(grads):
            if not present:
                return loss
            grads = [grads[i] for i in present]
            self._apply_core(grads, present, inplace=True)
        else:
            self._apply_core(grads, None, inplace=True)
        return loss

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Clears the built parameters' gradients (``None``, or zeros in place)."""
        if set_to_none:
            for p in self._params:
                p.grad = None
        else:
            grads = [p.grad for p in self._params if p.grad is not None]
            if grads:
                for g in grads:
                    g.detach_()
                    g.requires_grad_(False)
                torch._foreach_zero_(grads)

    def apply_gradients(self, grads_and_vars):
        """Keras's ``apply_gradients(zip(grads, vars))``; returns ``iterations``."""
        grads, variables = zip(*grads_and_vars)
        self.apply(grads, variables)
        return self.iterations

    def apply(self, grads, trainable_variables=None) -> None:
        """Updates ``trainable_variables`` (default: the built list) with ``grads``.

        Builds the optimizer on first use. ``None`` gradients are skipped with a warning.

        Example:
            >>> opt.apply([w.grad for w in weights], weights)
        """
        grads = list(grads)
        if not grads:
            return
        if trainable_variables is None:
            if not self.built:
                raise ValueError(
                    "When passing `grads` without `variables`, the optimizer must already be "
                    "built on a list of variables. Call `optimizer.build(trainable_variables)` "
                    "first.")
            if len(grads) != len(self._params):
                raise ValueError(
                    "When passing `grads` as a list of gradient tensors, the gradients must "
                    "match `optimizer.variables` one-to-one. Received a list of %d gradients, "
                    "but the optimizer is tracking %d trainable variables."
                    % (len(grads), len(self._params)))
            idx = list(range(len(grads)))
        else:
            variables = list(trainable_variables)
            if len(variables) != len(grads):
                raise ValueError("apply() got %d gradients for %d variables."
                                 % (len(grads), len(variables)))
            # Keras-layout views (``model.trainable_weights``) update their parameters.
            grads = [torch_gradient(v, g) for v, g in zip(variables, grads)]
            variables = torch_parameters(variables)
            if not self.built:
                self.build(variables)
            idx = []
            for v in variables:
                i = self._param_index.get(id(v))
                if i is None:
                    raise ValueError(
                        "Unknown variable: %r. This optimizer can only be called for the "
                        "variables it was originally built with. When working with a new set "
                        "of variables, you should recreate a new optimizer instance." % (v,))
                idx.append(i)
        keep = [k for k, g in enumerate(grads) if g is not None]
        if not keep:
            raise ValueError("No gradients provided for any variable.")
        if len(keep) != len(grads):
            missing = [getattr(self._params[idx[k]], "name", None) or "variable_%d" % idx[k]
                       for k in range(len(grads)) if grads[k] is None]
            warnings.warn("Gradients do not exist for variables %s when minimizing the loss. "
                          "If using `model.compile()`, did you forget to provide a `loss` "
                          "argument?" % missing, stacklevel=2)
            grads, idx = [grads[k] for k in keep], [idx[k] for k in keep]
        grads = [_as_grad(g, self._params[i]) for g, i in zip(grads, idx)]
        if idx == list(range(len(self._params))):
            idx = None
        with torch.no_grad():
            self._apply_core(grads, idx, inplace=False)

    def _apply_core(self, grads: list, idx, inplace: bool) -> None:
        """One Keras ``apply``: ``grads`` belong to ``self._params`` (or the ``idx`` subset)."""
        raw_step = self._iterations
        lr = self._current_lr()
        params = self._params if idx is None else [self._params[i] for i in idx]
        if self.loss_scale_factor is not None:
            grads = torch._foreach_div(grads, float(self.loss_scale_factor))
            inplace = True
        k = self.gradient_accumulation_steps
        if k:
            step = raw_step // k
            acc = self._take(self._accumulated_gradients, idx)
            if (raw_step + 1) % k == 0:
                grads = torch._foreach_add(grads, acc)
                torch._foreach_div_(grads, float(k))
                self._clip_decay_update(params, grads, idx, lr, step, True)
                torch._foreach_zero_(self._accumulated_gradients)
            else:
                torch._foreach_add_(acc, grads)
        else:
            step = raw_step
            self._clip_decay_update(params, grads, idx, lr, step, inplace)
        if self.use_ema:
            self._update_ema(step)
        if self._constrained:
            chosen = None if idx is None else set(idx)
            for i, p in self._constrained:
                if chosen is None or i in chosen:
                    p.copy_(p.constraint(p))
        self._set_iterations(raw_step + 1)

    def _clip_decay_update(self, params, grads, idx, lr, step, inplace) -> None:
        if self.clipnorm:
            grads = U.clip_by_norm(grads, float(self.clipnorm), inplace)
        elif self.global_clipnorm:
            grads = U.clip_by_global_norm(grads, float(self.global_clipnorm), inplace)
        elif self.clipvalue:
            grads = U.clip_by_value(grads, float(self.clipvalue), inplace)
        if self._decays_weights():
            self._decay_weights(params, idx, lr)
        self._update(params, grads, idx, lr, step)

    def _decays_weights(self) -> bool:
        """Hook: True if ``_decay_weights`` has work to do this step."""
        return bool(self.weight_decay)

    def _decay_weights(self, params, idx, lr: float) -> None:
        """Keras's decoupled weight decay, ``w -= w * weight_decay * lr``."""
        if idx is None:
            decayed = self._decay_params
        else:
            mask = self._decay_mask
            decayed = [p for p, i in zip(params, idx) if mask[i]]
        if decayed:
            torch._foreach_mul_(decayed, 1.0 - float(self.weight_decay) * lr)

    def _can_skip_on_device(self) -> bool:
        """True if ``_update`` honours ``self._found_inf`` (a device flag: 1 = skip)."""
        return False

    def _update(self, params: list, grads: list, idx, lr: float, step: int) -> None:
        """The update rule over all given parameters; default: Keras's ``update_step`` loop."""
        for g, p in zip(grads, params):
            self.update_step(g, p, lr)

    def update_step(self, gradient, variable, learning_rate) -> None:
        raise NotImplementedError("%s must implement `_update` or `update_step`."
                                  % type(self).__name__)

    # Keras's helpers for ``update_step`` bodies.
    @staticmethod
    def assign(variable, value) -> None:
        variable.copy_(value)

    @staticmethod
    def assign_add(variable, value) -> None:
        variable.add_(value)

    @staticmethod
    def assign_sub(variable, value) -> None:
        variable.sub_(value)

    @staticmethod
    def _take(items: list, idx) -> list:
        return items if idx is None else [items[i] for i in idx]

    def _update_ema(self, step: int) -> None:
        averages = self._model_variables_moving_average
        momentum = self.ema_momentum if step != 0 else 0.0
        torch._foreach_lerp_(averages, self._params, 1.0 - momentum)
        freq = self.ema_overwrite_frequency
        if freq and (step + 1) % freq == 0:
            torch._foreach_copy_(self._params, averages)

    def ema_variables(self) -> tuple[list, list] | None:
        """``(trained variables, their moving averages)``, aligned, when the optimizer
        was built with ``use_ema=True``; else None. The public handle ``SwapEMAWeights``
        swaps through.

        Example:
            >>> opt = keras.optimizers.SGD(use_ema=True)
            >>> opt.build([torch.nn.Parameter(torch.ones(2))])
            >>> len(opt.ema_variables()[1])
            1
        """
        averages = getattr(self, "_model_variables_moving_average", None)
        if averages is None:
            return None
        return list(self._trainable_variables), list(averages)

    def finalize_variable_values(self, var_list) -> None:
        """With ``use_ema``, copies the moving averages into ``var_list`` (end of training)."""
        if not self.use_ema:
            return
        var_list = list(var_list)
        averages = self._model_variables_moving_average
        if len(var_list) != len(averages):
            raise ValueError(
                "The length of model variables (%d) to override does not match the length of "
                "model variables stored in the optimizer (%d). Please check if the optimizer "
                "was called on your model." % (len(var_list), len(averages)))
        with torch.no_grad():
            for var, avg in zip(var_list, averages):
                var.copy_(avg)


def _initial_value(initializer, like: torch.Tensor) -> torch.Tensor:
    if isinstance(initializer, str) and initializer in ("zeros", "zero"):
        return like.zero_()
    if isinstance(initializer, str) and initializer in ("ones", "one"):
        return like.fill_(1)
    if isinstance(initializer, (int, float)) and not isinstance(initializer, bool):
        return like.fill_(initializer)
    value = getattr(initializer, "value", None)  # Constant initializers
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return like.fill_(value)
    from torchkeras import initializers
    init = initializers.get(initializer)
    out = init(tuple(like.shape), dtype=like.dtype)
    return like.copy_(torch.as_tensor(out))


def _on_parameters(build):
    """Wraps a ``build(var_list)`` so Keras-layout views (``model.trainable_weights``)
    bind the optimizer to their parameters, whose layout the slots take."""
    @functools.wraps(build)
    def wrapper(self, var_list):
        return build(self, torch_parameters(var_list))
    return wrapper


def _as_grad(g, param: torch.Tensor) -> torch.Tensor:
    if isinstance(g, torch.Tensor):
        g = g.detach()
        if g.device != param.device or g.dtype != param.dtype:
            g = g.to(device=param.device, dtype=param.dtype)
        return g
    return torch.as_tensor(np.asarray(g), dtype=param.dtype, device=param.device)
