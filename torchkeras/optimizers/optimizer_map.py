"""OptimizerMap: which optimizer steps which variable, by path (exact or regex)."""
from __future__ import annotations

import re
from collections.abc import MutableMapping

from torchkeras.optimizers.loss_scale_optimizer import LossScaleOptimizer
from torchkeras.optimizers.multi_optimizer import MultiOptimizer
from torchkeras.optimizers.optimizer import Optimizer
from torchkeras.saving.serialization import (deserialize_keras_object,
                                             serialize_keras_object)


class OptimizerMap(MutableMapping):
    """A mapping from variable paths to optimizers, with a default for the rest.

    A key is a variable path (``"dense/kernel"``) or a regular expression matched against
    the whole path (``"encoder/.*"``). Lookup tries the exact key first, then the
    patterns; two matching patterns are a ``ValueError``; no match gives
    ``default_optimizer``. Calling the map on a variable looks up its ``path``, which is
    how :class:`MultiOptimizer` uses it.

    Args:
        default_optimizer: The optimizer of every variable no key matches.
        optimizer_map: Optional initial ``{key: optimizer}`` dict.

    Example:
        >>> opt_map = OptimizerMap(default_optimizer=SGD(0.1))
        >>> opt_map["encoder/.*"] = Adam(1e-3)
        >>> type(opt_map["encoder/dense/kernel"]).__name__
        'Adam'
    """

    def __init__(self, default_optimizer: Optimizer, optimizer_map: dict | None = None):
        if not isinstance(default_optimizer, Optimizer):
            raise TypeError("default_optimizer must be a Keras Optimizer instance. "
                            "Received: %r" % (default_optimizer,))
        if optimizer_map is not None and not isinstance(optimizer_map, dict):
            raise TypeError("optimizer_map must be a dictionary. Received: %r"
                            % (optimizer_map,))
        self._default_optimizer = default_optimizer
        self._optimizer_map = dict(optimizer_map or {})

    @property
    def default_optimizer(self) -> Optimizer:
        """The optimizer of variables no key matches."""
        return self._default_optimizer

    def __getitem__(self, key: str) -> Optimizer:
        if key in self._optimizer_map:
            return self._optimizer_map[key]
        matches = [p for p in self._optimizer_map if re.fullmatch(p, key)]
        if len(matches) > 1:
            raise ValueError("Multiple optimizers assigned to variable %s." % (key,))
        if matches:
            return self._optimizer_map[matches[0]]
        return self._default_optimizer

    def __setitem__(self, key: str, optimizer: Optimizer) -> None:
        if key in self._optimizer_map:
            raise ValueError("'%s' already exists in the OptimizerMap with value %r. Please "
                             "make sure to not use duplicated keys."
                             % (key, self._optimizer_map[key]))
        if not isinstance(key, str):
            raise ValueError("key must be a string. Received: %r" % (key,))
        if not isinstance(optimizer, Optimizer):
            raise ValueError("optimizer must be a Keras Optimizer instance. Received: %r"
                             % (optimizer,))
        if isinstance(optimizer, LossScaleOptimizer):
            raise ValueError("optimizer cannot be LossScaleOptimizer.")
        if isinstance(optimizer, MultiOptimizer):
            raise ValueError("optimizer cannot be MultiOptimizer.")
        self._optimizer_map[key] = optimizer

    def __delitem__(self, key: str) -> None:
        del self._optimizer_map[key]

    def __len__(self) -> int:
        return len(self._optimizer_map)

    def __iter__(self):
        return iter(self._optimizer_map)

    def __call__(self, variable) -> Optimizer:
        return self[_path_of(variable)]

    def __repr__(self) -> str:
        return "<OptimizerMap default=%r keys=%s>" % (self._default_optimizer,
                                                      list(self._optimizer_map))

    def get_config(self) -> dict:
        return {"default_optimizer": serialize_keras_object(self._default_optimizer),
                "optimizer_map": serialize_keras_object(self._optimizer_map)}

    @classmethod
    def from_config(cls, config: dict, custom_objects: dict | None = None) -> "OptimizerMap":
        default = deserialize_keras_object(config["default_optimizer"],
                                           custom_objects=custom_objects)
        mapping = {k: deserialize_keras_object(v, custom_objects=custom_objects)
                   for k, v in (config.get("optimizer_map") or {}).items()}
        return cls(default, mapping)


def _path_of(variable) -> str:
    path = getattr(variable, "path", None) or getattr(variable, "name", None)
    if not isinstance(path, str):
        raise ValueError("OptimizerMap needs variables with a `path` (or `name`); received "
                         "%r" % (type(variable).__name__,))
    return path
