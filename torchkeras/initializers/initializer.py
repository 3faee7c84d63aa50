"""The ``Initializer`` base class shared by every torchkeras initializer."""
from __future__ import annotations

from typing import Any

import torch

from torchkeras import config as _config


class Initializer:
    """Base class of weight initializers: ``init(shape, dtype=None) -> torch.Tensor``.

    Subclasses implement ``__call__`` and, when they take arguments, ``get_config``.
    The default ``from_config`` passes the config back to the constructor.

    Example:
        >>> class Halves(Initializer):
        ...     def __call__(self, shape, dtype=None):
        ...         return torch.full(tuple(shape), 0.5, dtype=to_dtype(dtype))
    """

    def __call__(self, shape, dtype=None) -> torch.Tensor:
        raise NotImplementedError(
            "Initializer subclasses must implement the `__call__()` method.")

    def get_config(self) -> dict[str, Any]:
        return {}

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> "Initializer":
        return cls(**config)

    def clone(self) -> "Initializer":
        return type(self).from_config(self.get_config())

    def __repr__(self) -> str:
        args = ", ".join("%s=%r" % kv for kv in self.get_config().items())
        return "%s(%s)" % (type(self).__name__, args)


def to_dtype(dtype) -> torch.dtype:
    """A Keras dtype name, numpy or torch dtype (``None`` -> floatx) as a ``torch.dtype``."""
    return _config.to_torch_dtype(dtype)


def to_shape(shape) -> tuple[int, ...]:
    """Normalises a shape argument (int, list, tuple, ``torch.Size``) to a tuple of ints."""
    if isinstance(shape, int):
        return (shape,)
    try:
        out = tuple(int(s) for s in shape)
    except TypeError:
        raise ValueError("Initializers expect a fully defined shape, got %r" % (shape,)) from None
    if any(s < 0 for s in out):
        raise ValueError("Initializers expect non-negative dimensions, got shape=%r" % (shape,))
    return out


def sampling_dtype(dtype: torch.dtype) -> torch.dtype:
    """The dtype random numbers are drawn in: half types sample in float32, then cast,
    so the same seed gives the same values whatever the target precision."""
    if not dtype.is_floating_point:
        raise ValueError("Random initializers need a floating dtype, got %s"
                         % str(dtype).replace("torch.", ""))
    return torch.float64 if dtype == torch.float64 else torch.float32
