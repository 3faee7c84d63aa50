"""metrics.get / serialize / deserialize, and get_config parity with Keras for every class."""
import numpy as np
import pytest

import torchkeras as tk

# Every Keras 3 metric class with constructor arguments that exercise its config.
CONSTRUCTORS = {
    "Metric": {}, "Mean": {"name": "m"}, "Sum": {"dtype": "float64"},
    "MeanSquaredError": {}, "RootMeanSquaredError": {}, "MeanAbsoluteError": {},
    "MeanAbsolutePercentageError": {}, "MeanSquaredLogarithmicError": {},
    "CosineSimilarity": {"axis": 1}, "LogCoshError": {}, "R2Score": {"num_regressors": 2},
    "AUC": {"num_thresholds": 10, "curve": "PR", "multi_label": True, "num_labels": 3},
    "FalseNegatives": {"thresholds": [0.2, 0.4]}, "FalsePositives": {"thresholds": 0.3},
    "Precision": {"top_k": 2, "class_id": 1}, "PrecisionAtRecall": {"recall": 0.4},
    "Recall": {"thresholds": [0.1, 0.9]}, "RecallAtPrecision": {"precision": 0.3},
    "SensitivityAtSpecificity": {"specificity": 0.5, "num_thresholds": 20},
    "SpecificityAtSensitivity": {"sensitivity": 0.5, "class_id": 2},
    "TrueNegatives": {}, "TruePositives": {},
    "ConcordanceCorrelation": {"axis": 0}, "PearsonCorrelation": {},
    "Hinge": {}, "SquaredHinge": {}, "CategoricalHinge": {},
    "KLDivergence": {}, "Poisson": {}, "BinaryCrossentropy": {"label_smoothing": 0.1},
    "CategoricalCrossentropy": {"from_logits": True, "axis": 1},
    "SparseCategoricalCrossentropy": {"ignore_class": 0},
    "Accuracy": {}, "BinaryAccuracy": {"threshold": 0.7}, "CategoricalAccuracy": {},
    "SparseCategoricalAccuracy": {}, "TopKCategoricalAccuracy": {"k": 3},
    "SparseTopKCategoricalAccuracy": {"k": 2, "from_sorted_ids": True},
    "F1Score": {"average": "macro"}, "FBetaScore": {"beta": 2.0, "threshold": 0.4},
    "IoU": {"num_classes": 3, "target_class_ids": [1, 2]}, "BinaryIoU": {"threshold": 0.3},
    "MeanIoU": {"num_classes": 4, "ignore_class": 0}, "OneHotIoU": {"num_classes": 3,
                                                                     "target_class_ids": [0]},
    "OneHotMeanIoU": {"num_classes": 5, "sparse_y_pred": True},
    "MeanMetricWrapper": lambda m: {"fn": m.binary_accuracy, "threshold": 0.3},
}


def test_catalogue_matches_keras(keras):
    import keras.src.metrics as kmetrics
    ours = {c.__name__ for c in tk.metrics.ALL_OBJECTS}
    assert ours == {c.__name__ for c in kmetrics.ALL_OBJECTS}
    assert set(CONSTRUCTORS) == ours and len(ours) == 46
    exported = [n for n in dir(keras.metrics) if not n.startswith("_")]
    missing = [n for n in exported if not hasattr(tk.metrics, n)]
    assert missing == []
    assert set(kmetrics.ALL_OBJECTS_DICT) <= set(tk.metrics.ALL_OBJECTS_DICT)


@pytest.mark.keras_oracle
@pytest.mark.parametrize("cls", sorted(CONSTRUCTORS))
def test_config_and_serialization_match_keras(cls, keras):
    kwargs = CONSTRUCTORS[cls]
    ours = getattr(tk.metrics, cls)(**(kwargs(tk.metrics) if callable(kwargs) else kwargs))
    ref = getattr(keras.metrics, cls)(**(kwargs(keras.metrics) if callable(kwargs) else kwargs))
    ours_cfg = dict(ours.get_config(), name=None)
    ref_cfg = dict(ref.get_config(), name=None)
    if "fn" in ref_cfg:  # functions are compared by name (Keras writes module "builtins")
        assert ours_cfg.pop("fn")["config"] == ref_cfg.pop("fn")["config"]
    assert ours_cfg == ref_cfg
    ser, ref_ser = tk.metrics.serialize(ours), keras.metrics.serialize(ref)
    if cls == "Metric":  # exported as keras.Metric too, hence Keras's module "keras"
        ref_ser = dict(ref_ser, module="keras.metrics")
    assert {**ser, "config": None} == {**ref_ser, "config": None}
    # Our dict rebuilds our metric; Keras's dict does too.
    for cfg in (ser, ref_ser):
        back = tk.metrics.deserialize(cfg)
        assert type(back) is type(ours)
        back_cfg = dict(back.get_config(), name=None)
        back_cfg.pop("fn", None)
        assert back_cfg == ours_cfg
    assert tk.metrics.deserialize(ser).name == ours.name


@pytest.mark.keras_oracle
def test_get_strings_match_keras(keras):
    import keras.src.metrics as kmetrics
    for key, kcls in kmetrics.ALL_OBJECTS_DICT.items():
        try:
            ref = keras.metrics.get(key)
        except TypeError:  # classes with required arguments fail alike
            with pytest.raises(TypeError):
                tk.metrics.get(key)
            continue
        ours = tk.metrics.get(key)
        assert type(ours).__name__ == type(ref).__name__, key
        assert ours.name.split("_")[0] == ref.name.split("_")[0], key


def test_get_aliases():
    assert isinstance(tk.metrics.get("mae"), tk.metrics.MeanAbsoluteError)
    assert tk.metrics.get("mae").name == "mean_absolute_error"
    assert isinstance(tk.metrics.get("accuracy"), tk.metrics.Accuracy)
    assert isinstance(tk.metrics.get("acc"), tk.metrics.Accuracy)
    for key, cls in [("mse", "MeanSquaredError"), ("mape", "MeanAbsolutePercentageError"),
                     ("msle", "MeanSquaredLogarithmicError"), ("AUC", "AUC"), ("auc", "AUC"),
                     ("precision", "Precision"), ("recall", "Recall"), ("bce", "BinaryCrossentropy"),
                     ("binary_accuracy", "BinaryAccuracy"),
                     ("categorical_accuracy", "CategoricalAccuracy"),
                     ("sparse_categorical_accuracy", "SparseCategoricalAccuracy"),
                     ("top_k_categorical_accuracy", "TopKCategoricalAccuracy"),
                     ("sparse_top_k_categorical_accuracy", "SparseTopKCategoricalAccuracy")]:
        assert type(tk.metrics.get(key)).__name__ == cls, key


def test_get_passthrough_and_errors():
    m = tk.metrics.Recall()
    assert tk.metrics.get(m) is m
    assert tk.metrics.get(tk.metrics.binary_accuracy) is tk.metrics.binary_accuracy
    assert tk.metrics.get(None) is None
    from_dict = tk.metrics.get({"class_name": "Precision", "config": {"thresholds": 0.3}})
    assert isinstance(from_dict, tk.metrics.Precision) and from_dict.thresholds == [0.3]
    with pytest.raises(ValueError, match="no_such_metric"):
        tk.metrics.get("no_such_metric")
    with pytest.raises(ValueError, match="log_cosh"):
        tk.metrics.get("log_cosh")  # a function name Keras's get does not know either
    with pytest.raises(ValueError):
        tk.metrics.get(42)
    with pytest.raises(ValueError):
        tk.metrics.deserialize({"class_name": "NoSuchMetric", "config": {}})


def test_function_round_trip(keras):
    for fn in (tk.metrics.binary_accuracy, tk.metrics.mean_squared_error,
               tk.metrics.sparse_top_k_categorical_accuracy):
        cfg = tk.metrics.serialize(fn)
        assert cfg["class_name"] == "function" and cfg["config"] == fn.__name__
        assert tk.metrics.deserialize(cfg) is fn
    # Keras writes the module as "builtins"; the name is what counts.
    ref = keras.metrics.serialize(keras.metrics.binary_accuracy)
    assert tk.metrics.deserialize(ref) is tk.metrics.binary_accuracy


def test_custom_objects_and_registered_metrics():
    @tk.saving.register_keras_serializable(package="tests_metrics")
    class Doubled(tk.metrics.Mean):
        def update_state(self, values, sample_weight=None):
            super().update_state(np.asarray(values) * 2, sample_weight)

    m = Doubled(name="doubled")
    cfg = tk.metrics.serialize(m)
    assert cfg["registered_name"] == "tests_metrics>Doubled"
    assert isinstance(tk.metrics.deserialize(cfg), Doubled)

    class Local(tk.metrics.Sum):
        pass

    cfg = {"module": None, "class_name": "Local", "config": {"name": "x"}, "registered_name": None}
    assert isinstance(tk.metrics.deserialize(cfg, custom_objects={"Local": Local}), Local)


def test_mean_metric_wrapper_with_loss_round_trip():
    m = tk.metrics.MeanMetricWrapper(tk.metrics.mean_squared_error, name="mse_wrap")
    assert m._direction == "down"
    back = tk.metrics.deserialize(tk.metrics.serialize(m))
    assert back._fn is tk.metrics.mean_squared_error and back.name == "mse_wrap"
