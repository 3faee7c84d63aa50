"""torchkeras.optimizers: Keras 3 optimizers stepping torch parameters.

``get("adam")``, ``get({"class_name": "SGD", "config": {...}})``, an optimizer
instance, or a ``torch.optim`` optimizer (instance or class, wrapped in
:class:`TorchOptimizer`) all give an optimizer.
"""
from __future__ import annotations

import torch

from torchkeras.optimizers import schedules
from torchkeras.optimizers.adadelta import Adadelta
from torchkeras.optimizers.adafactor import Adafactor
from torchkeras.optimizers.adagrad import Adagrad
from torchkeras.optimizers.adam import Adam
from torchkeras.optimizers.adamax import Adamax
from torchkeras.optimizers.adamw import AdamW
from torchkeras.optimizers.ftrl import Ftrl
from torchkeras.optimizers.lamb import Lamb
from torchkeras.optimizers.lion import Lion
from torchkeras.optimizers.lookahead import Lookahead
from torchkeras.optimizers.loss_scale_optimizer import LossScaleOptimizer
from torchkeras.optimizers.nadam import Nadam
from torchkeras.optimizers.optimizer import Optimizer
from torchkeras.optimizers.rmsprop import RMSprop
from torchkeras.optimizers.sgd import SGD
from torchkeras.optimizers.torch_optimizer import TorchOptimizer
from torchkeras.optimizers.multi_optimizer import MultiOptimizer
from torchkeras.optimizers.muon import Muon
from torchkeras.optimizers.optimizer_map import OptimizerMap
from torchkeras.optimizers.schedule_free_adamw import ScheduleFreeAdamW
from torchkeras.saving.serialization import (deserialize_keras_object,
                                             serialize_keras_object)

ALL_OBJECTS = (Optimizer, Adam, SGD, RMSprop, Adadelta, AdamW, Adagrad, Adamax, Adafactor,
               Nadam, Ftrl, Lion, Lamb, LossScaleOptimizer, TorchOptimizer, Lookahead)
ALL_OBJECTS += (Muon, ScheduleFreeAdamW, MultiOptimizer, OptimizerMap)
ALL_OBJECTS_DICT = {cls.__name__.lower(): cls for cls in ALL_OBJECTS}


def serialize(optimizer: Optimizer) -> dict:
    """An optimizer -> Keras 3's ``{"module", "class_name", "config", ...}`` dict.

    Example:
        >>> serialize(SGD())["class_name"]
        'SGD'
    """
    return serialize_keras_object(optimizer)


def deserialize(config: dict, custom_objects: dict | None = None) -> Optimizer:
    """Rebuilds an optimizer from :func:`serialize`'s dict (class names case-insensitive).

    Example:
        >>> deserialize({"class_name": "adam", "config": {"learning_rate": 0.01}})
        <Adam name=adam learning_rate=0.009999999776482582>
    """
    if not isinstance(config, dict) or "class_name" not in config:
        raise ValueError("Could not interpret optimizer config: %r" % (config,))
    config = dict(config)
    if config["class_name"].lower() in ALL_OBJECTS_DICT:
        config["class_name"] = config["class_name"].lower()
        config.setdefault("config", {})
    return deserialize_keras_object(config, module_objects=ALL_OBJECTS_DICT,
                                    custom_objects=custom_objects)


def get(identifier) -> Optimizer | None:
    """Turns a name, config dict, optimizer or torch optimizer into an optimizer.

    Args:
        identifier: ``"adam"``/``"sgd"``/..., a :func:`serialize` dict, an ``Optimizer``,
            a ``torch.optim.Optimizer`` instance or class, or ``None``.

    Example:
        >>> get("rmsprop").learning_rate
        >>> get(torch.optim.AdamW(model.parameters(), lr=1e-3))   # TorchOptimizer
    """
    if identifier is None:
        return None
    if isinstance(identifier, Optimizer):
        return identifier
    if isinstance(identifier, torch.optim.Optimizer):
        return TorchOptimizer(identifier)
    if isinstance(identifier, type) and issubclass(identifier, torch.optim.Optimizer):
        return TorchOptimizer(identifier)
    if isinstance(identifier, type) and issubclass(identifier, Optimizer):
        return identifier()
    if isinstance(identifier, dict):
        obj = deserialize(identifier)
    elif isinstance(identifier, str):
        if identifier.lower() not in ALL_OBJECTS_DICT:
            raise ValueError("Could not interpret optimizer identifier: %s" % (identifier,))
        obj = deserialize({"class_name": identifier, "config": {}})
    else:
        obj = identifier
    if isinstance(obj, Optimizer):
        return obj
    raise ValueError("Could not interpret optimizer identifier: %s" % (identifier,))


__all__ = ["Optimizer", "Adam", "SGD", "RMSprop", "Adadelta", "AdamW", "Adagrad", "Adamax",
           "Adafactor", "Nadam", "Ftrl", "Lion", "Lamb", "LossScaleOptimizer",
           "TorchOptimizer", "Lookahead", "schedules", "get", "serialize", "deserialize"]
__all__ += ["Muon", "ScheduleFreeAdamW", "MultiOptimizer", "OptimizerMap"]
