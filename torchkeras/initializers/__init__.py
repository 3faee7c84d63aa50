"""torchkeras.initializers: weight initializers with Keras 3's names and configs.

Every initializer is a callable ``init(shape, dtype=None) -> torch.Tensor`` returning
a CPU tensor in Keras layout; ``get`` turns names, dicts, classes and callables
into one.

Example:
    >>> init = torchkeras.initializers.get("he_normal")
    >>> init((3, 3, 16, 32)).shape
    torch.Size([3, 3, 16, 32])
"""
from __future__ import annotations

import inspect
import re
from typing import Any, Callable

import numpy as np
import torch

from torchkeras.initializers.constant_initializers import Constant, Identity, Ones, Zeros
from torchkeras.initializers.initializer import Initializer
from torchkeras.initializers.orthogonal import Orthogonal
from torchkeras.initializers.random_initializers import (RandomNormal, RandomUniform,
                                                         TruncatedNormal)
from torchkeras.initializers.stft import STFT
from torchkeras.initializers.variance_scaling import (GlorotNormal, GlorotUniform, HeNormal,
                                                      HeUniform, LecunNormal, LecunUniform,
                                                      VarianceScaling, compute_fans)
from torchkeras.saving import serialization as _serialization

# Keras exports each class under a snake_case alias as well (same object).
constant = Constant
zeros = Zeros
ones = Ones
identity = Identity
IdentityInitializer = Identity
random_normal = RandomNormal
random_uniform = RandomUniform
truncated_normal = TruncatedNormal
variance_scaling = VarianceScaling
glorot_uniform = GlorotUniform
glorot_normal = GlorotNormal
he_normal = HeNormal
he_uniform = HeUniform
lecun_normal = LecunNormal
lecun_uniform = LecunUniform
orthogonal = Orthogonal
OrthogonalInitializer = Orthogonal
stft = STFT
STFTInitializer = STFT

_CLASSES = (Initializer, Constant, Identity, Ones, Zeros, STFT, GlorotNormal, GlorotUniform,
            HeNormal, HeUniform, LecunNormal, LecunUniform, Orthogonal, RandomNormal,
            RandomUniform, TruncatedNormal, VarianceScaling)


def _snake(name: str) -> str:
    name = re.sub(r"(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub(r"([a-z])([A-Z])", r"\1_\2", name).lower()


ALL_OBJECTS_DICT: dict[str, type] = {cls.__name__: cls for cls in _CLASSES}
ALL_OBJECTS_DICT.update({_snake(cls.__name__): cls for cls in _CLASSES})
ALL_OBJECTS_DICT.update({"IdentityInitializer": Identity, "OrthogonalInitializer": Orthogonal,
                         "STFTInitializer": STFT, "normal": RandomNormal,
                         "uniform": RandomUniform, "one": Ones, "zero": Zeros})


def serialize(initializer: Any) -> Any:
    """An initializer -> Keras 3's dict ``{"module", "class_name", "config", ...}``.

    Example:
        >>> serialize(GlorotUniform())["class_name"]
        'GlorotUniform'
    """
    return _serialization.serialize_keras_object(initializer)


def deserialize(config: Any, custom_objects: dict | None = None) -> Any:
    """Keras 3's dict (or a name) -> initializer.

    Example:
        >>> deserialize({"class_name": "Ones", "config": {}})
        Ones()
    """
    return _serialization.deserialize_keras_object(
        config, custom_objects=custom_objects, module_objects=ALL_OBJECTS_DICT)


def get(identifier: Any) -> Callable | None:
    """Resolves ``identifier`` to a callable ``init(shape, dtype=None) -> torch.Tensor``.

    Args:
        identifier: ``None``, a name (``"glorot_uniform"``, ``"GlorotUniform"``…), a
            Keras config dict, an ``Initializer`` class or instance, a callable
            ``(shape, dtype=None)``, or a tensor/array holding the values themselves.

    Returns:
        The initializer (``None`` for ``None``).

    Example:
        >>> get("zeros")((2,))
        tensor([0., 0.])
    """
    if identifier is None:
        return None
    if isinstance(identifier, str):
        cls = ALL_OBJECTS_DICT.get(identifier)
        if cls is None:
            cls = _serialization.get_registered_object(identifier)
        if cls is None:
            raise ValueError("Could not interpret initializer identifier: %r. Known names: %s"
                             % (identifier, ", ".join(sorted(ALL_OBJECTS_DICT))))
        obj = cls
    elif isinstance(identifier, dict):
        obj = deserialize(identifier)
    elif isinstance(identifier, (torch.Tensor, np.ndarray, np.generic)):
        obj = _from_values(identifier)
    else:
        obj = identifier
    if inspect.isclass(obj):
        obj = obj()
    if not callable(obj):
        raise ValueError("Could not interpret initializer identifier: %r" % (identifier,))
    return obj


def _from_values(values) -> Callable:
    """An initializer returning fixed values (shape must match the request)."""
    values = torch.as_tensor(values).detach().cpu()

    def initialize_fn(shape, dtype=None):
        from torchkeras.initializers.initializer import to_dtype, to_shape
        if to_shape(shape) != tuple(values.shape):
            raise ValueError("Expected `shape` to be %s for direct tensor as initializer. "
                             "Received shape=%s" % (tuple(values.shape), tuple(shape)))
        return values.to(to_dtype(dtype)).clone()

    return initialize_fn


__all__ = ["Initializer", "Constant", "Identity", "Ones", "Zeros", "STFT", "GlorotNormal",
           "GlorotUniform", "HeNormal", "HeUniform", "LecunNormal", "LecunUniform",
           "Orthogonal", "RandomNormal", "RandomUniform", "TruncatedNormal", "VarianceScaling",
           "IdentityInitializer", "OrthogonalInitializer", "STFTInitializer", "constant",
           "zeros", "ones", "identity", "random_normal", "random_uniform", "truncated_normal",
           "variance_scaling", "glorot_uniform", "glorot_normal", "he_normal", "he_uniform",
           "lecun_normal", "lecun_uniform", "orthogonal", "stft", "compute_fans", "get",
           "serialize", "deserialize"]
