"""Learning-rate schedules: step number in, learning rate out (Keras 3 formulas).

Called with a Python int (what optimizers pass: their host-side iteration count) a
schedule returns a Python float; called with a tensor it returns a float32 tensor.
"""
from __future__ import annotations

from torchkeras.optimizers.schedules._math import prepare_step


class LearningRateSchedule:
    """Base class of learning-rate schedules; pass one as an optimizer's ``learning_rate``.

    Subclasses implement ``__call__(step)`` and, to be serializable, ``get_config()``.

    Example:
        >>> class Halving(LearningRateSchedule):
        ...     def __init__(self, lr):
        ...         self.lr = lr
        ...     def __call__(self, step):
        ...         return self.lr / (1 + step)
        ...     def get_config(self):
        ...         return {"lr": self.lr}
        >>> opt = torchkeras.optimizers.SGD(learning_rate=Halving(0.1))
    """

    def __call__(self, step):
        raise NotImplementedError(
            "Learning rate schedule '%s' must override `__call__(self, step)`."
            % type(self).__name__)

    def get_config(self) -> dict:
        raise NotImplementedError(
            "Learning rate schedule '%s' must override `get_config()` in order to be "
            "serializable." % type(self).__name__)

    @classmethod
    def from_config(cls, config: dict) -> "LearningRateSchedule":
        """Rebuilds the schedule from ``get_config()``'s output."""
        return cls(**config)

    def __repr__(self) -> str:
        try:
            args = ", ".join("%s=%r" % kv for kv in self.get_config().items())
        except NotImplementedError:
            args = ""
        return "%s(%s)" % (type(self).__name__, args)


def _check_positive_steps(name: str, value) -> None:
    if value <= 0:
        raise ValueError("Argument `%s` must be > 0. Received: %s=%s" % (name, name, value))


class ExponentialDecay(LearningRateSchedule):
    """``initial_learning_rate * decay_rate ** (step / decay_steps)``.

    Args:
        initial_learning_rate: Learning rate at step 0.
        decay_steps: Positive number of steps per decay period.
        decay_rate: Factor applied once per period.
        staircase: If True, ``step / decay_steps`` is floored (decay in jumps).
        name: Name of the schedule.

    Example:
        >>> sched = ExponentialDecay(0.1, decay_steps=1000, decay_rate=0.96)
        >>> sched(1000)
        0.096...
    """

    def __init__(self, initial_learning_rate: float, decay_steps: int, decay_rate: float,
                 staircase: bool = False, name: str = "ExponentialDecay"):
        super().__init__()
        self.initial_learning_rate = initial_learning_rate
        self.decay_steps = decay_steps
        self.decay_rate = decay_rate
        self.staircase = staircase
        self.name = name
        _check_positive_steps("decay_steps", decay_steps)

    def __call__(self, step):
        step, m = prepare_step(step)
        p = step / float(self.decay_steps)
        if self.staircase:
            p = m.floor(p)
        return self.initial_learning_rate * float(self.decay_rate) ** p

    def get_config(self) -> dict:
        return {"initial_learning_rate": self.initial_learning_rate,
                "decay_steps": self.decay_steps, "decay_rate": self.decay_rate,
                "staircase": self.staircase, "name": self.name}


class PiecewiseConstantDecay(LearningRateSchedule):
    """Constant learning rates between step boundaries.

    ``values[0]`` while ``step <= boundaries[0]``, ``values[i]`` while
    ``boundaries[i-1] < step <= boundaries[i]``, ``values[-1]`` after the last boundary.

    Args:
        boundaries: Increasing step numbers.
        values: One more value than ``boundaries``.
        name: Name of the schedule.

    Example:
        >>> sched = PiecewiseConstantDecay([100, 200], [1.0, 0.5, 0.1])
        >>> sched(150)
        0.5
    """

    def __init__(self, boundaries, values, name: str = "PiecewiseConstant"):
        super().__init__()
        if len(boundaries) != len(values) - 1:
            raise ValueError(
                "The length of boundaries should be 1 less than the length of values. "
                "Received: boundaries=%s of length %d, and values=%s of length %d."
                % (boundaries, len(boundaries), values, len(values)))
        self.boundaries = boundaries
        self.values = values
        self.name = name

    def __call__(self, step):
        step, _ = prepare_step(step)
        if isinstance(step, float):
            for boundary, value in zip(self.boundaries, self.values):
                if step <= boundary:
                    return float(value)
            return float(self.values[-1])
        import torch
        # Index of the first boundary >= step, i.e. how many boundaries step exceeds.
        bounds = torch.as_tensor([float(b) for b in self.boundaries], dtype=torch.float32,
                                 device=step.device)
        vals = torch.as_tensor([float(v) for v in self.values], dtype=torch.float32,
                               device=step.device)
        return vals[torch.bucketize(step, bounds, right=False)]

    def get_config(self) -> dict:
        return {"boundaries": self.boundaries, "values": self.values, "name": self.name}


class PolynomialDecay(LearningRateSchedule):
    """Polynomial decay from ``initial_learning_rate`` to ``end_learning_rate``.

    ``(initial - end) * (1 - min(step, decay_steps) / decay_steps) ** power + end``;
    with ``cycle=True`` the horizon grows to the next multiple of ``decay_steps``.

    Args:
        initial_learning_rate: Learning rate at step 0.
        decay_steps: Positive number of steps to reach ``end_learning_rate``.
        end_learning_rate: Final learning rate.
        power: Exponent of the polynomial.
        cycle: Restart the decay past ``decay_steps``.
        name: Name of the schedule.

    Example:
        >>> PolynomialDecay(0.1, 100, end_learning_rate=0.01)(50)
        0.055
    """

    def __init__(self, initial_learning_rate: float, decay_steps: int,
                 end_learning_rate: float = 0.0001, power: float = 1.0, cycle: bool = False,
                 name: str = "PolynomialDecay"):
        super().__init__()
        self.initial_learning_rate = initial_learning_rate
        self.decay_steps = decay_steps
        self.end_learning_rate = end_learning_rate
        self.power = power
        self.cycle = cycle
        self.name = name
        _check_positive_steps("decay_steps", decay_steps)

    def __call__(self, step):
        step, m = prepare_step(step)
        horizon = float(self.decay_steps)
        if self.cycle:
            horizon = horizon * m.where(step == 0, 1.0, m.ceil(step / horizon))
        else:
            step = m.minimum(step, horizon)
        frac = (1 - step / horizon) ** float(self.power)
        return (self.initial_learning_rate - self.end_learning_rate) * frac \
            + self.end_learning_rate

    def get_config(self) -> dict:
        return {"initial_learning_rate": self.initial_learning_rate,
                "decay_steps": self.decay_steps, "end_learning_rate": self.end_learning_rate,
                "power": self.power, "cycle": self.cycle, "name": self.name}


class InverseTimeDecay(LearningRateSchedule):
    """``initial_learning_rate / (1 + decay_rate * step / decay_steps)``.

    Args:
        initial_learning_rate: Learning rate at step 0.
        decay_steps: Positive number of steps per unit of decay.
        decay_rate: Decay rate.
        staircase: If True, ``step / decay_steps`` is floored.
        name: Name of the schedule.

    Example:
        >>> InverseTimeDecay(0.1, decay_steps=1, decay_rate=0.5)(2)
        0.05
    """

    def __init__(self, initial_learning_rate: float, decay_steps: int, decay_rate: float,
                 staircase: bool = False, name: str = "InverseTimeDecay"):
        super().__init__()
        self.initial_learning_rate = initial_learning_rate
        self.decay_steps = decay_steps
        self.decay_rate = decay_rate
        self.staircase = staircase
        self.name = name
        _check_positive_steps("decay_steps", decay_steps)

    def __call__(self, step):
        step, m = prepare_step(step)
        p = step / float(self.decay_steps)
        if self.staircase:
            p = m.floor(p)
        return self.initial_learning_rate / (1.0 + float(self.decay_rate) * p)

    def get_config(self) -> dict:
        return {"initial_learning_rate": self.initial_learning_rate,
                "decay_steps": self.decay_steps, "decay_rate": self.decay_rate,
                "staircase": self.staircase, "name": self.name}
