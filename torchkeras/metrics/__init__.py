"""torchkeras.metrics: Keras 3's metrics, with their state on the training device.

``get("accuracy")``, ``get("mae")``, ``get({"class_name": "AUC", "config": {...}})`` and
metric objects or functions all resolve to something ``compile(metrics=...)`` can use.
"""
from __future__ import annotations

import inspect

from torchkeras.losses import (
    binary_crossentropy,
    binary_focal_crossentropy,
    categorical_crossentropy,
    categorical_focal_crossentropy,
    categorical_hinge,
    hinge,
    huber,
    kl_divergence,
    log_cosh,
    mean_absolute_error,
    mean_absolute_percentage_error,
    mean_squared_error,
    mean_squared_logarithmic_error,
    poisson,
    sparse_categorical_crossentropy,
    squared_hinge,
)
from torchkeras.metrics.accuracy_metrics import (
    Accuracy,
    BinaryAccuracy,
    CategoricalAccuracy,
    SparseCategoricalAccuracy,
    SparseTopKCategoricalAccuracy,
    TopKCategoricalAccuracy,
    accuracy,
    binary_accuracy,
    categorical_accuracy,
    sparse_categorical_accuracy,
    sparse_top_k_categorical_accuracy,
    top_k_categorical_accuracy,
)
from torchkeras.metrics.auc import AUC
from torchkeras.metrics.confusion_metrics import (
    FalseNegatives,
    FalsePositives,
    Precision,
    Recall,
    TrueNegatives,
    TruePositives,
)
from torchkeras.metrics.correlation_metrics import (
    ConcordanceCorrelation,
    PearsonCorrelation,
    concordance_correlation,
    pearson_correlation,
)
from torchkeras.metrics.f_score_metrics import F1Score, FBetaScore
from torchkeras.metrics.hinge_metrics import CategoricalHinge, Hinge, SquaredHinge
from torchkeras.metrics.iou_metrics import BinaryIoU, IoU, MeanIoU, OneHotIoU, OneHotMeanIoU
from torchkeras.metrics.metric import Metric
from torchkeras.metrics.probabilistic_metrics import (
    BinaryCrossentropy,
    CategoricalCrossentropy,
    KLDivergence,
    Poisson,
    SparseCategoricalCrossentropy,
)
from torchkeras.metrics.reduction_metrics import Mean, MeanMetricWrapper, Sum
from torchkeras.metrics.regression_metrics import (
    CosineSimilarity,
    LogCoshError,
    MeanAbsoluteError,
    MeanAbsolutePercentageError,
    MeanSquaredError,
    MeanSquaredLogarithmicError,
    R2Score,
    RootMeanSquaredError,
)
from torchkeras.metrics.sensitivity_metrics import (
    PrecisionAtRecall,
    RecallAtPrecision,
    SensitivityAtSpecificity,
    SpecificityAtSensitivity,
)

ALL_OBJECTS = (
    Metric, Mean, Sum, MeanMetricWrapper,
    MeanSquaredError, RootMeanSquaredError, MeanAbsoluteError, MeanAbsolutePercentageError,
    MeanSquaredLogarithmicError, CosineSimilarity, LogCoshError, R2Score,
    AUC, FalseNegatives, FalsePositives, Precision, PrecisionAtRecall, Recall,
    RecallAtPrecision, SensitivityAtSpecificity, SpecificityAtSensitivity, TrueNegatives,
    TruePositives,
    ConcordanceCorrelation, PearsonCorrelation,
    Hinge, SquaredHinge, CategoricalHinge,
    KLDivergence, Poisson, BinaryCrossentropy, CategoricalCrossentropy,
    SparseCategoricalCrossentropy,
    Accuracy, BinaryAccuracy, CategoricalAccuracy, SparseCategoricalAccuracy,
    TopKCategoricalAccuracy, SparseTopKCategoricalAccuracy,
    F1Score, FBetaScore,
    IoU, BinaryIoU, MeanIoU, OneHotIoU, OneHotMeanIoU,
)


def _snake(name: str) -> str:
    # Keras's to_snake_case: "AUC" -> "auc", "IoU" -> "io_u", "R2Score" -> "r2_score".
    import re
    name = re.sub(r"\W+", "", name)
    name = re.sub("(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub("([a-z])([A-Z])", r"\1_\2", name).lower()


ALL_OBJECTS_DICT = {cls.__name__: cls for cls in ALL_OBJECTS}
ALL_OBJECTS_DICT.update({_snake(cls.__name__): cls for cls in ALL_OBJECTS})
ALL_OBJECTS_DICT.update({
    "bce": BinaryCrossentropy, "BCE": BinaryCrossentropy,
    "mse": MeanSquaredError, "MSE": MeanSquaredError,
    "mae": MeanAbsoluteError, "MAE": MeanAbsoluteError,
    "mape": MeanAbsolutePercentageError, "MAPE": MeanAbsolutePercentageError,
    "msle": MeanSquaredLogarithmicError, "MSLE": MeanSquaredLogarithmicError,
    # Not in Keras's table (its compile() special-cases it), accepted here as well.
    "acc": Accuracy,
})

_FUNCTIONS = {fn.__name__: fn for fn in (
    accuracy, binary_accuracy, categorical_accuracy, sparse_categorical_accuracy,
    top_k_categorical_accuracy, sparse_top_k_categorical_accuracy, pearson_correlation,
    concordance_correlation, binary_crossentropy, binary_focal_crossentropy,
    categorical_crossentropy, categorical_focal_crossentropy, categorical_hinge, hinge, huber,
    kl_divergence, log_cosh, mean_absolute_error, mean_absolute_percentage_error,
    mean_squared_error, mean_squared_logarithmic_error, poisson,
    sparse_categorical_crossentropy, squared_hinge)}


def _is_keras_loss(fn) -> bool:
    """Whether ``fn`` is one of torchkeras's loss functions or loss objects."""
    module = getattr(fn, "__module__", None) if inspect.isfunction(fn) else type(fn).__module__
    return isinstance(module, str) and module.startswith("torchkeras.losses")


def _deserialize_function(config, custom_objects: dict | None = None):
    """A serialized metric function (dict or name) -> the function."""
    from torchkeras.saving.serialization import deserialize_keras_object, get_registered_object
    name = config.get("config") if isinstance(config, dict) else config
    if isinstance(config, dict) and config.get("class_name") != "function":
        return deserialize_keras_object(config, custom_objects=custom_objects,
                                        module_objects=ALL_OBJECTS_DICT)
    fn = get_registered_object(name, custom_objects)
    if fn is None:
        fn = _FUNCTIONS.get(name)
    if fn is None:
        from torchkeras import losses
        fn = getattr(losses, name, None) if isinstance(name, str) else None
    if fn is None or not callable(fn):
        raise ValueError("Unknown metric function: %r" % (name,))
    return fn


def serialize(metric) -> dict:
    """A ``Metric`` or metric function -> Keras 3's config dict.

    Example:
        >>> serialize(Precision(thresholds=0.3))["class_name"]
        'Precision'
    """
    from torchkeras.saving.serialization import serialize_keras_object
    return serialize_keras_object(metric)


def deserialize(config, custom_objects: dict | None = None):
    """Keras 3's config dict (or a name) -> a ``Metric`` instance or metric function.

    Args:
        config: A dict from ``serialize`` or a class/alias name.
        custom_objects: Extra ``{name: class_or_function}`` to look in.
    """
    from torchkeras.saving.serialization import deserialize_keras_object
    if isinstance(config, dict) and config.get("class_name") == "function":
        return _deserialize_function(config, custom_objects)
    return deserialize_keras_object(config, custom_objects=custom_objects,
                                    module_objects=ALL_OBJECTS_DICT)


def get(identifier):
    """Resolves a metric identifier: a name, a config dict, a ``Metric`` or a callable.

    Class names, their snake_case forms and the aliases ``"mse"``, ``"mae"``, ``"mape"``,
    ``"msle"``, ``"bce"``, ``"acc"`` give a new instance of the metric class
    (``get("accuracy")`` is an ``Accuracy()``); objects and callables pass through.

    Args:
        identifier: The identifier (``None`` gives ``None``).

    Example:
        >>> get("mae")
        <MeanAbsoluteError name=mean_absolute_error>
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
    raise ValueError("Could not interpret metric identifier: %s" % (identifier,))


__all__ = sorted(
    [cls.__name__ for cls in ALL_OBJECTS] + list(_FUNCTIONS)
    + ["get", "serialize", "deserialize"])
