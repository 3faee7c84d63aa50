"""DTypePolicyMap: per-layer-path dtype policies with a default."""
from __future__ import annotations

import re
from collections.abc import MutableMapping
from typing import Any, Iterator

from torchkeras.mixed_precision.policy import DTypePolicy, get_policy, serialize_policy


class DTypePolicyMap(MutableMapping):
    """Maps layer paths (or regexes over them) to dtype policies.

    A lookup tries the exact key first, then keys as regular expressions searched in the
    path (the only match wins; several matches are ambiguous), else ``default_policy``.

    Args:
        default_policy: Policy for paths no key matches (global policy when ``None``).
        policy_map: Initial ``{path: policy}`` entries.

    Example:
        >>> m = DTypePolicyMap("float32", {"dense/.*": "bfloat16"})
        >>> m["model/dense/kernel"].name
        'bfloat16'
    """

    def __init__(self, default_policy: Any = None, policy_map: dict | None = None):
        if isinstance(default_policy, DTypePolicyMap):
            raise ValueError("`default_policy` cannot be a `DTypePolicyMap`.")
        if policy_map is not None and not isinstance(policy_map, dict):
            raise TypeError("`policy_map` must be a dict, got %s" % type(policy_map).__name__)
        self._default = get_policy(default_policy)
        self._map: dict = {}
        for key, value in (policy_map or {}).items():
            self[key] = value

    @property
    def default_policy(self) -> DTypePolicy:
        return self._default

    @property
    def name(self) -> str:
        return "map_" + self._default.name

    def __getitem__(self, key: str) -> DTypePolicy:
        if key in self._map:
            return self._map[key]
        hits = [k for k in self._map if re.search(k, key)]
        if len(hits) > 1:
            raise ValueError("Path %r matches several keys of the DTypePolicyMap: %s"
                             % (key, hits))
        return self._map[hits[0]] if hits else self._default

    def __setitem__(self, key: str, policy: Any) -> None:
        if key in self._map:
            raise ValueError("Key %r already exists in the DTypePolicyMap; delete it first."
                             % key)
        self._map[key] = get_policy(policy)

    def __delitem__(self, key: str) -> None:
        del self._map[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._map)

    def __len__(self) -> int:
        return len(self._map)

    def get_config(self) -> dict:
        return {"default_policy": serialize_policy(self._default),
                "policy_map": {k: serialize_policy(v) for k, v in self._map.items()}}

    @classmethod
    def from_config(cls, config: dict) -> "DTypePolicyMap":
        return cls(config.get("default_policy"), dict(config.get("policy_map") or {}))

    def __repr__(self) -> str:
        return "<DTypePolicyMap default=%r, %d entries>" % (self._default.name, len(self))
