"""Rematerialization: recompute activations in the backward pass to save memory."""
from __future__ import annotations

import functools
import threading
from typing import Any, Callable

from torch.utils.checkpoint import checkpoint

_LOCAL = threading.local()
_MODES = (None, "full", "list_of_layers")


def remat(f: Callable) -> Callable:
    """Wraps ``f`` so its activations are recomputed in backward (``torch.utils.checkpoint``).

    Args:
        f: A function of tensors (a layer's ``call``, a block of ops).

    Example:
        >>> block = remat(lambda x: torch.relu(x @ w))
    """
    if not callable(f):
        raise TypeError("remat expects a callable, got %r" % (f,))

    @functools.wraps(f)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        return checkpoint(f, *args, use_reentrant=False, **kwargs)

    return wrapped


def active_remat_scope() -> "RematScope | None":
    stack = getattr(_LOCAL, "stack", None)
    return stack[-1] if stack else None


class RematScope:
    """Layers created inside the scope recompute their activations in backward.

    Args:
        mode: ``"full"`` (every layer), ``"list_of_layers"`` (layers named in
            ``layer_names``) or ``None`` (off). Keras's ``"activations"`` and
            ``"larger_than"`` modes are not supported (NotImplementedError).
        output_size_threshold: Kept for Keras compatibility (used by ``"larger_than"``).
        layer_names: Names of the layers to remat in ``"list_of_layers"`` mode.

    Example:
        >>> with RematScope(mode="full"):
        ...     block = torchkeras.layers.Dense(4096, activation="relu")
    """

    def __init__(self, mode: str | None = "full", output_size_threshold: int = 1024,
                 layer_names: list | None = None):
        if mode in ("activations", "larger_than"):
            raise NotImplementedError("RematScope mode %r is not supported by torchkeras; "
                                      "use 'full' or 'list_of_layers'." % mode)
        if mode not in _MODES:
            raise ValueError("Invalid mode %r: expected one of %s" % (mode, _MODES))
        if mode == "list_of_layers" and not layer_names:
            raise ValueError("mode='list_of_layers' needs `layer_names`.")
        self.mode = mode
        self.output_size_threshold = output_size_threshold
        self.layer_names = list(layer_names or [])

    def applies_to(self, layer_name: str) -> bool:
        """Whether a layer named ``layer_name`` created in this scope is rematerialized."""
        if self.mode == "full":
            return True
        return self.mode == "list_of_layers" and layer_name in self.layer_names

    def __enter__(self) -> "RematScope":
        if not hasattr(_LOCAL, "stack"):
            _LOCAL.stack = []
        _LOCAL.stack.append(self)
        return self

    def __exit__(self, *exc: Any) -> None:
        _LOCAL.stack.pop()
