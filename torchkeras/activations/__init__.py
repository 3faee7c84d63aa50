"""torchkeras.activations: Keras 3's activation functions on torch tensors.

Example:
    >>> fn = torchkeras.activations.get("relu")
    >>> fn(torch.tensor([-1.0, 2.0]))
    tensor([0., 2.])
"""
from __future__ import annotations

from typing import Any, Callable

from torchkeras.activations.activations import (celu, elu, exponential, gelu, hard_shrink,
                                                hard_sigmoid, hard_silu, hard_swish, hard_tanh,
                                                leaky_relu, linear, log_sigmoid, mish, relu,
                                                relu6, selu, sigmoid, silu, soft_shrink, softplus,
                                                softsign, sparse_plus, sparse_sigmoid, squareplus,
                                                swish, tanh, tanh_shrink, threshold)
from torchkeras.activations.softmax import glu, log_softmax, softmax, sparsemax
from torchkeras.saving import serialization as _serialization

_FUNCTIONS = (relu, leaky_relu, relu6, softmax, celu, elu, selu, softplus, softsign, squareplus,
              soft_shrink, sparse_plus, silu, gelu, glu, tanh, tanh_shrink, threshold, sigmoid,
              sparse_sigmoid, exponential, hard_sigmoid, hard_silu, hard_tanh, hard_shrink,
              linear, mish, log_softmax, log_sigmoid, sparsemax)

ALL_OBJECTS_DICT: dict[str, Callable] = {fn.__name__: fn for fn in _FUNCTIONS}
ALL_OBJECTS_DICT["swish"] = silu
ALL_OBJECTS_DICT["hard_swish"] = hard_silu
_BUILTIN_IDS = {id(fn) for fn in _FUNCTIONS}


def serialize(activation: Any) -> Any:
    """A built-in activation -> its name (``"relu"``); anything else -> Keras's dict.

    Example:
        >>> serialize(relu)
        'relu'
    """
    if id(activation) in _BUILTIN_IDS:
        return activation.__name__
    config = _serialization.serialize_keras_object(activation)
    if not isinstance(config, dict) or config.get("config") is None:
        raise ValueError(
            "Unknown activation function %r cannot be serialized due to invalid function "
            "name. Make sure to use an activation name that matches the references defined "
            "in activations.py or use `@torchkeras.saving.register_keras_serializable()` "
            "to register any custom activations." % (activation,))
    return config


def deserialize(config: Any, custom_objects: dict | None = None) -> Callable:
    """A name or Keras dict -> activation function.

    Example:
        >>> deserialize({"module": "keras.activations", "class_name": "function",
        ...              "config": "relu", "registered_name": None}) is relu
        True
    """
    if isinstance(config, str) and config in ALL_OBJECTS_DICT:
        return ALL_OBJECTS_DICT[config]
    return _serialization.deserialize_keras_object(
        config, custom_objects=custom_objects, module_objects=ALL_OBJECTS_DICT)


def get(identifier: Any) -> Callable:
    """Resolves ``identifier`` to an activation function (``None`` -> ``linear``).

    Args:
        identifier: ``None``, a Keras activation name, a Keras config dict, or a callable
            (returned as it is: a torch function or ``nn.Module`` works too).

    Example:
        >>> get("swish") is silu
        True
    """
    if identifier is None:
        return linear
    if isinstance(identifier, str):
        obj = ALL_OBJECTS_DICT.get(identifier)
        if obj is None:
            obj = _serialization.get_registered_object(identifier)
        if obj is None:
            raise ValueError("Could not interpret activation function identifier: %r. "
                             "Known activations: %s"
                             % (identifier, ", ".join(sorted(ALL_OBJECTS_DICT))))
    elif isinstance(identifier, dict):
        obj = deserialize(identifier)
    else:
        obj = identifier
    if not callable(obj):
        raise ValueError("Could not interpret activation function identifier: %r"
                         % (identifier,))
    return obj


__all__ = sorted(ALL_OBJECTS_DICT) + ["get", "serialize", "deserialize"]
