"""StatelessScope and SymbolicScope."""
from __future__ import annotations

import threading
from typing import Any

import torch

_LOCAL = threading.local()


def _key(var: torch.Tensor) -> tuple:
    # Keras-shaped weights are fresh views on each access: identify them by storage.
    return (var.data_ptr(), tuple(var.shape), var.stride(), var.dtype)


class StatelessScope:
    """Runs a block with some variables temporarily holding other values.

    On entry each variable of ``state_mapping`` takes the given value; on exit its
    value at that point (including assignments made in the block) is recorded and the
    original value is restored. Variables outside ``state_mapping`` are not isolated.

    Args:
        state_mapping: ``[(variable, value), ...]``.
        collect_losses: Kept for Keras compatibility.
        initialize_variables: Kept for Keras compatibility.

    Example:
        >>> with StatelessScope(state_mapping=[(layer.kernel, zeros)]) as scope:
        ...     y = layer(x)
        >>> scope.get_current_value(layer.kernel)  # the value at the end of the block
    """

    def __init__(self, state_mapping: Any = None, collect_losses: bool = False,
                 initialize_variables: bool = True):
        self.collect_losses = collect_losses
        self.initialize_variables = initialize_variables
        self._mapping: list = []
        for pair in state_mapping or []:
            if not isinstance(pair, (list, tuple)) or len(pair) != 2:
                raise ValueError("state_mapping must be a list of (variable, value) pairs, "
                                 "got %r" % (pair,))
            var, value = pair
            if not isinstance(var, torch.Tensor):
                raise ValueError("Invalid reference variable in StatelessScope: %r" % (var,))
            # `.to(var)`: var's torch dtype/device even when it is a Keras view.
            value = torch.as_tensor(value).to(var)
            if value.shape != var.shape:
                raise ValueError("Value for %s has shape %s, expected %s"
                                 % (getattr(var, "name", "variable"), tuple(value.shape),
                                    tuple(var.shape)))
            self._mapping.append((var, value))
        self._originals: list = []
        self._current: dict = {}

    def __enter__(self) -> "StatelessScope":
        # In-place copies, so Keras-shaped views (``layer.kernel``) swap their storage too.
        with torch.no_grad():
            self._originals = [var.detach().clone() for var, _ in self._mapping]
            for var, value in self._mapping:
                var.copy_(value)
        return self

    def __exit__(self, *exc: Any) -> None:
        with torch.no_grad():
            for (var, _), original in zip(self._mapping, self._originals):
                self._current[_key(var)] = var.detach().clone()
                var.copy_(original)

    def get_current_value(self, variable: torch.Tensor) -> torch.Tensor | None:
        """A mapped variable's value at the end of the block (``None`` if not mapped)."""
        return self._current.get(_key(variable))


class SymbolicScope:
    """Marks a block as symbolic tracing (``in_symbolic_scope()`` is True inside)."""

    def __enter__(self) -> "SymbolicScope":
        _LOCAL.symbolic = getattr(_LOCAL, "symbolic", 0) + 1
        return self

    def __exit__(self, *exc: Any) -> None:
        _LOCAL.symbolic -= 1


def in_symbolic_scope() -> bool:
    return getattr(_LOCAL, "symbolic", 0) > 0
