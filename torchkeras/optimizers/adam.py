"""Adam (and AMSGrad) with Keras's epsilon placement: ``alpha * m / (sqrt(v) + eps)``."""
from __future__ import annotations

import math

import torch

from torchkeras.optimizers import optimizer_utils as U
from torchkeras.optimizers.optimizer import Optimizer

_FUSED_DTYPES = (torch.float16, torch.bfloat16, torch.float32, torch.float64)


class Adam(Optimizer):
    """Adam: adaptive moment estimation (Kingma & Ba, 2014).

    ``m = b1*m + (1-b1)*g``; ``v = b2*v + (1-b2)*g^2``;
    ``w -= lr * sqrt(1-b2^t) / (1-b1^t) * m / (sqrt(v) + epsilon)``. Keras adds epsilon
    to the uncorrected ``sqrt(v)``; torch's Adam adds it after bias correction, so the
    two differ early in training. This class runs Keras's rule on torch's fused Adam
    kernel (by rescaling epsilon each step) where the device has one, else with
    ``torch._foreach_*`` ops.

    Args:
        learning_rate: Float, schedule or callable. Defaults to 0.001.
        beta_1: Decay rate of the first moment. Defaults to 0.9.
        beta_2: Decay rate of the second moment. Defaults to 0.999.
        epsilon: Numerical-stability constant. Defaults to 1e-7.
        amsgrad: Use the AMSGrad variant (running maximum of ``v``).
        **kwargs: Common optimizer arguments (``weight_decay``, ``clipnorm``, ...).

    Example:
        >>> opt = Adam(learning_rate=3e-4, amsgrad=True)
    """

    def __init__(self, learning_rate=0.001, beta_1: float = 0.9, beta_2: float = 0.999,
                 epsilon: float = 1e-7, amsgrad: bool = False, weight_decay=None,
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
        self.amsgrad = amsgrad
        self._fused = None  # None: torch's fused kernel where available; False: foreach only
        self._fused_step = None
        self._found_inf = None  # set by LossScaleOptimizer: skip the update on device

    def build(self, var_list) -> None:
        if self._reuse_build(var_list):
            return
        super().build(var_list)
        self._momentums, self._velocities = self.add_optimizer_variables(
            var_list, ["momentum", "velocity"])
        if self.amsgrad:
            self._velocity_hats = self.add_optimizer_variables(var_list, "velocity_hat")
        self._on_device_change()

    def _on_device_change(self) -> None:
        self._fused_step = _fused_step_tensor(self._params) if self._fused is not False \
            else None

    def _can_skip_on_device(self) -> bool:
        return (self._fused_step is not None and not self.use_ema
                and not self.gradient_accumulation_steps and not self._constrained)

    def _decay_weights(self, params, idx, lr: float) -> None:
        if self._fused_step is None:
            super()._decay_weights(params, idx, lr)
        # else: the fused AdamW kernel applies the same decay inside the update

    def _update(self, params, grads, idx, lr, step) -> None:
        m = self._take(self._momentums, idx)
        v = self._take(self._velocities, idx)
        v_hat = self._take(self._velocity_hats, idx) if self.amsgrad else []
        t = step + 1
        bc1 = 1.0 - self.beta_1 ** t
        bc2 = 1.0 - self.beta_2 ** t
        if self._fused_step is not None:
            self._fused_step.fill_(t)
            lists = (params, grads, m, v, v_hat)
            wd = float(self.weight_decay or 0.0)
            mask = None
            if wd and not (idx is None and self._decay_all):
                mask = self._take(self._decay_mask, idx)
            if mask is None or all(mask):
                self._fused_kernel(lists, lr, wd, bc2)
            elif not any(mask):
                self._fused_kernel(lists, lr, 0.0, bc2)
            else:
                for keep, decay in ((True, wd), (False, 0.0)):
                    self._fused_kernel([[x for x, k in zip(lst, mask) if k is keep] if lst else []
                                 for lst in lists], lr, decay, bc2)
            return
        torch._foreach_lerp_(m, grads, 1.0 - self.beta_1)
        torch._foreach_mul_(v, self.beta_2)
        torch._foreach_addcmul_(v, grads, grads, 1.0 - self.beta_2)
        if self.amsgrad:
            torch._foreach_maximum_(v_hat, v)
            v = v_hat
        denom = torch._foreach_sqrt(v)
        torch._foreach_add_(denom, self.epsilon)
        torch._foreach_addcdiv_(params, m, denom, -(lr * math.sqrt(bc2) / bc1))

    def _fused_kernel(self, lists, lr: float, weight_decay: float, bc2: float) -> None:
        """torch's fused (decoupled-decay) Adam kernel running Keras's update.

        The kernel computes ``lr/bc1 * m / (sqrt(v)/sqrt(bc2) + eps')``; with
        ``eps' = eps/sqrt(bc2)`` that is exactly Keras's ``alpha * m / (sqrt(v) + eps)``.
        Its decay, ``w -= lr * weight_decay * w`` first, is Keras's too.
        """
        params, grads, m, v, v_hat = lists
        if not params:
            return
        kernel = torch._fused_adamw_ if weight_decay else torch._fused_adam_
        kernel(params, grads, m, v, v_hat, [self._fused_step] * len(params), lr=lr,
               beta1=self.beta_1, beta2=self.beta_2, weight_decay=weight_decay,
               eps=self.epsilon / math.sqrt(bc2), amsgrad=self.amsgrad, maximize=False,
               grad_scale=None, found_inf=self._found_inf)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({"beta_1": self.beta_1, "beta_2": self.beta_2, "epsilon": self.epsilon,
                       "amsgrad": self.amsgrad})
        return config


def _fused_step_tensor(params: list):
    """A step-count tensor for torch's fused kernels, or None when they don't apply."""
    if not params or not hasattr(torch, "_fused_adam_"):
        return None
    from torch.utils._foreach_utils import _get_fused_kernels_supported_devices
    device, dtype = params[0].device, params[0].dtype
    if device.type not in _get_fused_kernels_supported_devices() or dtype not in _FUSED_DTYPES:
        return None
    if any(p.device != device or p.dtype != dtype or p.is_sparse for p in params):
        return None
    return torch.zeros((), dtype=torch.float32, device=device)
