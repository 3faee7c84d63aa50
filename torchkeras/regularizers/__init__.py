"""torchkeras.regularizers: weight penalties with Keras 3's names and configs.

Example:
    >>> reg = torchkeras.regularizers.get("l2")
    >>> reg(torch.ones(3))
    tensor(0.0300)
"""
from __future__ import annotations

from typing import Any, Callable

from torchkeras.regularizers.regularizers import (L1, L1L2, L2, OrthogonalRegularizer,
                                                  Regularizer, validate_float_arg)
from torchkeras.saving import serialization as _serialization

# Keras exports the classes under lowercase names too (same objects).
l1 = L1
l2 = L2
l1_l2 = L1L2
orthogonal_regularizer = OrthogonalRegularizer

ALL_OBJECTS_DICT: dict[str, type] = {
    "Regularizer": Regularizer, "regularizer": Regularizer,
    "L1": L1, "l1": L1, "L2": L2, "l2": L2, "L1L2": L1L2, "l1l2": L1L2, "l1_l2": L1L2,
    "OrthogonalRegularizer": OrthogonalRegularizer,
    "orthogonal_regularizer": OrthogonalRegularizer,
}


def serialize(regularizer: Any) -> Any:
    """A regularizer -> Keras 3's dict ``{"module", "class_name", "config", ...}``.

    Example:
        >>> serialize(L2(0.1))["config"]
        {'l2': 0.1}
    """
    return _serialization.serialize_keras_object(regularizer)


def deserialize(config: Any, custom_objects: dict | None = None) -> Any:
    """Keras 3's dict (or a name) -> regularizer.

    Example:
        >>> deserialize({"class_name": "L1", "config": {"l1": 0.5}})
        L1(l1=0.5)
    """
    return _serialization.deserialize_keras_object(
        config, custom_objects=custom_objects, module_objects=ALL_OBJECTS_DICT)


def get(identifier: Any) -> Callable | None:
    """Resolves ``identifier`` to a callable ``reg(weight) -> scalar tensor``.

    Args:
        identifier: ``None``, a name (``"l1"``, ``"l2"``, ``"l1_l2"``,
            ``"orthogonal_regularizer"``…), a Keras config dict, a ``Regularizer``
            class or instance, or any callable.

    Example:
        >>> get("l1")
        L1(l1=0.009999999776482582)
    """
    if identifier is None:
        return None
    if isinstance(identifier, str):
        obj = ALL_OBJECTS_DICT.get(identifier)
        if obj is None:
            obj = _serialization.get_registered_object(identifier)
        if obj is None:
            raise ValueError("Could not interpret regularizer identifier: %r. Known names: %s"
                             % (identifier, ", ".join(sorted(ALL_OBJECTS_DICT))))
    elif isinstance(identifier, dict):
        obj = deserialize(identifier)
    else:
        obj = identifier
    if isinstance(obj, type):
        obj = obj()
    if not callable(obj):
        raise ValueError("Could not interpret regularizer identifier: %r" % (identifier,))
    return obj


__all__ = ["Regularizer", "L1", "L2", "L1L2", "OrthogonalRegularizer", "l1", "l2", "l1_l2",
           "orthogonal_regularizer", "get", "serialize", "deserialize", "validate_float_arg"]
