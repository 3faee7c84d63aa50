"""Wrapper: the base class of layers that wrap another layer (TimeDistributed, …)."""
from __future__ import annotations

from torchkeras.layers.layer import Layer
from torchkeras.saving.serialization import deserialize_keras_object, serialize_keras_object


class Wrapper(Layer):
    """Base class of layers that hold one inner ``layer`` and change how it is applied.

    The inner layer is a submodule (its weights are the wrapper's), ``build`` builds it
    from the wrapper's input shape when it is not built yet, and the config nests the
    inner layer's serialized config under ``"layer"``. Subclasses write ``call`` (and
    ``build`` / ``compute_output_shape`` when the inner layer sees another shape).

    Args:
        layer: The ``keras.layers.Layer`` to wrap.

    Example:
        >>> class Twice(Wrapper):
        ...     def call(self, x):
        ...         return self.layer(self.layer(x))
        >>> Twice(Dense(4))(torch.randn(2, 4)).shape
        torch.Size([2, 4])
    """

    def __init__(self, layer: Layer, **kwargs):
        if not isinstance(layer, Layer):
            raise ValueError("Layer %r supplied to Wrapper isn't a supported layer type. "
                             "Please ensure wrapped layer is a valid Keras layer." % (layer,))
        super().__init__(**kwargs)
        self.layer = layer

    def build(self, input_shape=None) -> None:
        if not self.layer.built:
            self.layer._maybe_build(input_shape, getattr(self, "_build_device", None))
        self.built = True

    def get_config(self) -> dict:
        return {**super().get_config(), "layer": serialize_keras_object(self.layer)}

    @classmethod
    def from_config(cls, config: dict, custom_objects=None):
        config = dict(config)
        config["layer"] = deserialize_keras_object(config["layer"],
                                                   custom_objects=custom_objects)
        return super().from_config(config)
