"""RMSprop with Keras's ``sqrt(v + epsilon)`` denominator, plain or centered, with momentum."""
from __future__ import annotations

import torch

from torchkeras.optimizers import optimizer_utils as U
from torchkeras.optimizers.optimizer import Optimizer


class RMSprop(Optimizer):
    """RMSprop: divide the gradient by a running root-mean-square of recent gradients.

    ``v = rho*v + (1-rho)*g^2``; ``w -= lr * g / sqrt(v + epsilon)`` (centered: the
    denominator is ``sqrt(v - mean_g^2 + epsilon)``); with momentum the increments
    accumulate in a velocity first. (torch's RMSprop uses ``sqrt(v) + eps`` instead.)

    Args:
        learning_rate: Float, schedule or callable. Defaults to 0.001.
        rho: Discount factor of the squared-gradient average. Defaults to 0.9.
        momentum: Momentum of the increments. Defaults to 0.
        epsilon: Numerical-stability constant. Defaults to 1e-7.
        centered: Normalize by the estimated variance instead of the second moment.
        **kwargs: Common optimizer arguments (``weight_decay``, ``clipnorm``, ...).

    Example:
        >>> opt = RMSprop(learning_rate=1e-3, momentum=0.9, centered=True)
    """

    def __init__(self, learning_rate=0.001, rho: float = 0.9, momentum: float = 0.0,
                 epsilon: float = 1e-7, centered: bool = False, weight_decay=None,
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
        self.rho = U.check_number(owner, "rho", rho, low=0, high=1)
        self.momentum = U.check_number(owner, "momentum", momentum, low=0)
        self.epsilon = U.check_number(owner, "epsilon", epsilon, low=0)
        self.centered = centered

    def build(self, var_list) -> None:
        if self._reuse_build(var_list):
            return
        super().build(var_list)
        self._velocities = self.add_optimizer_variables(var_list, "velocity")
        self._momentums = []
        if self.momentum > 0:
            self._momentums = self.add_optimizer_variables(var_list, "momentum")
        self._average_gradients = []
        if self.centered:
            self._average_gradients = self.add_optimizer_variables(var_list,
                                                                   "average_gradient")

    def _update(self, params, grads, idx, lr, step) -> None:
        rho = self.rho
        v = self._take(self._velocities, idx)
        torch._foreach_mul_(v, rho)
        torch._foreach_addcmul_(v, grads, grads, 1.0 - rho)
        denom = torch._foreach_add(v, self.epsilon)
        if self.centered:
            avg = self._take(self._average_gradients, idx)
            torch._foreach_lerp_(avg, grads, 1.0 - rho)
            torch._foreach_addcmul_(denom, avg, avg, -1.0)
        torch._foreach_sqrt_(denom)
        if self.momentum > 0:
            mom = self._take(self._momentums, idx)
            torch._foreach_mul_(mom, self.momentum)
            torch._foreach_addcdiv_(mom, grads, denom, lr)
            torch._foreach_sub_(params, mom)
        else:
            torch._foreach_addcdiv_(params, grads, denom, -lr)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({"rho": self.rho, "momentum": self.momentum, "epsilon": self.epsilon,
                       "centered": self.centered})
        return config
