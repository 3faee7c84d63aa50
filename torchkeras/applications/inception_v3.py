"""InceptionV3, built layer by layer as Keras builds it.

Keras leaves the convolutions, batch norms and activations unnamed (they take the
automatic names ``conv2d_N``, ``batch_normalization_N``, ``activation_N``); only the
``mixed*`` concatenations and the top are named. This module creates the layers in
Keras's order, so the names, the weight order and Keras's weight files (``.weights.h5``
and the legacy ImageNet ``.h5`` files fetched by ``weights="imagenet"``) all match.
Inputs are scaled to [-1, 1] by :func:`preprocess_input` ("tf" mode).
"""
from __future__ import annotations

from torchkeras import layers
from torchkeras.applications import imagenet_utils, keras_layout
from torchkeras.models.model import Model

WEIGHTS_URL = keras_layout.KERAS_APPLICATIONS_URL + "inception_v3/"
# md5 digests of Keras's files: (with the top, without it).
WEIGHTS_HASHES = ("9a0d58056eeedaa3f26cb7ebd46da564", "bcbd6486424b2319ff4ef7d526e38f63")
WEIGHTS_FILES = ("inception_v3_weights_tf_dim_ordering_tf_kernels.h5",
                 "inception_v3_weights_tf_dim_ordering_tf_kernels_notop.h5")
# Keras's Inception models write the positive channel axis (it shows in the configs).
_axis = keras_layout.positive_channel_axis


def conv2d_bn(x, filters: int, num_row: int, num_col: int, padding: str = "same",
              strides=(1, 1), name: str | None = None):
    """Bias-free convolution, batch norm without scale, ReLU.

    Args:
        x: Input tensor.
        filters: Output channels.
        num_row: Kernel height.
        num_col: Kernel width.
        padding: ``"same"`` or ``"valid"``.
        strides: Convolution strides.
        name: ``name + "_conv"`` / ``name + "_bn"`` / ``name`` for the three layers;
            automatic names when ``None``.

    Returns:
        The activated output tensor.
    """
    x = layers.Conv2D(filters, (num_row, num_col), strides=strides, padding=padding,
                      use_bias=False, name=None if name is None else name + "_conv")(x)
    x = layers.BatchNormalization(axis=_axis(), scale=False,
                                  name=None if name is None else name + "_bn")(x)
    return layers.Activation("relu", name=name)(x)


def _avg_pool_branch(x, filters: int):
    x = layers.AveragePooling2D((3, 3), strides=(1, 1), padding="same")(x)
    return conv2d_bn(x, filters, 1, 1)


def _block_35(x, pool_filters: int, name: str):
    """mixed0-2: 1x1, 5x5, double 3x3 and average-pool branches."""
    b1 = conv2d_bn(x, 64, 1, 1)
    b5 = conv2d_bn(conv2d_bn(x, 48, 1, 1), 64, 5, 5)
    b3 = conv2d_bn(conv2d_bn(conv2d_bn(x, 64, 1, 1), 96, 3, 3), 96, 3, 3)
    bp = _avg_pool_branch(x, pool_filters)
    return layers.concatenate([b1, b5, b3, bp], axis=_axis(), name=name)


def _reduction_35(x):
    """mixed3: strided 3x3, strided double 3x3 and max-pool branches."""
    b3 = conv2d_bn(x, 384, 3, 3, strides=(2, 2), padding="valid")
    bd = conv2d_bn(conv2d_bn(x, 64, 1, 1), 96, 3, 3)
    bd = conv2d_bn(bd, 96, 3, 3, strides=(2, 2), padding="valid")
    bp = layers.MaxPooling2D((3, 3), strides=(2, 2))(x)
    return layers.concatenate([b3, bd, bp], axis=_axis(), name="mixed3")


def _block_17(x, width: int, name: str):
    """mixed4-7: factorized 7x7 branches of ``width`` inner channels."""
    b1 = conv2d_bn(x, 192, 1, 1)
    b7 = conv2d_bn(x, width, 1, 1)
    b7 = conv2d_bn(b7, width, 1, 7)
    b7 = conv2d_bn(b7, 192, 7, 1)
    bd = conv2d_bn(x, width, 1, 1)
    for rows, cols in ((7, 1), (1, 7), (7, 1)):
        bd = conv2d_bn(bd, width, rows, cols)
    bd = conv2d_bn(bd, 192, 1, 7)
    bp = _avg_pool_branch(x, 192)
    return layers.concatenate([b1, b7, bd, bp], axis=_axis(), name=name)


def _reduction_17(x):
    """mixed8: strided 3x3 and 7x7-then-strided-3x3 branches, max pool."""
    b3 = conv2d_bn(x, 192, 1, 1)
    b3 = conv2d_bn(b3, 320, 3, 3, strides=(2, 2), padding="valid")
    b7 = conv2d_bn(x, 192, 1, 1)
    b7 = conv2d_bn(b7, 192, 1, 7)
    b7 = conv2d_bn(b7, 192, 7, 1)
    b7 = conv2d_bn(b7, 192, 3, 3, strides=(2, 2), padding="valid")
    bp = layers.MaxPooling2D((3, 3), strides=(2, 2))(x)
    return layers.concatenate([b3, b7, bp], axis=_axis(), name="mixed8")


def _block_8(x, index: int):
    """mixed9-10: branches that split into parallel 1x3 and 3x1 convolutions."""
    axis = _axis()
    b1 = conv2d_bn(x, 320, 1, 1)
    b3 = conv2d_bn(x, 384, 1, 1)
    b3 = layers.concatenate([conv2d_bn(b3, 384, 1, 3), conv2d_bn(b3, 384, 3, 1)],
                            axis=axis, name="mixed9_%d" % index)
    bd = conv2d_bn(conv2d_bn(x, 448, 1, 1), 384, 3, 3)
    bd = layers.concatenate([conv2d_bn(bd, 384, 1, 3), conv2d_bn(bd, 384, 3, 1)], axis=axis)
    bp = _avg_pool_branch(x, 192)
    return layers.concatenate([b1, b3, bd, bp], axis=axis, name="mixed%d" % (9 + index))


def InceptionV3(include_top: bool = True, weights="imagenet", input_tensor=None,
                input_shape=None, pooling=None, classes: int = 1000,
                classifier_activation="softmax", name: str = "inception_v3") -> Model:
    """Instantiates Inception v3 (Keras's architecture, layer names and weights).

    Args:
        include_top, weights, input_tensor, pooling, classes, classifier_activation,
        name: As in :func:`torchkeras.applications.Xception`.
        input_shape: Shape without batch; only with ``include_top=False``, at least
            75x75 (``(299, 299, 3)`` with the top).

    Returns:
        A functional ``Model``.

    Example:
        >>> base = InceptionV3(include_top=False, weights=None, input_shape=(75, 75, 3))
        >>> base.count_params()
        21802784
    """
    img_input = keras_layout.start_model(
        include_top=include_top, weights=weights, input_tensor=input_tensor,
        input_shape=input_shape, pooling=pooling, classes=classes,
        classifier_activation=classifier_activation, default_size=299, min_size=75)

    x = conv2d_bn(img_input, 32, 3, 3, strides=(2, 2), padding="valid")
    x = conv2d_bn(x, 32, 3, 3, padding="valid")
    x = conv2d_bn(x, 64, 3, 3)
    x = layers.MaxPooling2D((3, 3), strides=(2, 2))(x)
    x = conv2d_bn(x, 80, 1, 1, padding="valid")
    x = conv2d_bn(x, 192, 3, 3, padding="valid")
    x = layers.MaxPooling2D((3, 3), strides=(2, 2))(x)

    for index, pool_filters in enumerate((32, 64, 64)):
        x = _block_35(x, pool_filters, "mixed%d" % index)
    x = _reduction_35(x)
    for index, width in enumerate((128, 160, 160, 192)):
        x = _block_17(x, width, "mixed%d" % (4 + index))
    x = _reduction_17(x)
    for index in range(2):
        x = _block_8(x, index)

    x = keras_layout.add_top(x, include_top=include_top, pooling=pooling, classes=classes,
                             classifier_activation=classifier_activation)
    return keras_layout.finish_model(img_input, input_tensor, x, name=name, weights=weights,
                                     fetch=lambda: fetch_keras_weights(include_top))


def fetch_keras_weights(include_top: bool) -> str:
    """Path of Keras's InceptionV3 ImageNet file (downloaded and md5-checked on first use)."""
    return keras_layout.fetch_top_or_notop(WEIGHTS_FILES, WEIGHTS_HASHES, WEIGHTS_URL,
                                           include_top)


def preprocess_input(x, data_format=None):
    """Keras's InceptionV3 preprocessing: pixels scaled to [-1, 1]."""
    return imagenet_utils.preprocess_input(x, data_format=data_format, mode="tf")


def decode_predictions(preds, top: int = 5):
    """See :func:`torchkeras.applications.imagenet_utils.decode_predictions`."""
    return imagenet_utils.decode_predictions(preds, top=top)
