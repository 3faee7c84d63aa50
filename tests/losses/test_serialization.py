"""get / serialize / deserialize / get_config, checked against Keras 3."""
import inspect

import numpy as np
import pytest
import torch

import torchkeras.losses as L

CLASS_NAMES = [
    "BinaryCrossentropy", "BinaryFocalCrossentropy", "CategoricalCrossentropy",
    "SparseCategoricalCrossentropy", "CategoricalFocalCrossentropy",
    "CategoricalGeneralizedCrossEntropy", "MeanSquaredError", "MeanAbsoluteError",
    "MeanAbsolutePercentageError", "MeanSquaredLogarithmicError", "Huber", "LogCosh",
    "KLDivergence", "Poisson", "Hinge", "SquaredHinge", "CategoricalHinge", "CosineSimilarity",
    "Dice", "Tversky", "Circle", "CTC",
]
FUNCTION_NAMES = [
    "mean_squared_error", "mean_absolute_error", "mean_absolute_percentage_error",
    "mean_squared_logarithmic_error", "kl_divergence", "binary_crossentropy",
    "binary_focal_crossentropy", "categorical_crossentropy", "sparse_categorical_crossentropy",
    "categorical_focal_crossentropy", "hinge", "squared_hinge", "categorical_hinge", "log_cosh",
    "huber", "poisson", "cosine_similarity", "dice", "tversky", "circle", "ctc",
    "categorical_generalized_cross_entropy",
]
# Keras drops these constructor arguments from get_config (and loses them on reload);
# torchkeras keeps them.
EXTRA_KEYS = {"Huber": {"delta"}, "CosineSimilarity": {"axis"},
              "SparseCategoricalCrossentropy": {"axis"}}

NON_DEFAULT = {
    "BinaryCrossentropy": {"from_logits": True, "label_smoothing": 0.2, "axis": 0},
    "BinaryFocalCrossentropy": {"apply_class_balancing": True, "alpha": 0.4, "gamma": 3.0,
                                "from_logits": True, "label_smoothing": 0.1},
    "CategoricalCrossentropy": {"from_logits": True, "label_smoothing": 0.3, "axis": 1},
    "SparseCategoricalCrossentropy": {"from_logits": True, "ignore_class": 0},
    "CategoricalFocalCrossentropy": {"alpha": 0.1, "gamma": 1.0, "from_logits": True},
    "CategoricalGeneralizedCrossEntropy": {"q": 0.25},
    "Dice": {"axis": [1, 2]},
    "Tversky": {"alpha": 0.2, "beta": 0.8, "axis": 1},
    "Circle": {"gamma": 32.0, "margin": 0.25, "remove_diagonal": False},
}


@pytest.mark.keras_oracle
def test_public_names_cover_keras(keras):
    keras_names = {n for n in dir(keras.losses) if not n.startswith("_")}
    assert keras_names <= set(dir(L)), keras_names - set(dir(L))
    assert set(CLASS_NAMES) | set(FUNCTION_NAMES) | {"Loss", "get", "serialize",
                                                     "deserialize"} == keras_names


@pytest.mark.keras_oracle
@pytest.mark.parametrize("name", CLASS_NAMES)
def test_default_config_matches_keras(keras, name):
    ours = getattr(L, name)().get_config()
    theirs = getattr(keras.losses, name)().get_config()
    extra = EXTRA_KEYS.get(name, set())
    assert set(ours) - set(theirs) == extra
    assert {k: v for k, v in ours.items() if k not in extra} == theirs
    assert list(k for k in ours if k not in extra) == list(theirs)


@pytest.mark.keras_oracle
@pytest.mark.parametrize("name", sorted(NON_DEFAULT))
def test_non_default_config_matches_keras(keras, name):
    kwargs = dict(NON_DEFAULT[name], reduction="sum", name="my_loss")
    ours = getattr(L, name)(**kwargs).get_config()
    theirs = getattr(keras.losses, name)(**kwargs).get_config()
    extra = EXTRA_KEYS.get(name, set())
    assert {k: v for k, v in ours.items() if k not in extra} == theirs


@pytest.mark.parametrize("name", CLASS_NAMES)
def test_from_config_round_trip(name):
    obj = getattr(L, name)(reduction="sum", **NON_DEFAULT.get(name, {}))
    again = type(obj).from_config(obj.get_config())
    assert again.get_config() == obj.get_config()


def test_dropped_keras_arguments_survive_round_trip():
    assert L.deserialize(L.serialize(L.Huber(delta=0.3))).delta == 0.3
    assert L.deserialize(L.serialize(L.CosineSimilarity(axis=0))).axis == 0
    assert L.deserialize(L.serialize(L.SparseCategoricalCrossentropy(axis=1))).axis == 1


@pytest.mark.keras_oracle
@pytest.mark.parametrize("name", CLASS_NAMES)
def test_serialize_matches_keras_and_crosses_over(keras, name):
    kwargs = NON_DEFAULT.get(name, {})
    ours = L.serialize(getattr(L, name)(**kwargs))
    theirs = keras.losses.serialize(getattr(keras.losses, name)(**kwargs))
    extra = EXTRA_KEYS.get(name, set())
    assert {k: v for k, v in ours.items() if k != "config"} == \
        {k: v for k, v in theirs.items() if k != "config"}
    assert {k: v for k, v in ours["config"].items() if k not in extra} == theirs["config"]
    # Keras reads our dicts (Keras 3.15 cannot deserialize its own
    # CategoricalGeneralizedCrossEntropy: missing from its table) and we read Keras's
    if name != "CategoricalGeneralizedCrossEntropy":
        assert keras.losses.deserialize(ours).get_config() == theirs["config"]
    back = L.deserialize(theirs)
    assert type(back).__name__ == name
    assert {k: v for k, v in back.get_config().items() if k not in extra} == theirs["config"]


@pytest.mark.keras_oracle
@pytest.mark.parametrize("name", FUNCTION_NAMES)
def test_function_serialization_matches_keras(keras, name):
    ours = L.serialize(getattr(L, name))
    assert ours == keras.losses.serialize(getattr(keras.losses, name))
    assert L.deserialize(ours) is getattr(L, name)
    if name != "categorical_generalized_cross_entropy":  # missing from Keras's table
        assert keras.losses.deserialize(ours) is getattr(keras.losses, name)


@pytest.mark.keras_oracle
def test_loss_function_wrapper_config_matches_keras(keras):
    from keras.src.losses.losses import LossFunctionWrapper as KerasWrapper
    ours = L.LossFunctionWrapper(L.huber, reduction="sum", name="w", delta=2.0)
    theirs = KerasWrapper(keras.losses.huber, reduction="sum", name="w", delta=2.0)
    assert L.serialize(ours) == keras.losses.serialize(theirs)
    back = L.deserialize(L.serialize(ours))
    assert back.fn is L.huber and back._fn_kwargs == {"delta": 2.0}
    y, p = np.zeros((3, 2), np.float32), np.full((3, 2), 3.0, np.float32)
    np.testing.assert_allclose(back(y, p).numpy(), theirs(y, p).numpy(), rtol=1e-6)
    keras_back = keras.losses.deserialize(L.serialize(ours))
    assert keras_back.get_config() == theirs.get_config()


@pytest.mark.keras_oracle
def test_get_resolves_every_keras_identifier_the_same_way(keras):
    from keras.src.losses import ALL_OBJECTS_DICT
    for ident in ALL_OBJECTS_DICT:
        if ident in ("Loss", "LossFunctionWrapper"):
            continue
        ours, theirs = L.get(ident), keras.losses.get(ident)
        assert inspect.isfunction(ours) == inspect.isfunction(theirs), ident
        if inspect.isfunction(theirs):
            assert ours.__name__ == theirs.__name__, ident
        else:
            assert type(ours).__name__ == type(theirs).__name__, ident
            assert ours.get_config().items() >= theirs.get_config().items(), ident


def test_aliases():
    assert L.get("mse") is L.get("MSE") is L.mean_squared_error is L.mse is L.MSE
    assert L.get("mae") is L.get("MAE") is L.mean_absolute_error is L.mae
    assert L.get("mape") is L.get("MAPE") is L.mean_absolute_percentage_error is L.mape
    assert L.get("msle") is L.get("MSLE") is L.mean_squared_logarithmic_error is L.msle
    assert L.get("kld") is L.get("KLD") is L.get("kullback_leibler_divergence") \
        is L.kl_divergence is L.kullback_leibler_divergence
    assert L.get("bce") is L.get("BCE") is L.binary_crossentropy
    assert L.get("logcosh") is L.log_cosh is L.logcosh
    for name in FUNCTION_NAMES:
        assert L.get(name) is getattr(L, name)


def test_get_variants():
    assert L.get(None) is None
    inst = L.get("CategoricalCrossentropy")
    assert isinstance(inst, L.CategoricalCrossentropy) and inst.from_logits is False
    assert isinstance(L.get(L.Huber), L.Huber)
    h = L.Huber(delta=3.0)
    assert L.get(h) is h
    got = L.get({"class_name": "CategoricalCrossentropy", "config": {"from_logits": True}})
    assert isinstance(got, L.CategoricalCrossentropy) and got.from_logits is True
    assert L.get({"module": "builtins", "class_name": "function", "config": "mse",
                  "registered_name": "function"}) is L.mean_squared_error
    module = torch.nn.CrossEntropyLoss()
    assert L.get(module) is module

    def my_loss(y_true, y_pred):
        return torch.mean(torch.abs(y_true - y_pred), dim=-1)
    assert L.get(my_loss) is my_loss


@pytest.mark.parametrize("bad", ["nope", 3, 2.5, ["mse"]])
def test_get_unknown_raises_value_error_naming_it(bad):
    with pytest.raises(ValueError, match="Could not interpret loss identifier") as info:
        L.get(bad)
    assert str(bad) in str(info.value)


def test_deserialize_string_and_custom_objects():
    assert L.deserialize("mse") is L.mean_squared_error
    assert isinstance(L.deserialize("Huber"), L.Huber)

    class Custom(L.Loss):
        def call(self, y_true, y_pred):
            return torch.sum(y_pred - y_true, dim=-1)
    config = {"module": None, "class_name": "Custom", "config": {"name": "c",
                                                                 "reduction": "sum"},
              "registered_name": "Custom"}
    obj = L.deserialize(config, custom_objects={"Custom": Custom})
    assert isinstance(obj, Custom) and obj.reduction == "sum" and obj.name == "c"
    with pytest.raises(ValueError):
        L.deserialize(config)
