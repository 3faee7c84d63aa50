"""Adagrad: step sizes shrink with the accumulated squared gradients."""
from __future__ import annotations

import torch

from torchkeras.optimizers import optimizer_utils as U
from torchkeras.optimizers.optimizer import Optimizer


class Adagrad(Optimizer):
    """Adagrad (Duchi et al., 2011).

    ``acc += g^2``; ``w -= lr * g / sqrt(acc + epsilon)``, the accumulator starting
    at ``initial_accumulator_value`` (torch's Adagrad starts at 0 and adds epsilon
    outside the square root).

    Args:
        learning_rate: Float, schedule or callable. Defaults to 0.001.
        initial_accumulator_value: Starting accumulator value. Defaults to 0.1.
        epsilon: Numerical-stability constant. Defaults to 1e-7.
        **kwargs: Common optimizer arguments (``weight_decay``, ``clipnorm``, ...).

    Example:
        >>> opt = Adagrad(learning_rate=0.01)
    """

    def __init__(self, learning_rate=0.001, initial_accumulator_value: float = 0.1,
                 epsilon: float = 1e-7, weight_decay=None,
                 clipnorm=None, clipvalue=None, global_clipnorm=None, use_ema=False,
                 ema_momentum=0.99, ema_overwrite_frequency=None, loss_scale_factor=None,
                 gradient_accumulation_steps=None, name=None, **kwargs):
        super().__init__(
            learning_rate=learning_rate, name=name, weight_decay=weight_decay,
            clipnorm=clipnorm, clipvalue=clipvalue, global_clipnorm=global_clipnorm,
            use_ema=use_ema, ema_momentum=ema_momentum,
            ema_overwrite_frequency=ema_overwrite_frequency,
            loss_scale_factor=loss_scale_factor,
            gradient_accumulation_steps=gradient_accumulation_steps, **kwargs)
        owner = type(self).__name__
        self.initial_accumulator_value = U.check_number(
            owner, "initial_accumulator_value", initial_accumulator_value, low=0)
        self.epsilon = U.check_number(owner, "epsilon", epsilon, low=0)

    def build(self, var_list) -> None:
        if self._reuse_build(var_list):
            return
        super().build(var_list)
        self._accumulators = self.add_optimizer_variables(
            var_list, "accumulator", initializer=float(self.initial_accumulator_value))

    def _update(self, params, grads, idx, lr, step) -> None:
        acc = self._take(self._accumulators, idx)
        torch._foreach_addcmul_(acc, grads, grads)
        denom = torch._foreach_add(acc, self.epsilon)
        torch._foreach_sqrt_(denom)
        torch._foreach_addcdiv_(params, grads, denom, -lr)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({"initial_accumulator_value": self.initial_accumulator_value,
                       "epsilon": self.epsilon})
        return config
