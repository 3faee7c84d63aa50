"""torchkeras.losses: Keras 3's losses computed with torch kernels.

``get("mse")`` returns the per-sample function, ``get("MeanSquaredError")`` an
instance, ``get(dict)`` deserializes; ``Loss`` objects and any callable (including
``torch.nn`` loss modules) pass through.
"""
from __future__ import annotations

import inspect
from typing import Any

from torchkeras.losses.binary import (BinaryCrossentropy, BinaryFocalCrossentropy,
                                      binary_crossentropy, binary_focal_crossentropy)
from torchkeras.losses.categorical import (CategoricalCrossentropy,
                                           CategoricalFocalCrossentropy,
                                           CategoricalGeneralizedCrossEntropy,
                                           categorical_crossentropy,
                                           categorical_focal_crossentropy,
                                           categorical_generalized_cross_entropy)
from torchkeras.losses.circle import Circle, circle
from torchkeras.losses.ctc import CTC, ctc
from torchkeras.losses.hinge import (CategoricalHinge, Hinge, SquaredHinge, categorical_hinge,
                                     hinge, squared_hinge)
from torchkeras.losses.loss import Loss, reduce_weighted_values
from torchkeras.losses.probabilistic import KLDivergence, Poisson, kl_divergence, poisson
from torchkeras.losses.regression import (CosineSimilarity, Huber, LogCosh, MeanAbsoluteError,
                                          MeanAbsolutePercentageError, MeanSquaredError,
                                          MeanSquaredLogarithmicError, cosine_similarity, huber,
                                          log_cosh, mean_absolute_error,
                                          mean_absolute_percentage_error, mean_squared_error,
                                          mean_squared_logarithmic_error)
from torchkeras.losses.segmentation import Dice, Tversky, dice, tversky
from torchkeras.losses.sparse import (SparseCategoricalCrossentropy,
                                      sparse_categorical_crossentropy)
from torchkeras.losses.wrapper import LossFunctionWrapper

# tf.keras-era short names (Keras 3 resolves them through get())
mse = MSE = mean_squared_error
mae = MAE = mean_absolute_error
mape = MAPE = mean_absolute_percentage_error
msle = MSLE = mean_squared_logarithmic_error
kld = KLD = kullback_leibler_divergence = kl_divergence
bce = BCE = binary_crossentropy
logcosh = log_cosh

_CLASSES = (
    Loss, LossFunctionWrapper, KLDivergence, Poisson, BinaryCrossentropy,
    BinaryFocalCrossentropy, CategoricalCrossentropy, CategoricalFocalCrossentropy,
    CategoricalGeneralizedCrossEntropy, SparseCategoricalCrossentropy, MeanSquaredError,
    MeanAbsoluteError, MeanAbsolutePercentageError, MeanSquaredLogarithmicError,
    CosineSimilarity, LogCosh, Huber, Hinge, SquaredHinge, CategoricalHinge, Dice, Tversky,
    Circle, CTC,
)
_FUNCTIONS = (
    kl_divergence, poisson, binary_crossentropy, binary_focal_crossentropy,
    categorical_crossentropy, categorical_focal_crossentropy,
    categorical_generalized_cross_entropy, sparse_categorical_crossentropy, mean_squared_error,
    mean_absolute_error, mean_absolute_percentage_error, mean_squared_logarithmic_error,
    cosine_similarity, log_cosh, huber, hinge, squared_hinge, categorical_hinge, dice, tversky,
    circle, ctc,
)
ALL_OBJECTS_DICT: dict[str, Any] = {obj.__name__: obj for obj in _CLASSES + _FUNCTIONS}
ALL_OBJECTS_DICT.update({
    "bce": binary_crossentropy, "BCE": binary_crossentropy,
    "kld": kl_divergence, "KLD": kl_divergence,
    "kullback_leibler_divergence": kl_divergence,
    "mae": mean_absolute_error, "MAE": mean_absolute_error,
    "mse": mean_squared_error, "MSE": mean_squared_error,
    "mape": mean_absolute_percentage_error, "MAPE": mean_absolute_percentage_error,
    "msle": mean_squared_logarithmic_error, "MSLE": mean_squared_logarithmic_error,
    "logcosh": log_cosh,
})
_BUILTIN_FUNCTIONS = frozenset(_FUNCTIONS)


def serialize(loss) -> Any:
    """A ``Loss`` or loss function -> Keras 3's config dict.

    Built-in functions serialize as Keras writes them (``module="builtins"``), so
    Keras can read them back.

    Example:
        >>> serialize(Huber())["class_name"]
        'Huber'
    """
    from torchkeras.saving.serialization import serialize_keras_object
    if _hashable(loss) and loss in _BUILTIN_FUNCTIONS:
        return {"module": "builtins", "class_name": "function", "config": loss.__name__,
                "registered_name": "function"}
    out = serialize_keras_object(loss)
    if type(loss) is LossFunctionWrapper and isinstance(out, dict):
        out["module"] = "keras.src.losses.losses"
        out["registered_name"] = "LossFunctionWrapper"
    return out


def deserialize(name, custom_objects: dict | None = None):
    """Keras 3's config dict (or a name) -> ``Loss`` instance or loss function.

    Args:
        name: A dict from ``serialize``, or a class/function name or alias.
        custom_objects: Extra names -> user classes or functions.

    Example:
        >>> deserialize({"class_name": "Huber", "config": {"delta": 2.0}}).delta
        2.0
    """
    from torchkeras.saving.serialization import deserialize_keras_object
    obj = deserialize_keras_object(name, custom_objects=custom_objects,
                                   module_objects=ALL_OBJECTS_DICT)
    if isinstance(name, str) and inspect.isclass(obj):
        obj = obj()
    return obj


def get(identifier):
    """Resolves a loss identifier.

    Args:
        identifier: None; a function or class name or alias (``"mse"`` gives the
            function ``mean_squared_error``, ``"MeanSquaredError"`` an instance); a
            config dict; a ``Loss`` instance or any callable (e.g. a ``torch.nn``
            loss module), returned as is; a ``Loss`` class, instantiated.

    Returns:
        A loss function, ``Loss`` instance or callable, or None.

    Raises:
        ValueError: when the identifier cannot be interpreted.

    Example:
        >>> get("categorical_crossentropy") is categorical_crossentropy
        True
    """
    if identifier is None:
        return None
    if isinstance(identifier, dict):
        obj = deserialize(identifier)
    elif isinstance(identifier, str):
        obj = ALL_OBJECTS_DICT.get(identifier)
    else:
        obj = identifier
    if callable(obj):
        return obj() if inspect.isclass(obj) else obj
    raise ValueError("Could not interpret loss identifier: %s" % (identifier,))


def _hashable(obj) -> bool:
    try:
        hash(obj)
    except TypeError:
        return False
    return True


__all__ = [
    "Loss", "LossFunctionWrapper", "reduce_weighted_values", "get", "serialize",
    "deserialize", "ALL_OBJECTS_DICT",
    *[cls.__name__ for cls in _CLASSES[2:]], *[fn.__name__ for fn in _FUNCTIONS],
    "mse", "MSE", "mae", "MAE", "mape", "MAPE", "msle", "MSLE", "kld", "KLD",
    "kullback_leibler_divergence", "bce", "BCE", "logcosh",
]
