"""LossScaleOptimizer: dynamic loss scaling for float16 training, without host syncs.

The scale and the growth counter are device tensors. ``step`` unscales the gradients
and detects overflow in one kernel (``torch._amp_foreach_non_finite_check_and_unscale_``),
runs the inner optimizer, and on overflow puts the weights and slots back from a
snapshot with ``torch.where`` — the host never learns whether the step was skipped.
"""
from __future__ import annotations

import torch

from torchkeras.optimizers.optimizer import Optimizer
from torchkeras.optimizers.optimizer_utils import MirrorVariable
from torchkeras.saving.serialization import (deserialize_keras_object,
                                             serialize_keras_object)

_UNSUPPORTED = {"weight_decay": None, "clipnorm": None, "global_clipnorm": None,
                "clipvalue": None, "use_ema": False, "ema_momentum": 0.99,
                "ema_overwrite_frequency": None, "loss_scale_factor": None,
                "gradient_accumulation_steps": None}


class LossScaleOptimizer(Optimizer):
    """Wraps an optimizer with dynamic loss scaling (Keras semantics).

    Multiply the loss with ``scale_loss`` before ``backward``. Each step divides the
    gradients by the scale; if any is inf/NaN, the update is skipped and the scale
    halves, and after ``dynamic_growth_steps`` finite steps in a row the scale doubles.

    A skipped step still advances ``iterations`` (and hence schedules and bias
    corrections) because the host does not read the overflow flag.

    Args:
        inner_optimizer: The torchkeras optimizer to wrap.
        initial_scale: Starting loss scale. Defaults to 2**15.
        dynamic_growth_steps: Finite steps between scale doublings. Defaults to 2000.
        name: Name of the optimizer.

    Example:
        >>> opt = LossScaleOptimizer(Adam())
        >>> opt.build(params)
        >>> opt.scale_loss(loss).backward(); opt.step(); opt.zero_grad()
    """

    def __init__(self, inner_optimizer, initial_scale: float = 2.0 ** 15,
                 dynamic_growth_steps: int = 2000, name: str | None = None, **kwargs):
        if not kwargs.pop("dynamic", True):
            raise ValueError("LossScaleOptimizer no longer supports `dynamic=False`. Instead, "
                             "simply set `loss_scale_factor` directly on the `inner_optimizer`.")
        for arg, default in _UNSUPPORTED.items():
            if arg in kwargs and kwargs.pop(arg) != default:
                raise ValueError("LossScaleOptimizer does not support `%s`. Instead, set `%s` "
                                 "on the `inner_optimizer`." % (arg, arg))
        if kwargs:
            raise ValueError("LossScaleOptimizer does not support arguments: `%s`."
                             % "`, `".join(kwargs))
        if not isinstance(inner_optimizer, Optimizer) or not hasattr(inner_optimizer, "_update"):
            raise ValueError("LossScaleOptimizer expects a torchkeras optimizer, received %r"
                             % (inner_optimizer,))
        from torchkeras.optimizers.torch_optimizer import TorchOptimizer
        if isinstance(inner_optimizer, TorchOptimizer):
            raise ValueError("LossScaleOptimizer cannot wrap a TorchOptimizer; use "
                             "torch.amp.GradScaler with torch.optim optimizers.")
        if not initial_scale > 0:
            raise ValueError("`initial_scale` must be > 0, received %r" % (initial_scale,))
        if not isinstance(dynamic_growth_steps, int) or dynamic_growth_steps < 1:
            raise ValueError("`dynamic_growth_steps` must be an int >= 1, received %r"
                             % (dynamic_growth_steps,))
        super().__init__(learning_rate=0.0, name=name)
        self.inner_optimizer = inner_optimizer
        self.initial_scale = initial_scale
        self.dynamic_growth_steps = dynamic_growth_steps
        # The inner optimizer must not scale a second time.
        self.inner_optimizer.loss_scale_factor = None
        self.step_counter = None
        self.dynamic_scale = None
        self._state_cache = None

    def build(self, var_list) -> None:
        if self.built:
            self.inner_optimizer.build(var_list)
            device = self.inner_optimizer._params[0].device if self._params else None
            if device is not None and self.dynamic_scale.device != device:
                for v in (self.step_counter, self.dynamic_scale):
                    v.data = v.data.to(device)
                self._found_inf = self._found_inf.to(device)
            return
        var_list = list(var_list)
        device = var_list[0].device if var_list else None
        self.step_counter = self.add_variable((), dtype="int32", name="step_counter",
                                              device=device)
        self.dynamic_scale = self.add_variable((), dtype="float32", name="dynamic_scale",
                                               initializer=float(self.initial_scale),
                                               device=device)
        self.inner_optimizer.build(var_list)
        self._params = var_list
        self._param_index = {id(p): i for i, p in enumerate(var_list)}
        self._trainable_variables = var_list[:]
        self._found_inf = torch.zeros(1, dtype=torch.float32, device=device)
        self.built = True

    @property
    def variables(self) -> list:
        return self._variables[:] + self.inner_optimizer.variables

    def _apply_core(self, grads: list, idx, inplace: bool) -> None:
        inner = self.inner_optimizer
        found_inf = self._found_inf
        found_inf.zero_()
        if not inplace:
            grads = [g.clone() for g in grads]
        inv_scale = torch.reciprocal(self.dynamic_scale)
        torch._amp_foreach_non_finite_check_and_unscale_(grads, found_inf, inv_scale)
        if inner._can_skip_on_device():
            # The fused kernel reads the flag itself and leaves everything untouched.
            inner._found_inf = found_inf
            try:
                inner._apply_core(grads, idx, inplace=True)
            finally:
                inner._found_inf = None
        else:
            self._apply_or_restore(inner, grads, idx, found_inf)
        torch._amp_update_scale_(self.dynamic_scale, self.step_counter, found_inf, 2.0, 0.5,
                                 self.dynamic_growth_steps)

    def _apply_or_restore(self, inner: Optimizer, grads: list, idx, found_inf) -> None:
        """Any inner optimizer: run it, then select the old state where the flag is set.

        Zeroed gradients keep the skipped update finite, so the selection is exact
        arithmetic (``new * keep + old * skip``) in a few multi-tensor kernels.
        """
        skip = found_inf.view(())
        _zero_all_if(grads, skip)
        state = self._state_tensors(inner, idx)
        saved = torch._foreach_mul(state, skip)
        inner._apply_core(grads, idx, inplace=True)
        torch._foreach_mul_(state, 1.0 - skip)
        torch._foreach_add_(state, saved)

    def _state_tensors(self, inner: Optimizer, idx) -> list:
        """Everything a step may write on the device: the parameters and every slot."""
        cached = self._state_cache
        if cached is None or cached[0] is not inner._variables or cached[1] != len(
                inner._variables):
            # Host-mirrored scalars (iteration, learning rate, ...) are not device state.
            slots = [v for v in inner._variables if not isinstance(v, MirrorVariable)]
            cached = self._state_cache = (inner._variables, len(inner._variables),
                                          inner._params + slots)
        if idx is None:
            return cached[2]
        return [inner._params[i] for i in idx] + cached[2][len(inner._params):]

    def scale_loss(self, loss):
        """``loss * scale`` (the current dynamic scale once built)."""
        scale = self.dynamic_scale if self.built else self.initial_scale
        return loss * scale

    @property
    def learning_rate(self):
        return self.inner_optimizer.learning_rate

    @learning_rate.setter
    def learning_rate(self, value) -> None:
        self.inner_optimizer.learning_rate = value

    @property
    def iterations(self):
        return self.inner_optimizer.iterations

    @iterations.setter
    def iterations(self, value) -> None:
        self.inner_optimizer.iterations = value

    def finalize_variable_values(self, var_list) -> None:
        self.inner_optimizer.finalize_variable_values(var_list)

    def _assign_all(self, variables: list, values: list) -> None:
        own = len(self._variables)
        Optimizer._assign_all(self, variables[:own], values[:own])
        self.inner_optimizer._assign_all(variables[own:], values[own:])

    def get_config(self) -> dict:
        return {"name": self.name, "inner_optimizer": serialize_keras_object(self.inner_optimizer),
                "initial_scale": self.initial_scale,
                "dynamic_growth_steps": self.dynamic_growth_steps}

    @classmethod
    def from_config(cls, config: dict, custom_objects: dict | None = None):
        config = dict(config)
        inner = deserialize_keras_object(config.pop("inner_optimizer"),
                                         custom_objects=custom_objects)
        return cls(inner, **config)


def _zero_all_if(grads: list, flag: torch.Tensor) -> None:
    """Zeroes every gradient in place where the device scalar ``flag`` is 1 (NaN-safe).

    One ``where`` over a concatenation instead of one per tensor: the per-tensor Python
    calls, not the memory traffic, are what a step with many small tensors pays for.
    """
    cond, zero = flag.bool(), torch.zeros_like(flag)
    flat = [g.view(-1) for g in grads if g.is_contiguous()]
    if len(flat) != len(grads) or len({(g.dtype, g.device) for g in grads}) != 1:
        for g in grads:
            torch.where(cond, zero, g, out=g)
        return
    merged = torch.where(cond, zero, torch.cat(flat))
    torch._foreach_copy_(flat, merged.split([g.numel() for g in flat]))
