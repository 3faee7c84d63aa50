"""``keras.utils.Config``: a dict with attribute access that can be frozen."""
from __future__ import annotations

import copy
import json
from typing import Any


class Config:
    """A mapping of settings usable as ``config.key`` and ``config["key"]``.

    ``freeze()`` makes it read-only (a ValueError on any change), ``unfreeze()`` undoes it.

    Args:
        **kwargs: Initial settings.

    Example:
        >>> cfg = Config(learning_rate=0.1)
        >>> cfg.epochs = 3
        >>> cfg.as_dict()
        {'learning_rate': 0.1, 'epochs': 3}
    """

    __attrs__ = None

    def __init__(self, **kwargs: Any):
        object.__setattr__(self, "_config", dict(kwargs))
        object.__setattr__(self, "_frozen", False)

    @property
    def frozen(self) -> bool:
        return self._frozen

    def freeze(self) -> None:
        object.__setattr__(self, "_frozen", True)

    def unfreeze(self) -> None:
        object.__setattr__(self, "_frozen", False)

    def _check_mutable(self, key: str) -> None:
        if self._frozen:
            raise ValueError("Cannot change attribute %r of a frozen Config: call "
                             "`unfreeze()` first." % key)

    def __setattr__(self, name: str, value: Any) -> None:
        self._check_mutable(name)
        self._config[name] = value

    def __getattr__(self, name: str) -> Any:
        config = self.__dict__.get("_config", {})
        if name in config:
            return config[name]
        raise AttributeError("Unknown attribute: %r" % name)

    def __delattr__(self, name: str) -> None:
        self._check_mutable(name)
        try:
            del self._config[name]
        except KeyError:
            raise AttributeError("Unknown attribute: %r" % name) from None

    def __setitem__(self, key: str, value: Any) -> None:
        self.__setattr__(key, value)

    def __getitem__(self, key: str) -> Any:
        return self._config[key]

    def __delitem__(self, key: str) -> None:
        self.__delattr__(key)

    def __contains__(self, key: str) -> bool:
        return key in self._config

    def __len__(self) -> int:
        return len(self._config)

    def __iter__(self):
        return iter(self._config)

    def keys(self):
        return self._config.keys()

    def values(self):
        return self._config.values()

    def items(self):
        return self._config.items()

    def get(self, key: str, default: Any = None) -> Any:
        return self._config.get(key, default)

    def pop(self, *args: Any) -> Any:
        self._check_mutable(args[0] if args else "")
        return self._config.pop(*args)

    def update(self, *args: Any, **kwargs: Any) -> None:
        self._check_mutable("update")
        self._config.update(*args, **kwargs)

    def as_dict(self) -> dict:
        return copy.copy(self._config)

    def to_json(self) -> str:
        return json.dumps(self._config)

    def __repr__(self) -> str:
        return "<Config %r>" % (self._config,)
