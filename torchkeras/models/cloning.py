"""Rebuilding models from their architecture: ``model_from_json``, ``clone_model``."""
from __future__ import annotations

import json

from torchkeras.saving.serialization import deserialize_keras_object, serialize_keras_object


def model_from_json(json_string: str, custom_objects=None):
    """A new (untrained) model from ``model.to_json()``.

    Example:
        >>> clone = model_from_json(model.to_json())
    """
    config = json.loads(json_string)
    return deserialize_keras_object(config, custom_objects=custom_objects)


def clone_model(model, input_tensors=None, clone_function=None, call_function=None,
                recursive: bool = False, **kwargs):
    """A new model with the same architecture and freshly initialised weights."""
    if input_tensors is not None or clone_function is not None or call_function is not None:
        raise NotImplementedError("clone_model supports only the default cloning (from the "
                                  "model's config)")
    return deserialize_keras_object(serialize_keras_object(model))
