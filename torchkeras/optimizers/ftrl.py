"""FTRL-Proximal (McMahan et al., 2013), with L1/L2 and shrinkage regularization."""
from __future__ import annotations

import torch

from torchkeras.optimizers import optimizer_utils as U
from torchkeras.optimizers.optimizer import Optimizer


class Ftrl(Optimizer):
    """Follow The Regularized Leader, as used for large sparse linear models.

    Keeps an accumulator ``n`` of squared gradients and a linear term ``z``; each step
    solves the per-coordinate proximal problem:
    ``w = (clip(z, -l1, l1) - z) / (n^(-p) / lr + 2 * l2)``.

    Args:
        learning_rate: Float, schedule or callable. Defaults to 0.001.
        learning_rate_power: ``-p``, <= 0. Defaults to -0.5.
        initial_accumulator_value: Starting accumulator, >= 0. Defaults to 0.1.
        l1_regularization_strength: L1 strength, >= 0.
        l2_regularization_strength: L2 strength, >= 0.
        l2_shrinkage_regularization_strength: Magnitude penalty on the gradient, >= 0.
        beta: Added to the L2 term as ``beta / (2 * lr)``.
        **kwargs: Common optimizer arguments (``weight_decay``, ``clipnorm``, ...).

    Example:
        >>> opt = Ftrl(learning_rate=0.1, l1_regularization_strength=0.01)
    """

    def __init__(self, learning_rate=0.001, learning_rate_power: float = -0.5,
                 initial_accumulator_value: float = 0.1,
                 l1_regularization_strength: float = 0.0,
                 l2_regularization_strength: float = 0.0,
                 l2_shrinkage_regularization_strength: float = 0.0, beta: float = 0.0,
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
        checks = (("initial_accumulator_value", initial_accumulator_value),
                  ("l1_regularization_strength", l1_regularization_strength),
                  ("l2_regularization_strength", l2_regularization_strength),
                  ("l2_shrinkage_regularization_strength",
                   l2_shrinkage_regularization_strength))
        for arg, value in checks:
            U.check_number(owner, arg, value)
            if value < 0.0:
                raise ValueError("`%s` needs to be positive or zero. Received: %s=%s."
                                 % (arg, arg, value))
        U.check_number(owner, "learning_rate_power", learning_rate_power)
        if learning_rate_power > 0.0:
            raise ValueError("`learning_rate_power` needs to be negative or zero. Received: "
                             "learning_rate_power=%s." % (learning_rate_power,))
        self.learning_rate_power = learning_rate_power
        self.initial_accumulator_value = initial_accumulator_value
        self.l1_regularization_strength = l1_regularization_strength
        self.l2_regularization_strength = l2_regularization_strength
        self.l2_shrinkage_regularization_strength = l2_shrinkage_regularization_strength
        self.beta = U.check_number(owner, "beta", beta)

    def build(self, var_list) -> None:
        if self._reuse_build(var_list):
            return
        super().build(var_list)
        self._accumulators, self._linears = self.add_optimizer_variables(
            var_list, ["accumulator", "linear"],
            initializer=[float(self.initial_accumulator_value), "zeros"])

    def _update(self, params, grads, idx, lr, step) -> None:
        power = -float(self.learning_rate_power)
        l1 = float(self.l1_regularization_strength)
        l2 = float(self.l2_regularization_strength) + self.beta / (2.0 * lr)
        shrink = float(self.l2_shrinkage_regularization_strength)
        acc = self._take(self._accumulators, idx)
        linear = self._take(self._linears, idx)
        grad_to_use = torch._foreach_add(grads, params, alpha=2.0 * shrink) if shrink \
            else grads
        new_acc = torch._foreach_addcmul(acc, grads, grads)
        new_pow = torch._foreach_pow(new_acc, power)
        sigma = torch._foreach_sub(new_pow, torch._foreach_pow(acc, power))
        torch._foreach_div_(sigma, lr)
        torch._foreach_mul_(sigma, params)
        torch._foreach_add_(linear, grad_to_use)
        torch._foreach_sub_(linear, sigma)
        quadratic = torch._foreach_div(new_pow, lr)
        torch._foreach_add_(quadratic, 2.0 * l2)
        new_w = torch._foreach_clamp_min(linear, -l1)
        torch._foreach_clamp_max_(new_w, l1)
        torch._foreach_sub_(new_w, linear)
        torch._foreach_div_(new_w, quadratic)
        torch._foreach_copy_(params, new_w)
        torch._foreach_copy_(acc, new_acc)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({
            "learning_rate_power": self.learning_rate_power,
            "initial_accumulator_value": self.initial_accumulator_value,
            "l1_regularization_strength": self.l1_regularization_strength,
            "l2_regularization_strength": self.l2_regularization_strength,
            "l2_shrinkage_regularization_strength": self.l2_shrinkage_regularization_strength,
            "beta": self.beta,
        })
        return config
