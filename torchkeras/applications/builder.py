"""Assembles an application: Input -> [InputAdapter] -> TorchvisionBackbone -> head.

Every family module describes its architecture with a :class:`Spec` and calls
:func:`build_application`, which validates the Keras arguments, builds the functional
model and loads weights (``"imagenet"``, a torchvision state dict, or a file written by
``save_weights``).
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Callable

from torchkeras import config, layers
from torchkeras.applications import imagenet_utils, weights as weights_lib
from torchkeras.applications.backbone import InputAdapter, TorchvisionBackbone
from torchkeras.layers.input_layer import Input, InputLayer
from torchkeras.layers.keras_tensor import KerasTensor
from torchkeras.models.model import Model


@dataclass
class Spec:
    """How one architecture maps onto torchvision and onto Keras's layer layout.

    Attributes:
        arch: torchvision constructor name.
        weights_enum: torchvision weights enum (``"ResNet50_Weights"``).
        input_mode: What the model's inputs are (``InputAdapter`` mode), or ``None``
            when they are already torch-normalized.
        default_size: Default input height/width.
        head: ``head(x, backbone, classes, activation, name) -> (x, [(prefix, layer,
            transform)])``: the Keras classification top and where torchvision's
            classifier entries go.
        pool_names: Names of the ``pooling="avg"`` / ``"max"`` layers (None: automatic).
        options: Keyword arguments of the torchvision constructor.
        after_pooling: Layers applied after the optional pooling when there is no top
            (ConvNeXt's final LayerNormalization); returns ``(x, mapping)`` like ``head``.
        rename_state: Fixes up old key names in torchvision's files.
    """

    arch: str
    weights_enum: str
    input_mode: str | None
    default_size: int
    head: Callable
    pool_names: tuple = (None, None)
    options: dict = field(default_factory=dict)
    after_pooling: Callable | None = None
    rename_state: Callable | None = None


def dense_target(prefix: str, layer, transform=None) -> list:
    return [(prefix + ".weight", layer.weight, transform), (prefix + ".bias", layer.bias, None)]


def check_weights_arg(weights, include_top: bool, classes: int) -> None:
    if not (weights in ("imagenet", None) or (isinstance(weights, (str, os.PathLike))
                                              and os.path.exists(weights))):
        raise ValueError("The `weights` argument should be either `None` (random "
                         "initialization), 'imagenet' (pre-training on ImageNet), or the path "
                         "to the weights file to be loaded.  Received: weights=%s" % (weights,))
    if weights == "imagenet" and include_top and classes != 1000:
        raise ValueError("If using `weights='imagenet'` with `include_top=True`, `classes` "
                         "should be 1000.  Received classes=%s" % (classes,))


def source_inputs(tensor: KerasTensor) -> list:
    """The ``Input`` tensors a symbolic tensor was computed from."""
    out, seen, stack = [], set(), [tensor]
    while stack:
        kt = stack.pop()
        if id(kt) in seen:
            continue
        seen.add(id(kt))
        layer, node_index, _ = kt._keras_history
        if isinstance(layer, InputLayer):
            out.append(kt)
            continue
        stack.extend(reversed(layer._inbound_nodes[node_index].input_tensors))
    return out


def build_application(spec: Spec, *, include_top: bool, weights, input_tensor, input_shape,
                      pooling, classes: int, classifier_activation, name: str,
                      default_size: int | None = None, min_size: int = 32) -> Model:
    """Builds the functional model described by ``spec`` and loads its weights."""
    check_weights_arg(weights, include_top, classes)
    if pooling not in (None, "avg", "max"):
        raise ValueError("`pooling` must be None, 'avg' or 'max'. Received: pooling=%s"
                         % (pooling,))
    data_format = config.image_data_format()
    if input_tensor is not None and not isinstance(input_tensor, KerasTensor):
        raise ValueError("input_tensor must be a symbolic tensor (from `Input` or a layer); "
                         "Received %r" % (input_tensor,))
    if input_shape is None and input_tensor is not None:
        input_shape = tuple(input_tensor.shape[1:])
    input_shape = imagenet_utils.obtain_input_shape(
        input_shape, default_size=default_size or spec.default_size, min_size=min_size,
        data_format=data_format, require_flatten=include_top, weights=weights)
    if include_top:
        imagenet_utils.validate_activation(classifier_activation, weights)

    if input_tensor is None:
        img_input = Input(shape=input_shape)
        inputs = img_input
    else:
        img_input = input_tensor
        found = source_inputs(input_tensor)
        inputs = found[0] if len(found) == 1 else found

    x = img_input
    channels = input_shape[0] if data_format == "channels_first" else input_shape[-1]
    # The adapter's statistics are RGB ones; other channel counts go in as they are.
    if spec.input_mode is not None and channels == 3:
        x = InputAdapter(spec.input_mode, data_format=data_format, name="input_adapter")(x)
    backbone = TorchvisionBackbone(spec.arch, spec.options, data_format=data_format,
                                   in_channels=channels, name=name + "_backbone")
    x = backbone(x)
    mapping: list = []
    if include_top:
        x, mapping = spec.head(x, backbone, classes, classifier_activation, name)
    else:
        if pooling == "avg":
            x = layers.GlobalAveragePooling2D(data_format=data_format, name=spec.pool_names[0])(x)
        elif pooling == "max":
            x = layers.GlobalMaxPooling2D(data_format=data_format, name=spec.pool_names[1])(x)
        if spec.after_pooling is not None:
            x, mapping = spec.after_pooling(x, backbone, name)
    model = Model(inputs, x, name=name)
    # Lets Sequential([model, ...]) build right away, as Keras does for a functional
    # first layer.
    model._declared_input_shape = (None,) + tuple(input_shape)

    if weights == "imagenet":
        path = weights_lib.fetch_imagenet_weights(spec.weights_enum)
        _load_torchvision(spec, backbone, mapping, path, include_top)
    elif weights is not None:
        path = os.fspath(weights)
        if weights_lib.is_torchkeras_weights(path):
            model.load_weights(path)
        else:
            _load_torchvision(spec, backbone, mapping, path, include_top)
    return model


def _load_torchvision(spec: Spec, backbone, mapping: list, path: str,
                      include_top: bool) -> None:
    state = weights_lib.read_state_dict(path)
    if spec.rename_state is not None:
        state = spec.rename_state(state)
    targets = {k: (v, None) for k, v in backbone.torchvision_state().items()
               if v.is_floating_point()}
    for key, tensor, transform in mapping:
        targets[key] = (tensor, transform)
    weights_lib.load_torchvision_state(targets, state, path, include_top)
