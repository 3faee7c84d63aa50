"""Scaffolding shared by the applications built layer by layer as Keras builds them.

Xception, InceptionV3, InceptionResNetV2 and MobileNet differ only in their bodies: the
argument checks, the image input, the classification top / pooling, the functional
model and the weight loading are the same, and live here. Keras's ImageNet files are
fetched by :func:`fetch_weights` (``$TORCHKERAS_HOME/models``, md5-checked when Keras
publishes a digest) and loaded by ``Model.load_weights``, which reads Keras's legacy
``.h5`` layout.

Example:
    >>> img_input = start_model(include_top=False, weights=None, input_tensor=None,
    ...                         input_shape=(75, 75, 3), pooling=None, classes=1000,
    ...                         classifier_activation="softmax", default_size=299,
    ...                         min_size=75)
"""
from __future__ import annotations

import numbers
import os

from torchkeras import config, layers
from torchkeras.applications import imagenet_utils
from torchkeras.applications.builder import check_weights_arg, source_inputs
from torchkeras.layers.input_layer import Input
from torchkeras.layers.keras_tensor import KerasTensor
from torchkeras.models.model import Model
from torchkeras.utils import get_file

KERAS_APPLICATIONS_URL = "https://storage.googleapis.com/tensorflow/keras-applications/"


def channel_axis() -> int:
    """The channel axis of the current image data format (-1 or 1)."""
    return -1 if config.image_data_format() == "channels_last" else 1


def check_arguments(*, include_top: bool, weights, input_tensor, pooling,
                    classes: int) -> None:
    """Keras's checks of ``weights``/``classes``, plus clear errors for bad inputs."""
    check_weights_arg(weights, include_top, classes)
    if pooling not in (None, "avg", "max"):
        raise ValueError("`pooling` must be None, 'avg' or 'max'. Received: pooling=%s"
                         % (pooling,))
    if include_top and (isinstance(classes, bool)
                        or not isinstance(classes, numbers.Integral) or classes < 1):
        raise ValueError("`classes` must be a positive integer. Received: classes=%r"
                         % (classes,))
    if input_tensor is not None and not isinstance(input_tensor, KerasTensor):
        raise ValueError("input_tensor must be a symbolic tensor (from `Input` or a layer); "
                         "Received %r" % (input_tensor,))


def start_model(*, include_top: bool, weights, input_tensor, input_shape, pooling,
                classes: int, classifier_activation, default_size: int, min_size: int):
    """Checks the arguments and returns the image input (an ``Input`` or ``input_tensor``)."""
    check_arguments(include_top=include_top, weights=weights, input_tensor=input_tensor,
                    pooling=pooling, classes=classes)
    if input_shape is None and input_tensor is not None:
        input_shape = tuple(input_tensor.shape[1:])
    input_shape = imagenet_utils.obtain_input_shape(
        input_shape, default_size=default_size, min_size=min_size,
        data_format=config.image_data_format(), require_flatten=include_top, weights=weights)
    if include_top:
        # Checked before any layer exists (Keras checks it once the body is built).
        imagenet_utils.validate_activation(classifier_activation, weights)
    return Input(shape=input_shape) if input_tensor is None else input_tensor


def add_top(x, *, include_top: bool, pooling, classes: int, classifier_activation):
    """Keras's ``avg_pool`` + ``predictions`` top, or the optional unnamed pooling."""
    if include_top:
        x = layers.GlobalAveragePooling2D(name="avg_pool")(x)
        return layers.Dense(int(classes), activation=classifier_activation,
                            name="predictions")(x)
    return add_pooling(x, pooling)


def add_pooling(x, pooling):
    """Unnamed global pooling (Keras names these layers automatically)."""
    if pooling == "avg":
        return layers.GlobalAveragePooling2D()(x)
    if pooling == "max":
        return layers.GlobalMaxPooling2D()(x)
    return x


def finish_model(img_input, input_tensor, outputs, *, name: str, weights,
                 fetch) -> Model:
    """The functional model over the input's sources, with its weights loaded.

    Args:
        img_input: The image input tensor (an ``Input`` or the user's ``input_tensor``).
        input_tensor: The user's ``input_tensor`` argument.
        outputs: The model's output tensor.
        name: Model name.
        weights: ``None``, ``"imagenet"`` or a path.
        fetch: Called with no arguments when ``weights == "imagenet"``; returns the path
            of Keras's ImageNet file.
    """
    if input_tensor is not None:
        found = source_inputs(input_tensor)
        inputs = found[0] if len(found) == 1 else found
    else:
        inputs = img_input
    model = Model(inputs, outputs, name=name)
    if weights == "imagenet":
        model.load_weights(fetch())
    elif weights is not None:
        model.load_weights(os.fspath(weights))
    return model


def fetch_weights(fname: str, url: str, file_hash: str | None) -> str:
    """Path of one of Keras's weight files, downloaded (and checked) on first use."""
    return get_file(fname, url, cache_subdir="models", file_hash=file_hash)
