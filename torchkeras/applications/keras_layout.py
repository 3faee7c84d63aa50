"""Scaffolding shared by the applications built layer by layer as Keras builds them.

ResNet (V1/V2), EfficientNetV2, ConvNeXtXLarge, NASNet, Xception, InceptionV3,
InceptionResNetV2 and MobileNet differ only in their bodies: the argument checks, the
image input, the classification top / pooling, the functional model and the weight
loading are the same, and live here (with options where a model differs). Keras's
ImageNet files are fetched by :func:`fetch_weights` (``$TORCHKERAS_HOME/models``,
checked when Keras publishes a digest) and loaded by ``Model.load_weights``, which
reads Keras's legacy ``.h5`` layout.

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


def positive_channel_axis() -> int:
    """The channel axis as Keras's ResNets and Inceptions write it (3 or 1): it shows in
    their batch norms' and concatenations' configs."""
    return 3 if config.image_data_format() == "channels_last" else 1


def check_channels_last(model: str) -> None:
    """Keras's refusal of ``channels_first`` for the models built for ``channels_last``."""
    if config.image_data_format() == "channels_first":
        raise ValueError("%s does not support the `channels_first` image data format. "
                         "Switch to `channels_last` (keras.config.set_image_data_format)."
                         % model)


def check_arguments(*, include_top: bool, weights, input_tensor, pooling,
                    classes: int, check_classes: bool = True) -> None:
    """Keras's checks of ``weights``/``classes``, plus clear errors for bad inputs.

    Args:
        include_top, weights, input_tensor, pooling, classes: The application's arguments.
        check_classes: Also check that ``classes`` is a positive integer (the models
            without it leave a bad ``classes`` to ``Dense``, which refuses it).
    """
    check_weights_arg(weights, include_top, classes)
    if pooling not in (None, "avg", "max"):
        raise ValueError("`pooling` must be None, 'avg' or 'max'. Received: pooling=%s"
                         % (pooling,))
    if check_classes and include_top and (isinstance(classes, bool)
                        or not isinstance(classes, numbers.Integral) or classes < 1):
        raise ValueError("`classes` must be a positive integer. Received: classes=%r"
                         % (classes,))
    if input_tensor is not None and not isinstance(input_tensor, KerasTensor):
        raise ValueError("input_tensor must be a symbolic tensor (from `Input` or a layer); "
                         "Received %r" % (input_tensor,))


def start_model(*, include_top: bool, weights, input_tensor, input_shape, pooling,
                classes: int, classifier_activation, default_size: int, min_size: int,
                check_classes: bool = True):
    """Checks the arguments and returns the image input (an ``Input`` or ``input_tensor``).

    ``check_classes`` is as in :func:`check_arguments`; the rest are the application's
    arguments and its default and smallest image sizes.
    """
    check_arguments(include_top=include_top, weights=weights, input_tensor=input_tensor,
                    pooling=pooling, classes=classes, check_classes=check_classes)
    return image_input(include_top=include_top, weights=weights, input_tensor=input_tensor,
                       input_shape=input_shape, classifier_activation=classifier_activation,
                       default_size=default_size, min_size=min_size)[0]


def image_input(*, include_top: bool, weights, input_tensor, input_shape,
                classifier_activation, default_size: int, min_size: int) -> tuple:
    """The image input and its checked shape, once the arguments are checked.

    Args:
        include_top, weights, input_tensor, input_shape, classifier_activation: The
            application's arguments.
        default_size: The model's default (and ImageNet) image size.
        min_size: The smallest image side the model takes.

    Returns:
        ``(img_input, input_shape)``: an ``Input`` (or ``input_tensor``) and the shape
        Keras's ``obtain_input_shape`` settles on (without batch).
    """
    if input_shape is None and input_tensor is not None:
        input_shape = tuple(input_tensor.shape[1:])
    input_shape = imagenet_utils.obtain_input_shape(
        input_shape, default_size=default_size, min_size=min_size,
        data_format=config.image_data_format(), require_flatten=include_top, weights=weights)
    if include_top:
        # Checked before any layer exists (Keras checks it once the body is built).
        imagenet_utils.validate_activation(classifier_activation, weights)
    img_input = Input(shape=input_shape) if input_tensor is None else input_tensor
    return img_input, input_shape


def add_top(x, *, include_top: bool, pooling, classes: int, classifier_activation,
            top_pool_name: str | None = "avg_pool", named_pooling: bool = False):
    """Keras's ``avg_pool`` + ``predictions`` top, or the optional pooling.

    Args:
        x: The body's 4D features.
        include_top, pooling, classes, classifier_activation: The application's arguments.
        top_pool_name: Name of the top's average pooling (``None``: automatic, as NASNet).
        named_pooling: Name the optional pooling ``avg_pool``/``max_pool`` (as ResNet and
            EfficientNetV2) rather than automatically.
    """
    if include_top:
        x = layers.GlobalAveragePooling2D(name=top_pool_name)(x)
        return layers.Dense(_units(classes), activation=classifier_activation,
                            name="predictions")(x)
    return add_pooling(x, pooling, named=named_pooling)


def add_pooling(x, pooling, named: bool = False):
    """Optional global pooling, named ``avg_pool``/``max_pool`` or automatically."""
    if pooling == "avg":
        return layers.GlobalAveragePooling2D(name="avg_pool" if named else None)(x)
    if pooling == "max":
        return layers.GlobalMaxPooling2D(name="max_pool" if named else None)(x)
    return x


def _units(classes):
    # numpy integers become ints (Dense takes Python ints); anything else goes to Dense
    # unchanged, so its own error reports a bad `classes`.
    if isinstance(classes, numbers.Integral) and not isinstance(classes, bool):
        return int(classes)
    return classes


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


def fetch_top_or_notop(files: tuple, hashes: tuple, url_dir: str, include_top: bool) -> str:
    """Path of Keras's ImageNet file with the top (``files[0]``) or without (``files[1]``).

    Args:
        files: File names (with the top, without it), as on the server.
        hashes: Their digests (md5, or sha256 where Keras publishes that), same order.
        url_dir: The server folder, ending with ``/``.
        include_top: Which of the two files.

    Example:
        >>> fetch_top_or_notop(("m.h5", "m_notop.h5"), (None, None),
        ...                    KERAS_APPLICATIONS_URL + "m/", False)  # doctest: +SKIP
    """
    index = 0 if include_top else 1
    return fetch_weights(files[index], url_dir + files[index], hashes[index])
