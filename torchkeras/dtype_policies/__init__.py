"""``keras.dtype_policies``: the dtype policies layers compute and store with.

Quantized policies (int8/int4/float8/GPTQ/AWQ) are not supported: quantization is not
implemented in torchkeras, and their names raise ``NotImplementedError`` saying so.
"""
from __future__ import annotations

from typing import Any

from torchkeras.dtype_policies.dtype_policy_map import DTypePolicyMap
from torchkeras.mixed_precision.policy import (
    DTypePolicy, deserialize_policy, get_policy, serialize_policy,
)


class FloatDTypePolicy(DTypePolicy):
    """Keras's older name for a float ``DTypePolicy`` (same behaviour)."""


def _quantized(name: str) -> type:
    def init(self, *args: Any, **kwargs: Any) -> None:
        raise NotImplementedError("%s: quantization is not supported by torchkeras." % name)
    return type(name, (DTypePolicy,), {"__init__": init, "__doc__": "Not supported: "
                                       "quantization is not implemented in torchkeras."})


QuantizedDTypePolicy = _quantized("QuantizedDTypePolicy")
QuantizedFloat8DTypePolicy = _quantized("QuantizedFloat8DTypePolicy")
Int4DTypePolicy = _quantized("Int4DTypePolicy")
GPTQDTypePolicy = _quantized("GPTQDTypePolicy")
AWQDTypePolicy = _quantized("AWQDTypePolicy")


def get(identifier: Any) -> DTypePolicy | DTypePolicyMap:
    """A policy from a name (``"mixed_float16"``), dtype, config dict or policy.

    Args:
        identifier: Name, ``torch.dtype``, serialized dict, or a policy (returned as is).

    Example:
        >>> get("mixed_bfloat16").compute_dtype
        'bfloat16'
    """
    if isinstance(identifier, DTypePolicyMap):
        return identifier
    if isinstance(identifier, dict) and identifier.get("class_name") == "DTypePolicyMap":
        return DTypePolicyMap.from_config(identifier.get("config", {}))
    if isinstance(identifier, str) and identifier.startswith(("int8", "int4", "float8", "gptq",
                                                              "awq")):
        raise NotImplementedError("Dtype policy %r: quantization is not supported by "
                                  "torchkeras." % identifier)
    if identifier is not None and not isinstance(identifier, (str, dict, DTypePolicy)) \
            and not hasattr(identifier, "is_floating_point") and not hasattr(identifier, "name"):
        raise ValueError("Cannot interpret %r as a dtype policy." % (identifier,))
    return get_policy(identifier)


def serialize(dtype_policy: DTypePolicy | DTypePolicyMap) -> dict:
    """The Keras config dict of a policy."""
    if isinstance(dtype_policy, DTypePolicyMap):
        return {"module": "keras.dtype_policies", "class_name": "DTypePolicyMap",
                "config": dtype_policy.get_config(), "registered_name": None}
    if not isinstance(dtype_policy, DTypePolicy):
        raise TypeError("serialize expects a DTypePolicy, got %r" % (dtype_policy,))
    return serialize_policy(dtype_policy)


def deserialize(config: dict, custom_objects: dict | None = None) -> Any:
    """The policy a ``serialize`` dict describes."""
    if isinstance(config, dict) and config.get("class_name") == "DTypePolicyMap":
        return DTypePolicyMap.from_config(config.get("config", {}))
    return deserialize_policy(config)


__all__ = ["AWQDTypePolicy", "DTypePolicy", "DTypePolicyMap", "FloatDTypePolicy",
           "GPTQDTypePolicy", "Int4DTypePolicy", "QuantizedDTypePolicy",
           "QuantizedFloat8DTypePolicy", "deserialize", "get", "serialize"]
