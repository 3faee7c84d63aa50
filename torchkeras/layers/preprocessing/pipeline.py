"""Pipeline: a plain layer that applies a list of layers in order."""
from __future__ import annotations

from torch import nn

from torchkeras.layers.layer import Layer
from torchkeras.saving.serialization import deserialize_keras_object, serialize_keras_object


class Pipeline(Layer):
    """Applies a series of layers to an input, e.g. an augmentation pipeline.

    Unlike ``Sequential`` it is a layer, not a model: it has no ``fit``/``compile`` and
    passes any input structure (tensors or Keras's image dicts) through its layers, with
    the call's ``training`` flag.

    Args:
        layers: The layers, applied first to last.
        name: Name of the layer.

    Example:
        >>> aug = Pipeline([RandomFlip(), RandomRotation(0.1)])
        >>> y = aug(torch.rand(8, 32, 32, 3))
    """

    def __init__(self, layers, name: str | None = None):
        if not isinstance(layers, (list, tuple)) or not all(
                isinstance(layer, nn.Module) for layer in layers):
            raise ValueError("Pipeline: `layers` must be a list of layers. Received: layers=%r"
                             % (layers,))
        super().__init__(name=name)
        self._pipeline_layers = nn.ModuleList(layers)
        self.built = True

    @property
    def layers(self) -> list:
        return list(self._pipeline_layers)

    def call(self, inputs, training=True):
        outputs = inputs
        for layer in self._pipeline_layers:
            if training is None:
                outputs = layer(outputs)
            else:
                outputs = layer(outputs, training=training)
        return outputs

    @classmethod
    def from_config(cls, config: dict):
        layers = config.get("layers")
        if not isinstance(layers, (list, tuple)):
            raise ValueError("`Pipeline` config must contain a `layers` key mapping to a list "
                             "of serialized layers. Received config with layers=%r" % (layers,))
        config = dict(config, layers=[deserialize_keras_object(x) for x in layers])
        return cls(**config)

    def get_config(self) -> dict:
        return {"layers": [serialize_keras_object(layer) for layer in self._pipeline_layers],
                "name": self.name}
