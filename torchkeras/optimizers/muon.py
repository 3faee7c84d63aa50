"""Muon: momentum orthogonalised by a Newton-Schulz iteration, AdamW for the rest."""
from __future__ import annotations

import math
import re

import torch

from torchkeras.optimizers import optimizer_utils as U
from torchkeras.optimizers.optimizer import Optimizer


class Muon(Optimizer):
    """Muon (MomentUm Orthogonalized by Newton-Schulz), Keras 3's variant.

    Matrices (2-D weights) take the Muon step: ``m = momentum*m + g``; the direction
    ``g + momentum*m`` (Nesterov) or ``m`` is pushed towards the nearest orthogonal
    matrix by ``ns_steps`` quintic Newton-Schulz iterations, then
    ``w -= lr * sqrt(max(rows, cols)) * rms_rate * direction`` (Moonlight's scaling, so
    Adam's learning rate and weight decay carry over). Every other weight — not 2-D,
    an embedding (``exclude_embeddings``), or one whose path matches a pattern of
    ``exclude_layers`` — takes an Adam step with ``lr * adam_lr_ratio``. Decoupled weight
    decay uses ``weight_decay`` on the Muon weights and ``adam_weight_decay`` on the others.

    Same-shaped matrices are orthogonalised together in one batched matmul chain.
    torchkeras stores a Dense kernel transposed (as ``nn.Linear`` does); the
    orthogonalisation and the scaling are transpose-symmetric, so the update is Keras's.

    Args:
        learning_rate: Float, schedule or callable. Defaults to 0.001.
        adam_beta_1: First-moment decay of the Adam step. Defaults to 0.9.
        adam_beta_2: Second-moment decay of the Adam step. Defaults to 0.999.
        adam_weight_decay: Decoupled weight decay of the Adam-stepped weights (None: off).
            Defaults to 0.004.
        epsilon: Adam's stability constant. Defaults to 1e-7.
        weight_decay: Decoupled weight decay of the Muon-stepped weights. Defaults to 0.004.
        exclude_layers: Regular expressions; weights whose path matches one use Adam.
        exclude_embeddings: Weights with "embedding" in their path use Adam. Defaults to True.
        muon_a: Newton-Schulz coefficient ``a``. Defaults to 3.4445.
        muon_b: Newton-Schulz coefficient ``b``. Defaults to -4.7750.
        muon_c: Newton-Schulz coefficient ``c``. Defaults to 2.0315.
        adam_lr_ratio: Adam's learning rate as a multiple of ``learning_rate``. Defaults to 1.
        momentum: Momentum of the Muon step. Defaults to 0.95.
        ns_steps: Number of Newton-Schulz iterations. Defaults to 5.
        nesterov: Nesterov-style momentum. Defaults to True.
        rms_rate: Update RMS target of the Moonlight scaling; None leaves the orthogonalised
            direction unscaled. Defaults to 0.2.
        **kwargs: Common optimizer arguments (``clipnorm``, ``use_ema``, ...).

    Example:
        >>> opt = Muon(learning_rate=1e-3, exclude_layers=["output_dense"])
        >>> model.compile(optimizer=opt, loss="sparse_categorical_crossentropy")
    """

    def __init__(self, learning_rate=0.001, adam_beta_1: float = 0.9,
                 adam_beta_2: float = 0.999, adam_weight_decay=0.004, epsilon: float = 1e-7,
                 weight_decay=0.004, clipnorm=None, clipvalue=None, global_clipnorm=None,
                 use_ema=False, ema_momentum=0.99, ema_overwrite_frequency=None,
                 loss_scale_factor=None, gradient_accumulation_steps=None, name=None,
                 exclude_layers=None, exclude_embeddings: bool = True, muon_a: float = 3.4445,
                 muon_b: float = -4.7750, muon_c: float = 2.0315, adam_lr_ratio: float = 1,
                 momentum: float = 0.95, ns_steps: int = 5, nesterov: bool = True,
                 rms_rate=0.2, **kwargs):
        owner = type(self).__name__
        # Checked before the base class registers anything (a bad argument changes nothing).
        U.check_number(owner, "adam_beta_1", adam_beta_1, low=0, high=1, high_open=True)
        U.check_number(owner, "adam_beta_2", adam_beta_2, low=0, high=1, high_open=True)
        U.check_number(owner, "adam_weight_decay", adam_weight_decay, low=0, allow_none=True)
        U.check_number(owner, "epsilon", epsilon, low=0)
        for arg, value in (("muon_a", muon_a), ("muon_b", muon_b), ("muon_c", muon_c)):
            U.check_number(owner, arg, value)
        U.check_number(owner, "adam_lr_ratio", adam_lr_ratio, low=0)
        U.check_number(owner, "momentum", momentum, low=0, high=1, high_open=True)
        U.check_count(owner, "ns_steps", ns_steps)
        U.check_number(owner, "rms_rate", rms_rate, low=0, low_open=True, allow_none=True)
        if exclude_layers is not None and (isinstance(exclude_layers, str) or not all(
                isinstance(k, str) for k in exclude_layers)):
            raise TypeError("%s: argument `exclude_layers` must be a list of strings, "
                            "received %r." % (owner, exclude_layers))
        super().__init__(
            learning_rate=learning_rate, name=name, weight_decay=weight_decay,
            clipnorm=clipnorm, clipvalue=clipvalue, global_clipnorm=global_clipnorm,
            use_ema=use_ema, ema_momentum=ema_momentum,
            ema_overwrite_frequency=ema_overwrite_frequency,
            loss_scale_factor=loss_scale_factor,
            gradient_accumulation_steps=gradient_accumulation_steps, **kwargs)
        self.adam_beta_1 = adam_beta_1
        self.adam_beta_2 = adam_beta_2
        self.epsilon = epsilon
        self.muon_a = muon_a
        self.muon_b = muon_b
        self.muon_c = muon_c
        self.adam_lr_ratio = adam_lr_ratio
        self.momentum = momentum
        self.ns_steps = int(ns_steps)
        self.nesterov = nesterov
        self.exclude_embeddings = exclude_embeddings
        self.exclude_layers = list(exclude_layers or [])
        self.adam_weight_decay = adam_weight_decay
        self.rms_rate = rms_rate

    def _should_use_adamw(self, variable) -> bool:
        """True for weights that take the Adam step (see the class docstring)."""
        if variable.dim() != 2:
            return True
        path = str(getattr(variable, "path", None) or getattr(variable, "name", None) or "")
        if self.exclude_embeddings and "embedding" in path.lower():
            return True
        return any(re.search(pattern, path) for pattern in self.exclude_layers)

    def build(self, var_list) -> None:
        if self._reuse_build(var_list):
            return
        super().build(var_list)
        self._use_adam = [self._should_use_adamw(v) for v in var_list]
        self._full_plan = None
        self._momentums, self._velocities = [], []
        # Keras's slot order: each weight's momentum, then its velocity if Adam steps it.
        for var, adam in zip(var_list, self._use_adam):
            self._momentums.append(self.add_variable_from_reference(var, "momentum"))
            self._velocities.append(
                self.add_variable_from_reference(var, "velocity") if adam else None)

    # -- weight decay ----------------------------------------------------------------------

    def _decays_weights(self) -> bool:
        return bool(self.weight_decay) or bool(self.adam_weight_decay)

    def _decay_weights(self, params, idx, lr: float) -> None:
        groups = {True: [], False: []}
        for k, p in enumerate(params):
            i = k if idx is None else idx[k]
            if self._decay_mask[i]:
                groups[self._use_adam[i]].append(p)
        for adam, decayed in groups.items():
            wd = self.adam_weight_decay if adam else self.weight_decay
            if decayed and wd:
                torch._foreach_mul_(decayed, 1.0 - float(wd) * lr)

    # -- the update --------------------------------------------------------------------------

    def _plan(self, idx) -> tuple:
        """Positions (in the given lists) of the Adam- and Muon-stepped weights, and the
        Muon ones grouped by shape/dtype/device; cached for the all-weights case."""
        if idx is None and self.__dict__.get("_full_plan") is not None:
            return self._full_plan
        chosen = range(len(self._params)) if idx is None else idx
        adam, muon, groups = [], [], {}
        for k, i in enumerate(chosen):
            if self._use_adam[i]:
                adam.append(k)
            else:
                p = self._params[i]
                groups.setdefault((tuple(p.shape), p.dtype, p.device), []).append(len(muon))
                muon.append(k)
        plan = (adam, muon, [(key[0], pos) for key, pos in groups.items()])
        if idx is None:
            self._full_plan = plan
        return plan

    def _update(self, params, grads, idx, lr, step) -> None:
        adam, muon, groups = self._plan(idx)
        slots = list(range(len(params))) if idx is None else idx
        if adam:
            self._adam_update([params[k] for k in adam], [grads[k] for k in adam],
                              [self._momentums[slots[k]] for k in adam],
                              [self._velocities[slots[k]] for k in adam],
                              lr * self.adam_lr_ratio, step + 1)
        if muon:
            self._muon_update([params[k] for k in muon], [grads[k] for k in muon],
                              [self._momentums[slots[k]] for k in muon], groups, lr)

    def _adam_update(self, params, grads, m, v, lr: float, t: int) -> None:
        b1, b2 = self.adam_beta_1, self.adam_beta_2
        torch._foreach_lerp_(m, grads, 1.0 - b1)
        torch._foreach_mul_(v, b2)
        torch._foreach_addcmul_(v, grads, grads, 1.0 - b2)
        denom = torch._foreach_sqrt(v)
        torch._foreach_add_(denom, self.epsilon)
        alpha = lr * math.sqrt(1.0 - b2 ** t) / (1.0 - b1 ** t)
        torch._foreach_addcdiv_(params, m, denom, -alpha)

    def _muon_update(self, params, grads, m, groups, lr: float) -> None:
        torch._foreach_mul_(m, self.momentum)
        torch._foreach_add_(m, grads)
        if self.nesterov:
            directions = torch._foreach_add(grads, m, alpha=self.momentum)
        else:
            directions = m
        for shape, positions in groups:
            # Same-shaped matrices are orthogonalised together (one batched matmul chain).
            ortho = self.zeropower_via_newtonschulz5(
                torch.stack([directions[j] for j in positions]), self.ns_steps)
            scale = lr
            if self.rms_rate is not None:
                scale = lr * math.sqrt(max(shape[0], shape[1])) * self.rms_rate
            torch._foreach_add_([params[j] for j in positions], list(ortho.unbind(0)),
                                alpha=-scale)

    def zeropower_via_newtonschulz5(self, x: torch.Tensor, steps: int) -> torch.Tensor:
        """Approximately orthogonalises the last two axes of ``x`` (quintic Newton-Schulz).

        Args:
            x: A tensor of rank >= 2 (leading axes are a batch of matrices).
            steps: Number of iterations.

        Returns:
            A tensor shaped like ``x``, close to ``U V^T`` of its SVD ``U S V^T``.

        Example:
            >>> Muon().zeropower_via_newtonschulz5(torch.randn(4, 3), 5).shape
            torch.Size([4, 3])
        """
        if x.dim() < 2:
            raise ValueError("Expected gradient or momentum to have at least 2 dimensions. "
                             "Received: shape=%s" % (tuple(x.shape),))
        a, b, c = self.muon_a, self.muon_b, self.muon_c
        tall = x.shape[-2] > x.shape[-1]
        if tall:
            x = x.transpose(-2, -1)
        # A Frobenius norm of at most 1 bounds the spectral norm by 1.
        x = x / (torch.linalg.matrix_norm(x, keepdim=True) + 1e-7)
        for _ in range(steps):
            gram = x @ x.transpose(-2, -1)
            poly = torch.addmm(gram, gram, gram, beta=b, alpha=c) if gram.dim() == 2 \
                else torch.baddbmm(gram.flatten(0, -3), gram.flatten(0, -3),
                                   gram.flatten(0, -3), beta=b, alpha=c).view_as(gram)
            x = a * x + poly @ x
        return x.transpose(-2, -1) if tall else x

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({
            "adam_beta_1": self.adam_beta_1, "adam_beta_2": self.adam_beta_2,
            "epsilon": self.epsilon, "exclude_layers": self.exclude_layers,
            "muon_a": self.muon_a, "muon_b": self.muon_b, "muon_c": self.muon_c,
            "adam_lr_ratio": self.adam_lr_ratio, "momentum": self.momentum,
            "ns_steps": self.ns_steps, "nesterov": self.nesterov,
            "exclude_embeddings": self.exclude_embeddings,
            "adam_weight_decay": self.adam_weight_decay, "rms_rate": self.rms_rate,
        })
        return config
