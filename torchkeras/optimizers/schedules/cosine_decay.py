"""Cosine learning-rate schedules: ``CosineDecay`` (optional linear warmup) and SGDR restarts."""
from __future__ import annotations

import math

from torchkeras.optimizers.schedules._math import prepare_step
from torchkeras.optimizers.schedules.learning_rate_schedule import (
    LearningRateSchedule, _check_positive_steps)


class CosineDecay(LearningRateSchedule):
    """Cosine decay, optionally after a linear warmup (Loshchilov & Hutter, SGDR).

    Without ``warmup_target`` the rate goes from ``initial_learning_rate`` to
    ``initial_learning_rate * alpha`` over ``decay_steps``. With it, the rate first rises
    linearly from ``initial_learning_rate`` to ``warmup_target`` over ``warmup_steps``,
    then decays from ``warmup_target`` to ``warmup_target * alpha``.

    Args:
        initial_learning_rate: Learning rate at step 0.
        decay_steps: Positive number of decay steps.
        alpha: Final rate as a fraction of the decay's starting rate.
        name: Name of the schedule.
        warmup_target: Rate reached at the end of warmup (``None``: no warmup).
        warmup_steps: Number of warmup steps.

    Example:
        >>> sched = CosineDecay(0.0, 1000, warmup_target=0.1, warmup_steps=100)
        >>> sched(50)
        0.05
    """

    def __init__(self, initial_learning_rate: float, decay_steps: int, alpha: float = 0.0,
                 name: str = "CosineDecay", warmup_target: float | None = None,
                 warmup_steps: int = 0):
        super().__init__()
        self.initial_learning_rate = initial_learning_rate
        self.decay_steps = decay_steps
        self.alpha = alpha
        self.name = name
        self.warmup_steps = warmup_steps
        self.warmup_target = warmup_target
        _check_positive_steps("decay_steps", decay_steps)

    def _decayed(self, step, m, start_lr):
        cosine = 0.5 * (1.0 + m.cos(math.pi * (step / float(self.decay_steps))))
        return start_lr * ((1 - self.alpha) * cosine + self.alpha)

    def __call__(self, step):
        step, m = prepare_step(step)
        decay_steps = float(self.decay_steps)
        if self.warmup_target is None:
            return self._decayed(m.minimum(step, decay_steps), m, self.initial_learning_rate)
        warmup_steps = float(self.warmup_steps)
        step = m.minimum(step, decay_steps + warmup_steps)
        target = float(self.warmup_target)
        if isinstance(step, float):
            if step < warmup_steps:
                return (target - self.initial_learning_rate) * (step / warmup_steps) \
                    + self.initial_learning_rate
            return self._decayed(step - warmup_steps, m, target)
        # Tensor step: both branches are cheap; pick one elementwise without a sync.
        safe_warmup = warmup_steps if warmup_steps > 0 else 1.0
        warm = (target - self.initial_learning_rate) * (step / safe_warmup) \
            + self.initial_learning_rate
        return m.where(step < warmup_steps, warm, self._decayed(step - warmup_steps, m, target))

    def get_config(self) -> dict:
        return {"initial_learning_rate": self.initial_learning_rate,
                "decay_steps": self.decay_steps, "alpha": self.alpha, "name": self.name,
                "warmup_target": self.warmup_target, "warmup_steps": self.warmup_steps}


class CosineDecayRestarts(LearningRateSchedule):
    """Cosine decay with warm restarts (SGDR).

    The multiplier decays from 1 to ``alpha`` over ``first_decay_steps``, then restarts;
    each period lasts ``t_mul`` times longer and starts ``m_mul`` times lower.

    Args:
        initial_learning_rate: Learning rate at step 0.
        first_decay_steps: Positive length of the first period.
        t_mul: Growth factor of the period length.
        m_mul: Factor of each restart's starting rate.
        alpha: Minimum rate as a fraction of ``initial_learning_rate``.
        name: Name of the schedule.

    Example:
        >>> sched = CosineDecayRestarts(0.1, first_decay_steps=100)
        >>> sched(100)  # restart
        0.1
    """

    def __init__(self, initial_learning_rate: float, first_decay_steps: int,
                 t_mul: float = 2.0, m_mul: float = 1.0, alpha: float = 0.0,
                 name: str = "SGDRDecay"):
        super().__init__()
        self.initial_learning_rate = initial_learning_rate
        self.first_decay_steps = first_decay_steps
        self._t_mul = t_mul
        self._m_mul = m_mul
        self.alpha = alpha
        self.name = name
        _check_positive_steps("first_decay_steps", first_decay_steps)

    def __call__(self, step):
        step, m = prepare_step(step)
        t_mul, m_mul, alpha = float(self._t_mul), float(self._m_mul), float(self.alpha)
        fraction = step / float(self.first_decay_steps)
        if t_mul == 1.0:
            restart = m.floor(fraction)
            fraction = fraction - restart
        else:
            # Periods grow geometrically: find the period index from the partial sum.
            restart = m.floor(m.log(1.0 - fraction * (1.0 - t_mul)) / math.log(t_mul))
            done = (1.0 - t_mul ** restart) / (1.0 - t_mul)
            fraction = (fraction - done) / t_mul ** restart
        cosine = 0.5 * m_mul ** restart * (1.0 + m.cos(math.pi * fraction))
        return self.initial_learning_rate * ((1 - alpha) * cosine + alpha)

    def get_config(self) -> dict:
        return {"initial_learning_rate": self.initial_learning_rate,
                "first_decay_steps": self.first_decay_steps, "t_mul": self._t_mul,
                "m_mul": self._m_mul, "alpha": self.alpha, "name": self.name}
