"""Xception, built layer by layer as Keras builds it.

Same layer names (the shortcut convolutions, their batch norms and the additions are
unnamed, so they take the automatic names ``conv2d``, ``batch_normalization``,
``add``...), weight order and weights as ``keras.applications.Xception``, so Keras's
weight files (``.weights.h5`` and the legacy ImageNet ``.h5`` files fetched by
``weights="imagenet"``) load unchanged. Inputs are scaled to [-1, 1] by
:func:`preprocess_input` ("tf" mode).
"""
from __future__ import annotations

from torchkeras import layers
from torchkeras.applications import imagenet_utils, keras_layout
from torchkeras.models.model import Model

WEIGHTS_URL = keras_layout.KERAS_APPLICATIONS_URL + "xception/"
# md5 digests of Keras's files: (with the top, without it).
WEIGHTS_HASHES = ("0a58e3b7378bc2990ea3b43d5981f1f6", "b0042744bf5b25fce3cb969f33bebb97")
WEIGHTS_FILES = ("xception_weights_tf_dim_ordering_tf_kernels.h5",
                 "xception_weights_tf_dim_ordering_tf_kernels_notop.h5")


def _sepconv_bn(x, filters: int, name: str):
    x = layers.SeparableConv2D(filters, 3, padding="same", use_bias=False, name=name)(x)
    return layers.BatchNormalization(axis=keras_layout.channel_axis(), name=name + "_bn")(x)


def _downsampling_block(x, filters1: int, filters2: int, index: int, first_relu: bool = True):
    """Two separable convolutions and a strided max pool, plus a 1x1 strided shortcut."""
    axis = keras_layout.channel_axis()
    # Keras creates the (unnamed) shortcut layers first: their automatic names depend on it.
    residual = layers.Conv2D(filters2, 1, strides=2, padding="same", use_bias=False)(x)
    residual = layers.BatchNormalization(axis=axis)(residual)
    prefix = "block%d" % index
    if first_relu:
        x = layers.Activation("relu", name=prefix + "_sepconv1_act")(x)
    x = _sepconv_bn(x, filters1, prefix + "_sepconv1")
    x = layers.Activation("relu", name=prefix + "_sepconv2_act")(x)
    x = _sepconv_bn(x, filters2, prefix + "_sepconv2")
    x = layers.MaxPooling2D(3, strides=2, padding="same", name=prefix + "_pool")(x)
    return layers.add([x, residual])


def _middle_block(x, index: int):
    """Three ReLU + separable convolution + batch norm steps around an identity shortcut."""
    residual = x
    for step in (1, 2, 3):
        name = "block%d_sepconv%d" % (index, step)
        x = layers.Activation("relu", name=name + "_act")(x)
        x = _sepconv_bn(x, 728, name)
    return layers.add([x, residual])


def Xception(include_top: bool = True, weights="imagenet", input_tensor=None,
             input_shape=None, pooling=None, classes: int = 1000,
             classifier_activation="softmax", name: str = "xception") -> Model:
    """Instantiates Xception (Keras's architecture, layer names and weights).

    Args:
        include_top: Whether to include the classifier (``avg_pool`` + ``predictions``).
        weights: ``None``, ``"imagenet"`` (Keras's ImageNet file) or the path of a weights
            file (``.weights.h5``, a legacy Keras ``.h5`` or a ``save_weights`` file).
        input_tensor: Optional symbolic tensor to use as the image input.
        input_shape: Shape without batch; only with ``include_top=False``, at least
            71x71 (``(299, 299, 3)`` with the top).
        pooling: ``None`` (4D features), ``"avg"`` or ``"max"`` when there is no top.
        classes: Number of classes (1000 with ImageNet weights and the top).
        classifier_activation: Activation of the ``predictions`` layer (``None`` or
            ``"softmax"`` with pretrained weights).
        name: Model name.

    Returns:
        A functional ``Model``.

    Example:
        >>> base = Xception(include_top=False, weights=None, input_shape=(71, 71, 3))
        >>> base.count_params()
        20861480
    """
    img_input = keras_layout.start_model(
        include_top=include_top, weights=weights, input_tensor=input_tensor,
        input_shape=input_shape, pooling=pooling, classes=classes,
        classifier_activation=classifier_activation, default_size=299, min_size=71)
    axis = keras_layout.channel_axis()

    x = layers.Conv2D(32, 3, strides=2, use_bias=False, name="block1_conv1")(img_input)
    x = layers.BatchNormalization(axis=axis, name="block1_conv1_bn")(x)
    x = layers.Activation("relu", name="block1_conv1_act")(x)
    x = layers.Conv2D(64, 3, use_bias=False, name="block1_conv2")(x)
    x = layers.BatchNormalization(axis=axis, name="block1_conv2_bn")(x)
    x = layers.Activation("relu", name="block1_conv2_act")(x)

    x = _downsampling_block(x, 128, 128, 2, first_relu=False)
    x = _downsampling_block(x, 256, 256, 3)
    x = _downsampling_block(x, 728, 728, 4)
    for index in range(5, 13):
        x = _middle_block(x, index)
    x = _downsampling_block(x, 728, 1024, 13)

    for step, filters in ((1, 1536), (2, 2048)):
        name_ = "block14_sepconv%d" % step
        x = _sepconv_bn(x, filters, name_)
        x = layers.Activation("relu", name=name_ + "_act")(x)

    x = keras_layout.add_top(x, include_top=include_top, pooling=pooling, classes=classes,
                             classifier_activation=classifier_activation)
    return keras_layout.finish_model(img_input, input_tensor, x, name=name, weights=weights,
                                     fetch=lambda: fetch_keras_weights(include_top))


def fetch_keras_weights(include_top: bool) -> str:
    """Path of Keras's Xception ImageNet file (downloaded and md5-checked on first use)."""
    return keras_layout.fetch_top_or_notop(WEIGHTS_FILES, WEIGHTS_HASHES, WEIGHTS_URL,
                                           include_top)


def preprocess_input(x, data_format=None):
    """Keras's Xception preprocessing: pixels scaled to [-1, 1]."""
    return imagenet_utils.preprocess_input(x, data_format=data_format, mode="tf")


def decode_predictions(preds, top: int = 5):
    """See :func:`torchkeras.applications.imagenet_utils.decode_predictions`."""
    return imagenet_utils.decode_predictions(preds, top=top)
