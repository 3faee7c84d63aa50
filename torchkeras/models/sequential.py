"""Sequential: a plain stack of layers, each with one input and one output."""
from __future__ import annotations

import re

import torch

from torchkeras.scopes.name_scope import name_scope
from torchkeras.layers.input_layer import InputLayer
from torchkeras.layers.keras_tensor import KerasTensor
from torchkeras.layers.layer import Layer
from torchkeras.layers.call_context import call_plan_version
from torchkeras.fast_paths import direct_calls, inputs_allow_direct
from torchkeras.models.input_rank import adjust_input_rank
from torchkeras.models.model import Model


class Sequential(Model):
    """A linear stack of layers.

    Args:
        layers: Layers to add (an ``Input`` first fixes the input shape and builds).
        name: Model name.

    Example:
        >>> model = Sequential([Input((8,)), layers.Dense(16, activation="relu"),
        ...                     layers.Dense(1)])
    """

    # Weight files name this model's layers ``layers/<name>`` (Keras's paths); read by
    # torchkeras.saving.weight_paths.
    layers_in_weight_paths = True

    def __init__(self, layers=None, trainable: bool = True, name: str | None = None, **kwargs):
        Model.__init__(self, trainable=trainable, name=name, **kwargs)
        self.__dict__["_input_layer"] = None
        self.__dict__["_outputs_kt"] = []      # symbolic output after each layer
        for layer in layers or []:
            self.add(layer)

    # ------------------------------------------------------------------ structure
    @property
    def layers(self) -> list:
        return [m for m in self._modules.values() if isinstance(m, Layer)]

    def add(self, layer, rebuild: bool = True) -> None:
        """Appends a layer (or an ``Input`` tensor, which sets the input shape)."""
        if isinstance(layer, KerasTensor):
            history = layer._keras_history
            if history is None or not isinstance(history[0], InputLayer):
                raise ValueError("Sequential.add accepts Input tensors and layers, got %r" % layer)
            layer = history[0]
        if isinstance(layer, InputLayer):
            if self._input_layer is not None or self.layers:
                raise ValueError("Sequential model '%s' already has an input; an InputLayer "
                                 "can only be the first element." % self.name)
            self.__dict__["_input_layer"] = layer
            return
        if not isinstance(layer, Layer):
            from torch import nn
            if isinstance(layer, nn.Module):
                from torchkeras.layers.torch_module import TorchModuleWrapper
                layer = TorchModuleWrapper(layer)
            else:
                raise ValueError("Only instances of torchkeras.layers.Layer (or torch.nn.Module) "
                                 "can be added to a Sequential model. Received: %r" % (layer,))
        if any(l.name == layer.name for l in self.layers):
            raise ValueError("All layers added to a Sequential model should have unique names. "
                             "Name '%s' is already the name of a layer in this model."
                             % layer.name)
        if not self.layers and self._input_layer is None:
            shape = layer._declared_input_shape or _known_input_shape(layer)
            if shape:
                self.__dict__["_input_layer"] = InputLayer(batch_shape=shape)
        self.add_module(_module_key(layer.name), layer)
        self._invalidate_plan()
        if self._input_layer is not None:
            prev = self._outputs_kt[-1] if self._outputs_kt else self._input_layer.output_tensor
            with name_scope(self.name, caller=self):   # Keras builds in the model's scope
                self._outputs_kt.append(layer(prev))
            self.built = True
            self._build_input_shape = self._input_layer.batch_shape
        else:
            self.built = False

    def pop(self, rebuild: bool = True) -> Layer:
        """Removes and returns the last layer."""
        layers = self.layers
        if not layers:
            raise IndexError("There are no layers in the model.")
        last = layers[-1]
        for key, m in list(self._modules.items()):
            if m is last:
                del self._modules[key]
        if self._outputs_kt:
            self._outputs_kt.pop()
        self._invalidate_plan()
        return last

    def build(self, input_shape=None) -> None:
        """Builds every layer for ``input_shape`` (batch dimension included)."""
        if input_shape is None:
            if self._input_layer is None:
                raise ValueError("You must provide an `input_shape` argument.")
            input_shape = self._input_layer.batch_shape
        input_shape = tuple(input_shape)
        if self._input_layer is None or self._input_layer.batch_shape != input_shape:
            self.__dict__["_input_layer"] = InputLayer(batch_shape=input_shape)
        x = self._input_layer.output_tensor
        self.__dict__["_outputs_kt"] = []
        for layer in self.layers:
            x = layer(x)
            self._outputs_kt.append(x)
        self.built = True
        self._build_input_shape = input_shape
        self._invalidate_plan()

    def _maybe_build(self, shapes, device=None) -> None:
        if self.built:
            return
        if isinstance(shapes, tuple):
            shape = (None,) + tuple(shapes[1:])
            self._build_device = device
            self.build(shape)
        else:
            self.built = True

    def call(self, inputs, training=None, mask=None):
        input_layer = self.__dict__.get("_input_layer")
        if input_layer is not None and isinstance(inputs, torch.Tensor) and \
                inputs.dim() != len(input_layer.batch_shape):
            layers = self.layers
            inputs = adjust_input_rank(inputs, input_layer.batch_shape, self.name,
                                       input_layer.name, layers[0].name if layers else None)
        plan = self.__dict__.get("_plan")
        version = call_plan_version()
        if plan is None or self.__dict__.get("_plan_version") != version:
            plan = self.__dict__["_plan"] = direct_calls(self.layers) or ([], None)
            self.__dict__["_plan_version"] = version
        calls, mixed_dtype = plan
        if calls and inputs_allow_direct([inputs], mixed_dtype):
            # Every layer is a plain built Layer: call its `call` directly (the outer
            # __call__ already set the training flag, nesting depth and autocast).
            x = inputs
            for layer, fn, takes_training in calls:
                # A hook added after the plan was made (fast path 2, torchkeras/fast_paths.py).
                if layer._forward_hooks or layer._forward_pre_hooks:
                    x = layer(x)
                elif takes_training and training is not None:
                    x = fn(x, training=training)
                else:
                    x = fn(x)
            return x
        x = inputs
        for layer in self._modules.values():
            if isinstance(layer, Layer):
                x = layer(x)
        return x

    def _invalidate_plan(self) -> None:
        self.__dict__["_plan"] = None

    # ------------------------------------------------------------------ shapes
    @property
    def inputs(self) -> list:
        return [self._input_layer.output_tensor] if self._input_layer is not None else []

    @property
    def outputs(self) -> list:
        return [self._outputs_kt[-1]] if self._outputs_kt else []

    @property
    def input_shape(self):
        if self._input_layer is None:
            raise AttributeError("Sequential model '%s' has no defined input shape yet."
                                 % self.name)
        return self._input_layer.batch_shape

    @property
    def output_shape(self):
        if not self._outputs_kt:
            if self._input_layer is not None and not self.layers:
                return self._input_layer.batch_shape
            raise AttributeError("Sequential model '%s' has no defined output shape yet."
                                 % self.name)
        return self._outputs_kt[-1].shape

    @property
    def output_names(self) -> list:
        return [self.layers[-1].name] if self.layers else []

    # ------------------------------------------------------------------ config
    def get_config(self) -> dict:
        from torchkeras.saving.serialization import serialize_keras_object
        layers = []
        if self._input_layer is not None:
            layers.append(serialize_keras_object(self._input_layer))
        layers.extend(serialize_keras_object(l) for l in self.layers)
        config = {**Layer.get_config(self), "layers": layers}
        if self._input_layer is not None:
            config["build_input_shape"] = list(self._input_layer.batch_shape)
        return config

    @classmethod
    def from_config(cls, config: dict, custom_objects=None):
        from torchkeras.saving.serialization import deserialize_keras_object, expect_class
        model = cls(name=config.get("name"), trainable=config.get("trainable", True))
        for entry in config.get("layers", []):
            # Each layer's build_config reaches its build_from_config (a layer whose
            # build takes more than the input shape can only be rebuilt that way).
            expect_class(entry, Layer, "a layer of model %r" % config.get("name"),
                         custom_objects)
            model.add(deserialize_keras_object(entry, custom_objects=custom_objects))
        shape = config.get("build_input_shape")
        if not model.built and shape is not None:
            model.build(tuple(shape))
        return model


def _known_input_shape(layer):
    """A first layer that is itself a model with one known input fixes the input shape."""
    inputs = getattr(layer, "inputs", None) if isinstance(layer, Model) else None
    if isinstance(inputs, list) and len(inputs) == 1:
        return tuple(inputs[0].shape)
    return None


def _module_key(name: str) -> str:
    return re.sub(r"[^0-9a-zA-Z_]", "_", name)
