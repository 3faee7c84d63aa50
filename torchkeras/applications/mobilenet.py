"""MobileNet (v1), built layer by layer as Keras builds it.

Same layer names, weight order and weights as ``keras.applications.MobileNet`` (its
classifier is a 1x1 convolution ``conv_preds`` on pooled features), so Keras's weight
files (``.weights.h5`` and the legacy ImageNet ``.h5`` files fetched by
``weights="imagenet"``, one per ``alpha`` and input size) load unchanged. Inputs are
scaled to [-1, 1] by :func:`preprocess_input` ("tf" mode).
"""
from __future__ import annotations

import warnings

from torchkeras import config, layers
from torchkeras.applications import imagenet_utils, keras_layout
from torchkeras.models.model import Model

WEIGHTS_URL = keras_layout.KERAS_APPLICATIONS_URL + "mobilenet/"
_SIZES = (128, 160, 192, 224)
_ALPHAS = (0.25, 0.50, 0.75, 1.0)
# The alpha part of Keras's file names.
_ALPHA_TEXT = {1.0: "1_0", 0.75: "7_5", 0.50: "5_0", 0.25: "2_5"}
# (pointwise filters, stride) of the 13 depthwise-separable blocks.
_BLOCKS = ((64, 1), (128, 2), (128, 1), (256, 2), (256, 1), (512, 2), (512, 1), (512, 1),
           (512, 1), (512, 1), (512, 1), (1024, 2), (1024, 1))


def _conv_block(x, filters: int, alpha: float, strides=(1, 1)):
    """The stem: 3x3 convolution, batch norm, ReLU6."""
    x = layers.Conv2D(int(filters * alpha), (3, 3), padding="same", use_bias=False,
                      strides=strides, name="conv1")(x)
    x = layers.BatchNormalization(axis=keras_layout.channel_axis(), name="conv1_bn")(x)
    return layers.ReLU(6.0, name="conv1_relu")(x)


def _depthwise_conv_block(x, pointwise_filters: int, alpha: float, depth_multiplier: int,
                          stride: int, block_id: int):
    """Depthwise 3x3 and pointwise 1x1 convolutions, each with batch norm and ReLU6."""
    axis = keras_layout.channel_axis()
    if stride != 1:
        # Keras pads bottom/right only, then convolves with "valid".
        x = layers.ZeroPadding2D(((0, 1), (0, 1)), name="conv_pad_%d" % block_id)(x)
    x = layers.DepthwiseConv2D((3, 3), padding="same" if stride == 1 else "valid",
                               depth_multiplier=depth_multiplier, strides=(stride, stride),
                               use_bias=False, name="conv_dw_%d" % block_id)(x)
    x = layers.BatchNormalization(axis=axis, name="conv_dw_%d_bn" % block_id)(x)
    x = layers.ReLU(6.0, name="conv_dw_%d_relu" % block_id)(x)
    x = layers.Conv2D(int(pointwise_filters * alpha), (1, 1), padding="same", use_bias=False,
                      strides=(1, 1), name="conv_pw_%d" % block_id)(x)
    x = layers.BatchNormalization(axis=axis, name="conv_pw_%d_bn" % block_id)(x)
    return layers.ReLU(6.0, name="conv_pw_%d_relu" % block_id)(x)


def _default_size(input_shape) -> int:
    # Keras looks at the explicit input_shape only (not at input_tensor).
    if input_shape is None or len(input_shape) != 3:
        return 224
    rows, cols = (input_shape[1], input_shape[2]) if \
        config.image_data_format() == "channels_first" else (input_shape[0], input_shape[1])
    return rows if rows == cols and rows in _SIZES else 224


def MobileNet(input_shape=None, alpha: float = 1.0, depth_multiplier: int = 1,
              dropout: float = 1e-3, include_top: bool = True, weights="imagenet",
              input_tensor=None, pooling=None, classes: int = 1000,
              classifier_activation="softmax", name: str | None = None) -> Model:
    """Instantiates MobileNet (Keras's architecture, layer names and weights).

    Args:
        input_shape: Shape without batch; at least 32x32. ImageNet weights exist for
            square inputs of 128, 160, 192 or 224 (other sizes load the 224 file).
        alpha: Width multiplier of every layer (ImageNet weights: 0.25, 0.5, 0.75, 1.0).
        depth_multiplier: Depthwise channel multiplier (1 with ImageNet weights).
        dropout: Dropout rate before the classifier.
        include_top: Whether to include the classifier (pooling, ``dropout``,
            ``conv_preds``, ``reshape_2``, ``predictions``).
        weights: ``None``, ``"imagenet"`` (Keras's ImageNet file) or the path of a weights
            file (``.weights.h5``, a legacy Keras ``.h5`` or a ``save_weights`` file).
        input_tensor: Optional symbolic tensor to use as the image input.
        pooling: ``None`` (4D features), ``"avg"`` or ``"max"`` when there is no top.
        classes: Number of classes (1000 with ImageNet weights and the top).
        classifier_activation: Activation of the ``predictions`` layer (``None`` or
            ``"softmax"`` with pretrained weights).
        name: Model name (``"mobilenet_<alpha>_<rows>"`` by default).

    Returns:
        A functional ``Model``.

    Example:
        >>> base = MobileNet(input_shape=(32, 32, 3), include_top=False, weights=None)
        >>> base.count_params()
        3228864
    """
    keras_layout.check_arguments(include_top=include_top, weights=weights,
                                 input_tensor=input_tensor, pooling=pooling, classes=classes)
    input_shape = imagenet_utils.obtain_input_shape(
        input_shape, default_size=_default_size(input_shape), min_size=32,
        data_format=config.image_data_format(), require_flatten=include_top, weights=weights)
    rows, cols = input_shape[1:] if config.image_data_format() == "channels_first" \
        else input_shape[:2]
    if weights == "imagenet":
        if depth_multiplier != 1:
            raise ValueError("If imagenet weights are being loaded, depth multiplier must be "
                             "1.  Received depth_multiplier=%s" % (depth_multiplier,))
        if alpha not in _ALPHAS:
            raise ValueError("If imagenet weights are being loaded, alpha can be one of "
                             "`0.25`, `0.50`, `0.75` or `1.0` only.  Received alpha=%s"
                             % (alpha,))
        if rows != cols or rows not in _SIZES:
            rows = 224
            warnings.warn("`input_shape` is undefined or non-square, or `rows` is not in "
                          "[128, 160, 192, 224]. Weights for input shape (224, 224) will be "
                          "loaded as the default.", stacklevel=2)
    # (The arguments are checked above.)
    img_input = keras_layout.image_input(
        include_top=include_top, weights=weights, input_tensor=input_tensor,
        input_shape=input_shape, classifier_activation=classifier_activation,
        default_size=_default_size(input_shape), min_size=32)[0]

    x = _conv_block(img_input, 32, alpha, strides=(2, 2))
    for block_id, (filters, stride) in enumerate(_BLOCKS, start=1):
        x = _depthwise_conv_block(x, filters, alpha, depth_multiplier, stride, block_id)

    if include_top:
        classes = int(classes)   # numpy integers too (checked above)
        x = layers.GlobalAveragePooling2D(keepdims=True)(x)
        x = layers.Dropout(dropout, name="dropout")(x)
        x = layers.Conv2D(classes, (1, 1), padding="same", name="conv_preds")(x)
        x = layers.Reshape((classes,), name="reshape_2")(x)
        x = layers.Activation(activation=classifier_activation, name="predictions")(x)
    else:
        x = keras_layout.add_pooling(x, pooling)

    if name is None:
        name = "mobilenet_%0.2f_%s" % (alpha, rows)
    return keras_layout.finish_model(
        img_input, input_tensor, x, name=name, weights=weights,
        fetch=lambda: fetch_keras_weights(alpha, rows, include_top))


def weights_file_name(alpha: float, rows: int, include_top: bool) -> str:
    """Keras's file name for ImageNet weights (``mobilenet_1_0_224_tf.h5``...)."""
    return "mobilenet_%s_%d_tf%s.h5" % (_ALPHA_TEXT[alpha], rows,
                                        "" if include_top else "_no_top")


def fetch_keras_weights(alpha: float, rows: int, include_top: bool) -> str:
    """Path of Keras's MobileNet ImageNet file (downloaded on first use).

    Keras publishes no digests for these files, so none is checked.
    """
    fname = weights_file_name(alpha, rows, include_top)
    return keras_layout.fetch_weights(fname, WEIGHTS_URL + fname, None)


def preprocess_input(x, data_format=None):
    """Keras's MobileNet preprocessing: pixels scaled to [-1, 1]."""
    return imagenet_utils.preprocess_input(x, data_format=data_format, mode="tf")


def decode_predictions(preds, top: int = 5):
    """See :func:`torchkeras.applications.imagenet_utils.decode_predictions`."""
    return imagenet_utils.decode_predictions(preds, top=top)
