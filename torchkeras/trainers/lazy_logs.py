"""LazyLogs: the dict a step returns, computed only when something reads it."""
from __future__ import annotations


class LazyLogs(dict):
    """A ``dict`` of metric results filled from ``fill()`` on first access.

    Steps return one per batch; the loop never reads it unless a callback or the
    progress bar does, so ``result()`` ops run a few times per epoch, not per step.
    """

    __slots__ = ("_fill", "_filled")

    def __init__(self, fill):
        super().__init__()
        self._fill = fill
        self._filled = False

    def _ensure(self) -> None:
        if not self._filled:
            self._filled = True
            dict.update(self, self._fill())

    def __getitem__(self, key):
        self._ensure()
        return dict.__getitem__(self, key)

    def __iter__(self):
        self._ensure()
        return dict.__iter__(self)

    def __len__(self) -> int:
        self._ensure()
        return dict.__len__(self)

    def __contains__(self, key) -> bool:
        self._ensure()
        return dict.__contains__(self, key)

    def __repr__(self) -> str:
        self._ensure()
        return dict.__repr__(self)

    def __eq__(self, other) -> bool:
        self._ensure()
        return dict.__eq__(self, other)

    __hash__ = None

    def keys(self):
        self._ensure()
        return dict.keys(self)

    def values(self):
        self._ensure()
        return dict.values(self)

    def items(self):
        self._ensure()
        return dict.items(self)

    def get(self, key, default=None):
        self._ensure()
        return dict.get(self, key, default)

    def copy(self) -> dict:
        self._ensure()
        return dict(dict.items(self))

    def __setitem__(self, key, value) -> None:
        self._ensure()
        dict.__setitem__(self, key, value)

    def update(self, *args, **kwargs) -> None:
        self._ensure()
        dict.update(self, *args, **kwargs)

    def pop(self, *args):
        self._ensure()
        return dict.pop(self, *args)
