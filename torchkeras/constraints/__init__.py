"""torchkeras.constraints: weight projections with Keras 3's names and configs.

Example:
    >>> c = torchkeras.constraints.get("non_neg")
    >>> c(torch.tensor([-1.0, 1.0]))
    tensor([0., 1.])
"""
from __future__ import annotations

from typing import Any, Callable

from torchkeras.constraints.constraints import Constraint, MaxNorm, MinMaxNorm, NonNeg, UnitNorm
from torchkeras.saving import serialization as _serialization

# Keras exports the classes under snake_case names too (same objects).
max_norm = MaxNorm
non_neg = NonNeg
unit_norm = UnitNorm
min_max_norm = MinMaxNorm

ALL_OBJECTS_DICT: dict[str, type] = {
    "Constraint": Constraint, "constraint": Constraint, "MaxNorm": MaxNorm, "max_norm": MaxNorm,
    "NonNeg": NonNeg, "non_neg": NonNeg, "UnitNorm": UnitNorm, "unit_norm": UnitNorm,
    "MinMaxNorm": MinMaxNorm, "min_max_norm": MinMaxNorm,
}


def serialize(constraint: Any) -> Any:
    """A constraint -> Keras 3's dict ``{"module", "class_name", "config", ...}``.

    Example:
        >>> serialize(MaxNorm(3))["config"]
        {'max_value': 3, 'axis': 0}
    """
    return _serialization.serialize_keras_object(constraint)


def deserialize(config: Any, custom_objects: dict | None = None) -> Any:
    """Keras 3's dict (or a name) -> constraint.

    Example:
        >>> deserialize({"class_name": "NonNeg", "config": {}})
        NonNeg()
    """
    return _serialization.deserialize_keras_object(
        config, custom_objects=custom_objects, module_objects=ALL_OBJECTS_DICT)


def get(identifier: Any) -> Callable | None:
    """Resolves ``identifier`` to a callable ``c(weight) -> projected weight``.

    Args:
        identifier: ``None``, a name (``"max_norm"``, ``"non_neg"``, ``"unit_norm"``,
            ``"min_max_norm"``…), a Keras config dict, a ``Constraint`` class or
            instance, or any callable.

    Example:
        >>> get("max_norm")
        MaxNorm(max_value=2, axis=0)
    """
    if identifier is None:
        return None
    if isinstance(identifier, str):
        obj = ALL_OBJECTS_DICT.get(identifier)
        if obj is None:
            obj = _serialization.get_registered_object(identifier)
        if obj is None:
            raise ValueError("Could not interpret constraint identifier: %r. Known names: %s"
                             % (identifier, ", ".join(sorted(ALL_OBJECTS_DICT))))
    elif isinstance(identifier, dict):
        obj = deserialize(identifier)
    else:
        obj = identifier
    if isinstance(obj, type):
        obj = obj()
    if not callable(obj):
        raise ValueError("Could not interpret constraint identifier: %r" % (identifier,))
    return obj


__all__ = ["Constraint", "MaxNorm", "MinMaxNorm", "NonNeg", "UnitNorm", "max_norm", "non_neg",
           "unit_norm", "min_max_norm", "get", "serialize", "deserialize"]
