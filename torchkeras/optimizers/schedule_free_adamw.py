"""ScheduleFreeAdamW: AdamW without a learning-rate schedule (Defazio et al., 2024)."""
from __future__ import annotations

import math

import torch

from torchkeras.optimizers import optimizer_utils as U
from torchkeras.optimizers.optimizer import Optimizer


class ScheduleFreeAdamW(Optimizer):
    """Schedule-Free AdamW: interpolation and averaging instead of a decaying rate.

    Keeps ``z`` (the ``momentum`` slot, where Adam-normalised gradient steps land) and
    holds in the weights ``y = (1 - beta_1) * z + beta_1 * x``, where ``x`` is the
    uniform average of the ``z`` iterates (weight ``1/t``), recovered from ``y`` and
    ``z`` each step. A step, with ``t`` the 1-based step and ``lr`` warmed up linearly
    over ``warmup_steps``::

        v = beta_2 * v + (1 - beta_2) * g^2
        z_new = z - lr * g / (sqrt(v / (1 - beta_2^t)) + epsilon)
        x = (y - (1 - beta_1) * z) / beta_1
        x = (1 - 1/t) * x + (1/t) * z_new
        y = (1 - beta_1) * z_new + beta_1 * x

    ``x`` is recovered from the ``z`` *before* the step, as Keras's code states and does
    on JAX and TensorFlow. (Keras 3.15 on its torch backend reads that ``z`` after it was
    updated in place; its weights then differ from these by about 1e-3 after ten steps at
    learning rate 0.01.)

    Args:
        learning_rate: Float, schedule or callable. Defaults to 0.0025.
        beta_1: Interpolation between ``z`` and ``x`` (and the averaging). Defaults to 0.9.
        beta_2: Decay rate of the second moment. Defaults to 0.999.
        epsilon: Numerical-stability constant. Defaults to 1e-8.
        warmup_steps: Steps over which the rate rises linearly from 0. Defaults to 0.
        **kwargs: Common optimizer arguments (``weight_decay``, ``clipnorm``, ...).

    Example:
        >>> opt = ScheduleFreeAdamW(learning_rate=0.0025, warmup_steps=100)
        >>> model.compile(optimizer=opt, loss="mse")
    """

    def __init__(self, learning_rate=0.0025, beta_1: float = 0.9, beta_2: float = 0.999,
                 epsilon: float = 1e-8, warmup_steps: int = 0, weight_decay=None,
                 clipnorm=None, clipvalue=None, global_clipnorm=None, use_ema=False,
                 ema_momentum=0.99, ema_overwrite_frequency=None, loss_scale_factor=None,
                 gradient_accumulation_steps=None, name=None, **kwargs):
        owner = type(self).__name__
        # beta_1 divides in the recovery of x: 0 is not allowed.
        U.check_number(owner, "beta_1", beta_1, low=0, high=1, low_open=True,
                       high_open=True)
        U.check_number(owner, "beta_2", beta_2, low=0, high=1, high_open=True)
        U.check_number(owner, "epsilon", epsilon, low=0)
        U.check_count(owner, "warmup_steps", warmup_steps)
        super().__init__(
            learning_rate=learning_rate, name=name, weight_decay=weight_decay,
            clipnorm=clipnorm, clipvalue=clipvalue, global_clipnorm=global_clipnorm,
            use_ema=use_ema, ema_momentum=ema_momentum,
            ema_overwrite_frequency=ema_overwrite_frequency,
            loss_scale_factor=loss_scale_factor,
            gradient_accumulation_steps=gradient_accumulation_steps, **kwargs)
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.warmup_steps = int(warmup_steps)

    def build(self, var_list) -> None:
        if self._reuse_build(var_list):
            return
        super().build(var_list)
        self._momentums, self._velocities = self.add_optimizer_variables(
            var_list, ["momentum", "velocity"])
        # z starts at the initial weights.
        with torch.no_grad():
            torch._foreach_copy_(self._momentums, [v.detach() for v in var_list])

    def _update(self, params, grads, idx, lr, step) -> None:
        t = step + 1
        if self.warmup_steps > 0:
            lr = lr * min(t / self.warmup_steps, 1.0)
        b1, b2 = self.beta_1, self.beta_2
        z = self._take(self._momentums, idx)
        v = self._take(self._velocities, idx)
        w = 1.0 / t
        # y_new = (1-w)*y - (1-w)*(1-b1)*z_old + ((1-b1) + b1*w)*z_new: Keras's three
        # lines folded so that the old z is used before it is overwritten (no copy).
        torch._foreach_mul_(params, 1.0 - w)
        torch._foreach_add_(params, z, alpha=-(1.0 - w) * (1.0 - b1))
        torch._foreach_mul_(v, b2)
        torch._foreach_addcmul_(v, grads, grads, 1.0 - b2)
        denom = torch._foreach_sqrt(v)
        torch._foreach_mul_(denom, 1.0 / math.sqrt(1.0 - b2 ** t))
        torch._foreach_add_(denom, self.epsilon)
        torch._foreach_addcdiv_(z, grads, denom, -lr)
        torch._foreach_add_(params, z, alpha=(1.0 - b1) + b1 * w)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({"beta_1": self.beta_1, "beta_2": self.beta_2, "epsilon": self.epsilon,
                       "warmup_steps": self.warmup_steps})
        return config
