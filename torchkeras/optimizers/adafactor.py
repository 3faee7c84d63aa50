"""Adafactor: Adam-like steps with factored second moments (Shazeer & Stern, 2018)."""
from __future__ import annotations

import torch

from torchkeras.optimizers import optimizer_utils as U
from torchkeras.optimizers.optimizer import Optimizer


class Adafactor(Optimizer):
    """Adafactor: memory-light second moments (row and column averages for matrices).

    Step size ``max(epsilon_2, rms(w)) * min(lr, 1/sqrt(t))``; the normalized update is
    clipped to RMS ``clip_threshold``; ``beta_2`` grows as ``1 - t^beta_2_decay``.

    Args:
        learning_rate: Float, schedule or callable. Defaults to 0.001.
        beta_2_decay: Exponent of the second-moment decay schedule. Defaults to -0.8.
        epsilon_1: Regularizer added to the squared gradient. Defaults to 1e-30.
        epsilon_2: Lower bound of the weight RMS. Defaults to 1e-3.
        clip_threshold: Update RMS clip. Defaults to 1.0.
        relative_step: Cap the rate at ``1/sqrt(t)``. Defaults to True.
        **kwargs: Common optimizer arguments (``weight_decay``, ``clipnorm``, ...).

    Example:
        >>> opt = Adafactor(learning_rate=1e-2)
    """

    def __init__(self, learning_rate=0.001, beta_2_decay: float = -0.8,
                 epsilon_1: float = 1e-30, epsilon_2: float = 1e-3,
                 clip_threshold: float = 1.0, relative_step: bool = True, weight_decay=None,
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
        self.beta_2_decay = U.check_number(owner, "beta_2_decay", beta_2_decay)
        self.epsilon_1 = U.check_number(owner, "epsilon_1", epsilon_1, low=0)
        self.epsilon_2 = U.check_number(owner, "epsilon_2", epsilon_2, low=0)
        self.clip_threshold = U.check_number(owner, "clip_threshold", clip_threshold, low=0,
                                             low_open=True)
        self.relative_step = relative_step

    def build(self, var_list) -> None:
        if self._reuse_build(var_list):
            return
        super().build(var_list)
        self._r, self._c, self._v = [], [], []
        for var in var_list:
            name = getattr(var, "name", None) or "variable"
            if var.dim() < 2:
                # Vectors keep a full second moment; scalar placeholders keep Keras's layout.
                zero = torch.zeros((), dtype=var.dtype, device=var.device)
                self._r.append(self._track(zero.clone(), name))
                self._c.append(self._track(zero.clone(), name))
            else:
                shape = tuple(var.shape)
                self._r.append(self.add_variable(shape[:-1], dtype=var.dtype, name=name,
                                                 device=var.device))
                self._c.append(self.add_variable(shape[:-2] + shape[-1:], dtype=var.dtype,
                                                 name=name, device=var.device))
            self._v.append(self.add_variable_from_reference(var, "velocity"))

    def _update(self, params, grads, idx, lr, step) -> None:
        t = float(step + 1)
        rho = min(lr, t ** -0.5)
        beta = 1.0 - t ** self.beta_2_decay
        rows, cols, vs = (self._take(x, idx) for x in (self._r, self._c, self._v))
        for w, g, r, c, v in zip(params, grads, rows, cols, vs):
            alpha = torch.clamp(_rms(w), min=self.epsilon_2) * rho
            sq = g * g + self.epsilon_1
            if w.dim() >= 2:
                r.lerp_(sq.mean(dim=-1), 1.0 - beta)
                c.lerp_(sq.mean(dim=-2), 1.0 - beta)
                v.copy_((r / r.mean(dim=-1, keepdim=True)).unsqueeze(-1) * c.unsqueeze(-2))
            else:
                v.lerp_(sq, 1.0 - beta)
            u = g / v.sqrt()
            u = u / torch.clamp(_rms(u) / self.clip_threshold, min=1.0)
            w.sub_(alpha * u)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({"beta_2_decay": self.beta_2_decay, "epsilon_1": self.epsilon_1,
                       "epsilon_2": self.epsilon_2, "clip_threshold": self.clip_threshold,
                       "relative_step": self.relative_step})
        return config


def _rms(x: torch.Tensor) -> torch.Tensor:
    return x.square().mean().sqrt()
