"""Dtype policies: which dtype a layer stores its weights in and which it computes in.

``mixed_float16`` / ``mixed_bfloat16`` keep float32 weights and compute under
``torch.autocast``; ``fit`` adds dynamic loss scaling for float16.
"""
from __future__ import annotations

import torch

from torchkeras import config as _config

_GLOBAL_POLICY = None


class DTypePolicy:
    """A named dtype policy (``"float32"``, ``"mixed_float16"``, ``"mixed_bfloat16"``, …).

    Args:
        name: Policy name; a plain dtype name gives a policy computing in that dtype.

    Example:
        >>> policy = DTypePolicy("mixed_bfloat16")
        >>> policy.compute_dtype, policy.variable_dtype
        ('bfloat16', 'float32')
    """

    def __init__(self, name: str | None = None):
        if name is None:
            name = _config.floatx()
        if not isinstance(name, str):
            raise TypeError("DTypePolicy name must be a string, got %r" % (name,))
        if name in ("mixed_float16", "mixed_bfloat16"):
            compute, variable = name.split("_", 1)[1], "float32"
        else:
            try:
                compute = variable = _config.dtype_name(name)
            except ValueError:
                raise ValueError("Cannot convert %r to a dtype policy: use a dtype name or "
                                 "'mixed_float16' / 'mixed_bfloat16'." % name) from None
        self._name = name
        self._compute = compute
        self._variable = variable
        self.torch_compute = _config.to_torch_dtype(compute)
        self.torch_variable = _config.to_torch_dtype(variable)
        self.is_mixed = compute != variable

    @property
    def name(self) -> str:
        return self._name

    @property
    def compute_dtype(self) -> str:
        return self._compute

    @property
    def variable_dtype(self) -> str:
        return self._variable

    def get_config(self) -> dict:
        return {"name": self._name}

    @classmethod
    def from_config(cls, config: dict) -> "DTypePolicy":
        return cls(**config)

    def __eq__(self, other) -> bool:
        return isinstance(other, DTypePolicy) and other.name == self.name

    def __hash__(self) -> int:
        return hash(self._name)

    def __repr__(self) -> str:
        return '<DTypePolicy "%s">' % self._name


Policy = DTypePolicy


def set_global_policy(policy) -> None:
    """Sets the policy new layers get when they are given no ``dtype``."""
    global _GLOBAL_POLICY
    _GLOBAL_POLICY = None if policy is None else get_policy(policy)


def global_policy() -> DTypePolicy:
    return _GLOBAL_POLICY or DTypePolicy(_config.floatx())


def get_policy(dtype) -> DTypePolicy:
    if dtype is None:
        return global_policy()
    if isinstance(dtype, DTypePolicy):
        return dtype
    if isinstance(dtype, dict):
        return deserialize_policy(dtype)
    if isinstance(dtype, torch.dtype):
        return DTypePolicy(_config.dtype_name(dtype))
    return DTypePolicy(str(getattr(dtype, "name", dtype)))


def serialize_policy(policy: DTypePolicy) -> dict:
    return {"module": "keras", "class_name": "DTypePolicy", "config": {"name": policy.name},
            "registered_name": None}


def deserialize_policy(config) -> DTypePolicy:
    if isinstance(config, dict):
        inner = config.get("config", config)
        return DTypePolicy(inner.get("name"))
    return get_policy(config)


_config.register_dtype_policy_access(global_policy, set_global_policy)
