"""The two value objects a FeatureSpace is configured with: a Feature and a Cross.

``FeatureSpace.feature(...)``/``FeatureSpace.cross(...)`` make them; both serialize with
``get_config``/``from_config`` like Keras's (``"Feature"``/``"Cross"`` configs load).
"""
from __future__ import annotations

from typing import Sequence

from torchkeras import layers
from torchkeras.saving.serialization import deserialize_keras_object, serialize_keras_object

FEATURE_OUTPUT_MODES = ("int", "one_hot", "float")
CROSS_OUTPUT_MODES = ("int", "one_hot")


class Feature:
    """One input feature: its dtype, the layer that preprocesses it and its encoding.

    Args:
        dtype: Input dtype (``"float32"``, ``"int32"``, ``"string"``, ...).
        preprocessor: A preprocessing layer (or its serialized config).
        output_mode: ``"int"``, ``"one_hot"`` or ``"float"``.

    Example:
        >>> Feature("string", keras.layers.StringLookup(), "one_hot")
    """

    def __init__(self, dtype: str, preprocessor, output_mode: str):
        if output_mode not in FEATURE_OUTPUT_MODES:
            raise ValueError("Invalid value for argument `output_mode`. Expected one of "
                             "{'int', 'one_hot', 'float'}. Received: output_mode=%r"
                             % (output_mode,))
        if isinstance(preprocessor, dict):
            # Keras's plain float features use its private pass-through layer.
            preprocessor = deserialize_keras_object(
                preprocessor, module_objects={"TFDIdentity": layers.Identity})
        self.dtype = dtype
        self.preprocessor = preprocessor
        self.output_mode = output_mode

    def get_config(self) -> dict:
        return {"dtype": self.dtype, "preprocessor": serialize_keras_object(self.preprocessor),
                "output_mode": self.output_mode}

    @classmethod
    def from_config(cls, config: dict) -> "Feature":
        return cls(**config)


class Cross:
    """A cross of features, hashed into ``crossing_dim`` bins.

    Args:
        feature_names: The names of the crossed features.
        crossing_dim: Number of hash bins.
        output_mode: ``"one_hot"`` (default) or ``"int"``.

    Example:
        >>> Cross(("color", "size"), crossing_dim=16).name
        'color_X_size'
    """

    def __init__(self, feature_names: Sequence[str], crossing_dim: int,
                 output_mode: str = "one_hot"):
        if output_mode not in CROSS_OUTPUT_MODES:
            raise ValueError("Invalid value for argument `output_mode`. Expected one of "
                             "{'int', 'one_hot'}. Received: output_mode=%r" % (output_mode,))
        self.feature_names = tuple(feature_names)
        self.crossing_dim = crossing_dim
        self.output_mode = output_mode

    @property
    def name(self) -> str:
        return "_X_".join(self.feature_names)

    def get_config(self) -> dict:
        return {"feature_names": self.feature_names, "crossing_dim": self.crossing_dim,
                "output_mode": self.output_mode}

    @classmethod
    def from_config(cls, config: dict) -> "Cross":
        return cls(**config)


# Classes a serialized feature or cross may name (Keras writes registered_name "Feature"
# and "Cross" under its private module path).
SPEC_CLASSES = {"Feature": Feature, "Cross": Cross}


def deserialize_spec(config):
    """A Feature or Cross from its serialized dict."""
    return deserialize_keras_object(config, module_objects=SPEC_CLASSES)
