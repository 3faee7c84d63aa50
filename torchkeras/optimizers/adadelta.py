"""Adadelta: per-dimension step sizes from running averages of updates and gradients."""
from __future__ import annotations

import torch

from torchkeras.optimizers import optimizer_utils as U
from torchkeras.optimizers.optimizer import Optimizer


class Adadelta(Optimizer):
    """Adadelta (Zeiler, 2012).

    ``E[g^2] = rho*E[g^2] + (1-rho)*g^2``;
    ``d = sqrt(E[dx^2] + eps) / sqrt(E[g^2] + eps) * g``;
    ``E[dx^2] = rho*E[dx^2] + (1-rho)*d^2``; ``w -= lr * d``.

    Args:
        learning_rate: Float, schedule or callable. Defaults to 0.001.
        rho: Decay rate. Defaults to 0.95.
        epsilon: Numerical-stability constant. Defaults to 1e-7.
        **kwargs: Common optimizer arguments (``weight_decay``, ``clipnorm``, ...).

    Example:
        >>> opt = Adadelta(learning_rate=1.0, rho=0.95)
    """

    def __init__(self, learning_rate=0.001, rho: float = 0.95, epsilon: float = 1e-7,
                 weight_decay=None, clipnorm=None, clipvalue=None, global_clipnorm=None,
                 use_ema=False, ema_momentum=0.99, ema_overwrite_frequency=None,
                 loss_scale_factor=None, gradient_accumulation_steps=None, name=None,
                 **kwargs):
        super().__init__(
            learning_rate=learning_rate, name=name, weight_decay=weight_decay,
            clipnorm=clipnorm, clipvalue=clipvalue, global_clipnorm=global_clipnorm,
            use_ema=use_ema, ema_momentum=ema_momentum,
            ema_overwrite_frequency=ema_overwrite_frequency,
            loss_scale_factor=loss_scale_factor,
            gradient_accumulation_steps=gradient_accumulation_steps, **kwargs)
        owner = type(self).__name__
        self.rho = U.check_number(owner, "rho", rho, low=0, high=1)
        self.epsilon = U.check_number(owner, "epsilon", epsilon, low=0)

    def build(self, var_list) -> None:
        if self._reuse_build(var_list):
            return
        super().build(var_list)
        self._accumulated_grads, self._accumulated_delta_vars = self.add_optimizer_variables(
            var_list, ["accumulated_grad", "accumulated_delta_var"])

    def _update(self, params, grads, idx, lr, step) -> None:
        rho, eps = self.rho, self.epsilon
        acc_g = self._take(self._accumulated_grads, idx)
        acc_d = self._take(self._accumulated_delta_vars, idx)
        torch._foreach_mul_(acc_g, rho)
        torch._foreach_addcmul_(acc_g, grads, grads, 1.0 - rho)
        std = torch._foreach_add(acc_g, eps)
        torch._foreach_sqrt_(std)
        delta = torch._foreach_add(acc_d, eps)
        torch._foreach_sqrt_(delta)
        torch._foreach_div_(delta, std)
        torch._foreach_mul_(delta, grads)
        torch._foreach_mul_(acc_d, rho)
        torch._foreach_addcmul_(acc_d, delta, delta, 1.0 - rho)
        torch._foreach_add_(params, delta, alpha=-lr)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({"rho": self.rho, "epsilon": self.epsilon})
        return config
