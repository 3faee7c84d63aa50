"""``keras.name_scope``: a stack of names, joined with ``/``."""
from __future__ import annotations

import threading
from typing import Any

_LOCAL = threading.local()


def _stack() -> list:
    if not hasattr(_LOCAL, "names"):
        _LOCAL.names = []
    return _LOCAL.names


def current_path() -> str:
    """The ``/``-joined names of the open scopes (``""`` outside any)."""
    return "/".join(_stack())


class name_scope:  # noqa: N801  (Keras's public name)
    """Context manager opening a named scope (``with keras.name_scope("block1"): ...``).

    Args:
        name: Scope name (no ``/``).
        caller: The object opening the scope (kept for Keras compatibility).
        deduplicate: Skip the scope when the innermost open one has the same name.
        override_parent: Replace the whole path with this name instead of nesting.

    Example:
        >>> with name_scope("outer"):
        ...     with name_scope("inner"):
        ...         current_path()
        'outer/inner'
    """

    def __init__(self, name: str, caller: Any = None, deduplicate: bool = True,
                 override_parent: str | None = None):
        if not isinstance(name, str) or "/" in name:
            raise ValueError("Argument `name` must be a string without '/'. Received: "
                             "name=%r" % (name,))
        self.name = name
        self.caller = caller
        self.deduplicate = deduplicate
        self.override_parent = override_parent
        self._pushed = False
        self._saved: list | None = None

    def __enter__(self) -> "name_scope":
        stack = _stack()
        if self.override_parent is not None:
            self._saved = list(stack)
            stack[:] = [p for p in self.override_parent.split("/") if p]
        if not (self.deduplicate and stack and stack[-1] == self.name):
            stack.append(self.name)
            self._pushed = True
        return self

    def __exit__(self, *exc: Any) -> None:
        stack = _stack()
        if self._pushed:
            stack.pop()
            self._pushed = False
        if self._saved is not None:
            stack[:] = self._saved
            self._saved = None
