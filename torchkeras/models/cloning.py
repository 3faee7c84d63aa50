"""Rebuilding models from their architecture: ``model_from_json``, ``clone_model``."""
from __future__ import annotations

import json

from torchkeras.layers.layer import Layer
from torchkeras.saving import weight_budget
from torchkeras.saving.serialization import (deserialize_keras_object, expect_class,
                                             serialize_keras_object)


def model_from_json(json_string: str, custom_objects=None,
                    max_weight_bytes: int | None = weight_budget.DEFAULT_MAX_WEIGHT_BYTES):
    """A new (untrained) model from ``model.to_json()``.

    Args:
        json_string: The JSON text of a model config.
        custom_objects: Name -> class/function for users' own objects.
        max_weight_bytes: Largest number of bytes the model's weights may take (4 GiB by
            default); the config is measured on the ``meta`` device before anything is
            allocated, and a bigger one is refused with a ``ValueError``. ``None``
            trusts the config.

    Example:
        >>> clone = model_from_json(model.to_json())
    """
    limit = weight_budget.check_limit(max_weight_bytes, "max_weight_bytes")
    config = json.loads(json_string)

    def build():
        expect_class(config, Layer, "the model of model_from_json", custom_objects)
        return deserialize_keras_object(config, custom_objects=custom_objects)

    if limit is None:
        return build()
    return weight_budget.build_within_budget(
        build, limit, "model_from_json", "`max_weight_bytes=%d`; pass a larger value for a "
        "bigger model" % limit)


def clone_model(model, input_tensors=None, clone_function=None, call_function=None,
                recursive: bool = False, **kwargs):
    """A new model with the same architecture and freshly initialised weights."""
    if input_tensors is not None or clone_function is not None or call_function is not None:
        raise NotImplementedError("clone_model supports only the default cloning (from the "
                                  "model's config)")
    return deserialize_keras_object(serialize_keras_object(model))
