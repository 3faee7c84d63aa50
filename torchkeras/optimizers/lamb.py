"""Lamb: Adam directions rescaled by a per-layer trust ratio (You et al., 2019)."""
from __future__ import annotations

import math

import torch

from torchkeras.optimizers import optimizer_utils as U
from torchkeras.optimizers.optimizer import Optimizer


class Lamb(Optimizer):
    """Lamb (layer-wise adaptive moments), for large-batch training.

    The bias-corrected Adam direction ``r = m_hat / (sqrt(v_hat) + eps)`` is scaled per
    variable by ``||w|| / ||r||`` (1 when either norm is 0): ``w -= lr * ratio * r``.

    Args:
        learning_rate: Float, schedule or callable. Defaults to 0.001.
        beta_1: Decay rate of the first moment. Defaults to 0.9.
        beta_2: Decay rate of the second moment. Defaults to 0.999.
        epsilon: Numerical-stability constant. Defaults to 1e-7.
        **kwargs: Common optimizer arguments (``weight_decay``, ``clipnorm``, ...).

    Example:
        >>> opt = Lamb(learning_rate=1e-3, weight_decay=0.01)
    """

    def __init__(self, learning_rate=0.001, beta_1: float = 0.9, beta_2: float = 0.999,
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
        self.beta_1 = U.check_number(owner, "beta_1", beta_1, low=0, high=1, high_open=True)
        self.beta_2 = U.check_number(owner, "beta_2", beta_2, low=0, high=1, high_open=True)
        self.epsilon = U.check_number(owner, "epsilon", epsilon, low=0)

    def build(self, var_list) -> None:
        if self._reuse_build(var_list):
            return
        super().build(var_list)
        self._momentums, self._velocities = self.add_optimizer_variables(
            var_list, ["momentum", "velocity"])

    def _update(self, params, grads, idx, lr, step) -> None:
        t = step + 1
        m = self._take(self._momentums, idx)
        v = self._take(self._velocities, idx)
        torch._foreach_lerp_(m, grads, 1.0 - self.beta_1)
        torch._foreach_mul_(v, self.beta_2)
        torch._foreach_addcmul_(v, grads, grads, 1.0 - self.beta_2)
        denom = torch._foreach_sqrt(v)
        torch._foreach_mul_(denom, 1.0 / math.sqrt(1.0 - self.beta_2 ** t))
        torch._foreach_add_(denom, self.epsilon)
        direction = torch._foreach_div(m, denom)
        torch._foreach_mul_(direction, 1.0 / (1.0 - self.beta_1 ** t))
        torch._foreach_mul_(direction, _trust_ratios(params, direction))
        torch._foreach_add_(params, direction, alpha=-lr)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({"beta_1": self.beta_1, "beta_2": self.beta_2, "epsilon": self.epsilon})
        return config


def _trust_ratios(params: list, directions: list) -> list:
    """Per-variable ``||w|| / ||r||`` (1 where either is 0), as device scalars."""
    w_norms = torch._foreach_norm(params)
    r_norms = torch._foreach_norm(directions)
    try:
        w, r = torch.stack(w_norms), torch.stack(r_norms)
        return list(torch.where((w > 0) & (r > 0), w / r, torch.ones_like(w)).unbind())
    except RuntimeError:  # mixed devices or dtypes
        return [torch.where((a > 0) & (b > 0), a / b, torch.ones_like(a))
                for a, b in zip(w_norms, r_norms)]
