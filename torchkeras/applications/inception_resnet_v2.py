"""InceptionResNetV2, built layer by layer as Keras builds it.

Same layer names, weight order and weights as ``keras.applications.InceptionResNetV2``
(the residual scalings are unnamed ``CustomScaleLayer`` layers, as in Keras), so Keras's
weight files (``.weights.h5`` and the legacy ImageNet ``.h5`` files fetched by
``weights="imagenet"``) load unchanged. Inputs are scaled to [-1, 1] by
:func:`preprocess_input` ("tf" mode).
"""
from __future__ import annotations

from torchkeras import layers
from torchkeras.applications import imagenet_utils, keras_layout
from torchkeras.layers.layer import Layer
from torchkeras.models.model import Model
from torchkeras.saving import register_keras_serializable

WEIGHTS_URL = keras_layout.KERAS_APPLICATIONS_URL + "inception_resnet_v2/"
# md5 digests of Keras's files: (with the top, without it).
WEIGHTS_HASHES = ("e693bd0210a403b3192acc6073ad2e96", "d19885ff4a710c122648d3b5c3b684e4")
WEIGHTS_FILES = ("inception_resnet_v2_weights_tf_dim_ordering_tf_kernels.h5",
                 "inception_resnet_v2_weights_tf_dim_ordering_tf_kernels_notop.h5")
# The parallel branches of each residual block type: each branch is a sequence of
# (filters, kernel size) convolutions, in Keras's creation order.
_BLOCKS = {
    "block35": [[(32, 1)], [(32, 1), (32, 3)], [(32, 1), (48, 3), (64, 3)]],
    "block17": [[(192, 1)], [(128, 1), (160, (1, 7)), (192, (7, 1))]],
    "block8": [[(192, 1)], [(192, 1), (224, (1, 3)), (256, (3, 1))]],
}
# Keras's Inception models write the positive channel axis (it shows in the configs).
_axis = keras_layout.positive_channel_axis


@register_keras_serializable(package="torchkeras.applications")
class CustomScaleLayer(Layer):
    """``inputs[0] + inputs[1] * scale``: the scaled residual sum of Inception-ResNet.

    Args:
        scale: Factor applied to the residual branch.
        **kwargs: Layer arguments (``name``, ``dtype``...).

    Example:
        >>> y = CustomScaleLayer(0.17)([x, residual])
    """

    def __init__(self, scale: float, **kwargs):
        super().__init__(**kwargs)
        self.scale = scale

    def call(self, inputs):
        return inputs[0] + inputs[1] * self.scale

    def compute_output_shape(self, input_shape):
        return tuple(input_shape[0])

    def get_config(self) -> dict:
        config_ = super().get_config()
        config_.update({"scale": self.scale})
        return config_


def conv2d_bn(x, filters: int, kernel_size, strides=1, padding: str = "same",
              activation="relu", use_bias: bool = False, name: str | None = None):
    """Convolution, then batch norm without scale (when bias-free), then the activation.

    Args:
        x: Input tensor.
        filters: Output channels.
        kernel_size: Kernel size (int or pair).
        strides: Convolution strides.
        padding: ``"same"`` or ``"valid"``.
        activation: Activation after the batch norm (``None``: none).
        use_bias: Whether the convolution has a bias (then there is no batch norm).
        name: Convolution name (``name + "_bn"`` / ``name + "_ac"`` for the others);
            automatic names when ``None``.

    Returns:
        The output tensor.
    """
    x = layers.Conv2D(filters, kernel_size, strides=strides, padding=padding,
                      use_bias=use_bias, name=name)(x)
    if not use_bias:
        x = layers.BatchNormalization(axis=_axis(), scale=False,
                                      name=None if name is None else name + "_bn")(x)
    if activation is not None:
        x = layers.Activation(activation, name=None if name is None else name + "_ac")(x)
    return x


def inception_resnet_block(x, scale: float, block_type: str, block_idx: int,
                           activation="relu"):
    """One residual Inception block: parallel branches, 1x1 projection, scaled sum.

    Args:
        x: Input tensor.
        scale: Factor of the residual branch.
        block_type: ``"block35"``, ``"block17"`` or ``"block8"``.
        block_idx: Index within its stage (part of the layer names).
        activation: Activation after the sum (``None``: none).

    Returns:
        The output tensor.
    """
    if block_type not in _BLOCKS:
        raise ValueError("Unknown Inception-ResNet block type. Expects \"block35\", "
                         "\"block17\" or \"block8\", but got: %s" % (block_type,))
    branches = []
    for steps in _BLOCKS[block_type]:
        branch = x
        for filters, kernel in steps:
            branch = conv2d_bn(branch, filters, kernel)
        branches.append(branch)
    block_name = "%s_%d" % (block_type, block_idx)
    axis = _axis()
    mixed = layers.Concatenate(axis=axis, name=block_name + "_mixed")(branches)
    up = conv2d_bn(mixed, x.shape[axis], 1, activation=None, use_bias=True,
                   name=block_name + "_conv")
    x = CustomScaleLayer(scale)([x, up])
    if activation is not None:
        x = layers.Activation(activation, name=block_name + "_ac")(x)
    return x


def InceptionResNetV2(include_top: bool = True, weights="imagenet", input_tensor=None,
                      input_shape=None, pooling=None, classes: int = 1000,
                      classifier_activation="softmax",
                      name: str = "inception_resnet_v2") -> Model:
    """Instantiates Inception-ResNet v2 (Keras's architecture, layer names and weights).

    Args:
        include_top, weights, input_tensor, pooling, classes, classifier_activation,
        name: As in :func:`torchkeras.applications.Xception`.
        input_shape: Shape without batch; only with ``include_top=False``, at least
            75x75 (``(299, 299, 3)`` with the top).

    Returns:
        A functional ``Model``.

    Example:
        >>> base = InceptionResNetV2(include_top=False, weights=None,
        ...                          input_shape=(75, 75, 3))
        >>> base.count_params()
        54336736
    """
    img_input = keras_layout.start_model(
        include_top=include_top, weights=weights, input_tensor=input_tensor,
        input_shape=input_shape, pooling=pooling, classes=classes,
        classifier_activation=classifier_activation, default_size=299, min_size=75)
    axis = _axis()

    x = conv2d_bn(img_input, 32, 3, strides=2, padding="valid")
    x = conv2d_bn(x, 32, 3, padding="valid")
    x = conv2d_bn(x, 64, 3)
    x = layers.MaxPooling2D(3, strides=2)(x)
    x = conv2d_bn(x, 80, 1, padding="valid")
    x = conv2d_bn(x, 192, 3, padding="valid")
    x = layers.MaxPooling2D(3, strides=2)(x)

    b0 = conv2d_bn(x, 96, 1)
    b1 = conv2d_bn(conv2d_bn(x, 48, 1), 64, 5)
    b2 = conv2d_bn(conv2d_bn(conv2d_bn(x, 64, 1), 96, 3), 96, 3)
    bp = conv2d_bn(layers.AveragePooling2D(3, strides=1, padding="same")(x), 64, 1)
    x = layers.Concatenate(axis=axis, name="mixed_5b")([b0, b1, b2, bp])
    for idx in range(1, 11):
        x = inception_resnet_block(x, scale=0.17, block_type="block35", block_idx=idx)

    b0 = conv2d_bn(x, 384, 3, strides=2, padding="valid")
    b1 = conv2d_bn(conv2d_bn(conv2d_bn(x, 256, 1), 256, 3), 384, 3, strides=2,
                   padding="valid")
    bp = layers.MaxPooling2D(3, strides=2, padding="valid")(x)
    x = layers.Concatenate(axis=axis, name="mixed_6a")([b0, b1, bp])
    for idx in range(1, 21):
        x = inception_resnet_block(x, scale=0.1, block_type="block17", block_idx=idx)

    b0 = conv2d_bn(conv2d_bn(x, 256, 1), 384, 3, strides=2, padding="valid")
    b1 = conv2d_bn(conv2d_bn(x, 256, 1), 288, 3, strides=2, padding="valid")
    b2 = conv2d_bn(conv2d_bn(conv2d_bn(x, 256, 1), 288, 3), 320, 3, strides=2,
                   padding="valid")
    bp = layers.MaxPooling2D(3, strides=2, padding="valid")(x)
    x = layers.Concatenate(axis=axis, name="mixed_7a")([b0, b1, b2, bp])
    for idx in range(1, 10):
        x = inception_resnet_block(x, scale=0.2, block_type="block8", block_idx=idx)
    x = inception_resnet_block(x, scale=1.0, activation=None, block_type="block8",
                               block_idx=10)
    x = conv2d_bn(x, 1536, 1, name="conv_7b")

    x = keras_layout.add_top(x, include_top=include_top, pooling=pooling, classes=classes,
                             classifier_activation=classifier_activation)
    return keras_layout.finish_model(img_input, input_tensor, x, name=name, weights=weights,
                                     fetch=lambda: fetch_keras_weights(include_top))


def fetch_keras_weights(include_top: bool) -> str:
    """Path of Keras's InceptionResNetV2 ImageNet file (downloaded, md5-checked, once)."""
    return keras_layout.fetch_top_or_notop(WEIGHTS_FILES, WEIGHTS_HASHES, WEIGHTS_URL,
                                           include_top)


def preprocess_input(x, data_format=None):
    """Keras's InceptionResNetV2 preprocessing: pixels scaled to [-1, 1]."""
    return imagenet_utils.preprocess_input(x, data_format=data_format, mode="tf")


def decode_predictions(preds, top: int = 5):
    """See :func:`torchkeras.applications.imagenet_utils.decode_predictions`."""
    return imagenet_utils.decode_predictions(preds, top=top)
