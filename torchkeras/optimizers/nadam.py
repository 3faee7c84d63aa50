"""Nadam: Adam with Nesterov momentum and Keras's momentum-decay schedule."""
from __future__ import annotations

import math

import torch

from torchkeras.optimizers import optimizer_utils as U
from torchkeras.optimizers.optimizer import Optimizer


class Nadam(Optimizer):
    """Nadam (Dozat, 2015), with the momentum schedule ``mu_t = b1 * (1 - 0.5 * 0.96^t)``.

    The running product of ``mu_t`` is kept on the host (a float updated each step) and
    exposed as a variable for saving, so the step issues only device kernels.

    Args:
        learning_rate: Float, schedule or callable. Defaults to 0.001.
        beta_1: Decay rate of the first moment. Defaults to 0.9.
        beta_2: Decay rate of the second moment. Defaults to 0.999.
        epsilon: Numerical-stability constant. Defaults to 1e-7.
        **kwargs: Common optimizer arguments (``weight_decay``, ``clipnorm``, ...).

    Example:
        >>> opt = Nadam(learning_rate=2e-3)
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
        self._u_product_value = 1.0
        self._u_product = None

    def build(self, var_list) -> None:
        if self._reuse_build(var_list):
            return
        var_list = list(var_list)
        super().build(var_list)
        self._momentums, self._velocities = self.add_optimizer_variables(
            var_list, ["momentum", "velocity"])
        dtype = var_list[0].dtype if var_list else torch.float32
        self._u_product = U.make_mirror(self._u_product_value, dtype, "variable",
                                        self._on_u_product_assigned)
        self._variables.append(self._u_product)

    def _on_u_product_assigned(self, value) -> None:
        self._u_product_value = float(value)

    def _sync_host_state_to_variables(self) -> None:
        if self._u_product is not None:
            self._u_product.data.fill_(self._u_product_value)

    def _load_host_state_from_variables(self) -> None:
        if self._u_product is not None:
            self._u_product_value = float(self._u_product)

    def _update(self, params, grads, idx, lr, step) -> None:
        b1, b2 = self.beta_1, self.beta_2
        u_t = b1 * (1.0 - 0.5 * 0.96 ** (step + 1))
        u_next = b1 * (1.0 - 0.5 * 0.96 ** (step + 2))
        u_product = self._u_product_value * u_t
        self._u_product_value = u_product
        m = self._take(self._momentums, idx)
        v = self._take(self._velocities, idx)
        torch._foreach_lerp_(m, grads, 1.0 - b1)
        torch._foreach_mul_(v, b2)
        torch._foreach_addcmul_(v, grads, grads, 1.0 - b2)
        m_hat = torch._foreach_mul(m, u_next / (1.0 - u_product * u_next))
        torch._foreach_add_(m_hat, grads, alpha=(1.0 - u_t) / (1.0 - u_product))
        denom = torch._foreach_sqrt(v)
        torch._foreach_mul_(denom, 1.0 / math.sqrt(1.0 - b2 ** (step + 1)))
        torch._foreach_add_(denom, self.epsilon)
        torch._foreach_addcdiv_(params, m_hat, denom, -lr)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({"beta_1": self.beta_1, "beta_2": self.beta_2, "epsilon": self.epsilon})
        return config
