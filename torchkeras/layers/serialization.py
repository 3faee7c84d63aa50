"""``keras.layers.serialize`` / ``deserialize``."""
from __future__ import annotations

from typing import Any

from torchkeras.saving.serialization import deserialize_keras_object, serialize_keras_object


def serialize(layer: Any) -> dict:
    """A layer's Keras config dict (``module``, ``class_name``, ``config``, …).

    Example:
        >>> serialize(torchkeras.layers.Dense(3))["class_name"]
        'Dense'
    """
    return serialize_keras_object(layer)


def deserialize(config: dict, custom_objects: dict | None = None) -> Any:
    """The layer a ``serialize`` dict describes.

    Args:
        config: A dict from ``serialize``.
        custom_objects: Extra ``{name: class}`` to resolve custom layers.

    Example:
        >>> layer = deserialize(serialize(torchkeras.layers.Dense(3)))
    """
    # Function-local import: the layers package is imported while layers load.
    import torchkeras.layers as layers_module
    if not isinstance(config, dict):
        raise TypeError("deserialize expects a config dict, got %r" % (config,))
    module_objects = {k: v for k, v in vars(layers_module).items() if isinstance(v, type)}
    return deserialize_keras_object(config, custom_objects=custom_objects,
                                    module_objects=module_objects)
