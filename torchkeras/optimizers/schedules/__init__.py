"""torchkeras.optimizers.schedules: learning-rate schedules usable as ``learning_rate=``."""
from __future__ import annotations

from torchkeras.optimizers.schedules.cosine_decay import CosineDecay, CosineDecayRestarts
from torchkeras.optimizers.schedules.learning_rate_schedule import (
    ExponentialDecay, InverseTimeDecay, LearningRateSchedule, PiecewiseConstantDecay,
    PolynomialDecay)
from torchkeras.saving.serialization import (deserialize_keras_object,
                                             serialize_keras_object)

ALL_OBJECTS_DICT = {cls.__name__: cls for cls in (
    LearningRateSchedule, ExponentialDecay, PiecewiseConstantDecay, PolynomialDecay,
    InverseTimeDecay, CosineDecay, CosineDecayRestarts)}


def serialize(learning_rate_schedule: LearningRateSchedule) -> dict:
    """A schedule -> Keras 3's ``{"module", "class_name", "config", ...}`` dict.

    Example:
        >>> serialize(ExponentialDecay(0.1, 100, 0.9))["class_name"]
        'ExponentialDecay'
    """
    return serialize_keras_object(learning_rate_schedule)


def deserialize(config: dict, custom_objects: dict | None = None) -> LearningRateSchedule:
    """Rebuilds a schedule from :func:`serialize`'s dict.

    Example:
        >>> deserialize(serialize(CosineDecay(0.1, 1000)))
        CosineDecay(...)
    """
    return deserialize_keras_object(config, custom_objects=custom_objects,
                                    module_objects=ALL_OBJECTS_DICT)


__all__ = ["LearningRateSchedule", "ExponentialDecay", "PiecewiseConstantDecay",
           "PolynomialDecay", "InverseTimeDecay", "CosineDecay", "CosineDecayRestarts",
           "serialize", "deserialize"]
