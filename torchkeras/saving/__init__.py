"""Serialization and file formats (safetensors weights, one-file ``.keras`` models)."""
from torchkeras.saving.serialization import (
    CustomObjectScope,
    SafeModeScope,
    in_safe_mode,
    custom_object_scope,
    deserialize_keras_object,
    get_custom_objects,
    get_registered_name,
    get_registered_object,
    register_keras_serializable,
    serialize_keras_object,
)
from torchkeras.saving.file_editor import KerasFileEditor
from torchkeras.saving.model_file import load_model, save_model
from torchkeras.saving.weights_file import save_weights
from torchkeras.saving.weights_loader import load_weights

__all__ = [
    "KerasFileEditor",
    "CustomObjectScope", "SafeModeScope", "in_safe_mode", "custom_object_scope", "deserialize_keras_object",
    "get_custom_objects", "get_registered_name", "get_registered_object", "register_keras_serializable",
    "serialize_keras_object", "load_model", "save_model", "load_weights", "save_weights",
]
