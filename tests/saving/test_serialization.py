"""Functions in configs: written as Keras writes them, and Keras's form read back
(keras-io packaging_keras_models_for_wide_distribution)."""
import pytest

import torchkeras as tk
from torchkeras import saving


@saving.register_keras_serializable(package="guides_pkg")
def doubled(x):
    return x * 2


def test_registered_and_builtin_functions_serialize_as_keras():
    assert saving.serialize_keras_object(doubled) == {
        "module": "builtins", "class_name": "function", "config": "guides_pkg>doubled",
        "registered_name": "function"}
    assert saving.serialize_keras_object(tk.activations.relu)["module"] == "builtins"


@pytest.mark.parametrize("name, family", [("relu", tk.activations), ("gelu", tk.activations),
                                          ("mean_squared_error", tk.losses)])
def test_keras_builtins_function_entries_load(name, family):
    entry = {"module": "builtins", "class_name": "function", "config": name,
             "registered_name": "function"}
    assert saving.deserialize_keras_object(entry) is getattr(family, name)


def test_registered_function_round_trips():
    entry = saving.serialize_keras_object(doubled)
    assert saving.deserialize_keras_object(entry) is doubled


@pytest.mark.keras_oracle
def test_function_entries_match_keras(keras):
    @keras.saving.register_keras_serializable(package="guides_pkg")
    def doubled(x):  # the same registered name in Keras's registry
        return x * 2

    assert saving.serialize_keras_object(tk.activations.relu) == \
        keras.saving.serialize_keras_object(keras.activations.relu)
    assert saving.serialize_keras_object(globals()["doubled"]) == \
        keras.saving.serialize_keras_object(doubled)
