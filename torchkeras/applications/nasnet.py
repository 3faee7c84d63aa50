"""NASNetMobile and NASNetLarge (NASNet-A), built layer by layer as Keras builds them.

Same layer names (the unnamed ones take the same automatic names when built in a fresh
session), weight order and weights as ``keras.applications.NASNetLarge``, so Keras's
weight files (``.weights.h5``, and the legacy ImageNet ``.h5`` files fetched by
``weights="imagenet"``) load unchanged. Inputs follow Keras's NASNet convention:
images scaled to [-1, 1] by :func:`preprocess_input` ("tf" mode). Only the
``channels_last`` image data format is supported, as in Keras.

Unlike Keras 3 on its torch backend, which refuses ``NASNetMobile``, both models work.
"""
from __future__ import annotations

from torchkeras import layers
from torchkeras.applications import imagenet_utils, keras_layout
from torchkeras.models.model import Model

WEIGHTS_URL = keras_layout.KERAS_APPLICATIONS_URL + "nasnet/"
# (file name in the cache, name on the server, md5) for (with the top, without it).
WEIGHTS_FILES = {
    "mobile": (("nasnet_mobile.h5", "NASNet-mobile.h5", "020fb642bf7360b370c678b08e0adf61"),
               ("nasnet_mobile_no_top.h5", "NASNet-mobile-no-top.h5",
                "1ed92395b5b598bdda52abe5c0dbfd63")),
    "large": (("nasnet_large.h5", "NASNet-large.h5", "11577c9a518f0070763c2b964a382f17"),
              ("nasnet_large_no_top.h5", "NASNet-large-no-top.h5",
               "d81d89dc07e6e56530c4e77faddd61b5")),
}
_MOMENTUM = 0.9997
_EPS = 1e-3


def _bn(x, name: str):
    return layers.BatchNormalization(axis=-1, momentum=_MOMENTUM, epsilon=_EPS, name=name)(x)


def _conv1x1(x, filters: int, name: str):
    return layers.Conv2D(filters, (1, 1), padding="same", use_bias=False,
                         kernel_initializer="he_normal", name=name)(x)


def correct_pad(x, kernel_size: int) -> tuple:
    """Zero padding that makes a strided "valid" convolution match TF's "same" one."""
    rows, cols = x.shape[1:3]
    adjust = (1, 1) if rows is None else (1 - rows % 2, 1 - cols % 2)
    half = kernel_size // 2
    return ((half - adjust[0], half), (half - adjust[1], half))


def _separable_block(x, filters: int, kernel_size: int = 3, strides: int = 1,
                     block_id: str = ""):
    """Two rounds of ReLU, separable convolution and batch normalization."""
    x = layers.Activation("relu")(x)
    if strides == 2:
        x = layers.ZeroPadding2D(padding=correct_pad(x, kernel_size),
                                 name="separable_conv_1_pad_" + block_id)(x)
        padding = "valid"
    else:
        padding = "same"
    x = layers.SeparableConv2D(filters, kernel_size, strides=strides, padding=padding,
                               use_bias=False, name="separable_conv_1_" + block_id)(x)
    x = _bn(x, "separable_conv_1_bn_" + block_id)
    x = layers.Activation("relu")(x)
    x = layers.SeparableConv2D(filters, kernel_size, padding="same", use_bias=False,
                               name="separable_conv_2_" + block_id)(x)
    return _bn(x, "separable_conv_2_bn_" + block_id)


def _adjust(p, ip, filters: int, block_id: str):
    """Brings the previous cell's output ``p`` to the size and width of ``ip``."""
    if p is None:
        return ip
    if p.shape[-2] != ip.shape[-2]:
        # Halve the resolution along two paths offset by one pixel.
        p = layers.Activation("relu", name="adjust_relu_1_" + block_id)(p)
        p1 = layers.AveragePooling2D((1, 1), strides=(2, 2), padding="valid",
                                     name="adjust_avg_pool_1_" + block_id)(p)
        p1 = _conv1x1(p1, filters // 2, "adjust_conv_1_" + block_id)
        p2 = layers.ZeroPadding2D(padding=((0, 1), (0, 1)))(p)
        p2 = layers.Cropping2D(cropping=((1, 0), (1, 0)))(p2)
        p2 = layers.AveragePooling2D((1, 1), strides=(2, 2), padding="valid",
                                     name="adjust_avg_pool_2_" + block_id)(p2)
        p2 = _conv1x1(p2, filters // 2, "adjust_conv_2_" + block_id)
        p = layers.concatenate([p1, p2], axis=-1)
        return _bn(p, "adjust_bn_" + block_id)
    if p.shape[-1] != filters:
        p = layers.Activation("relu")(p)
        p = _conv1x1(p, filters, "adjust_conv_projection_" + block_id)
        return _bn(p, "adjust_bn_" + block_id)
    return p


def _avg3(x, strides: int, padding: str, name: str):
    return layers.AveragePooling2D((3, 3), strides=(strides, strides), padding=padding,
                                   name=name)(x)


def normal_cell(ip, p, filters: int, block_id: str):
    """NASNet-A normal cell; returns ``(output, ip)``."""
    p = _adjust(p, ip, filters, block_id)
    h = layers.Activation("relu")(ip)
    h = _bn(_conv1x1(h, filters, "normal_conv_1_" + block_id), "normal_bn_1_" + block_id)
    sep = _separable_block
    x1 = layers.add([sep(h, filters, 5, block_id="normal_left1_" + block_id),
                     sep(p, filters, block_id="normal_right1_" + block_id)],
                    name="normal_add_1_" + block_id)
    x2 = layers.add([sep(p, filters, 5, block_id="normal_left2_" + block_id),
                     sep(p, filters, 3, block_id="normal_right2_" + block_id)],
                    name="normal_add_2_" + block_id)
    x3 = layers.add([_avg3(h, 1, "same", "normal_left3_" + block_id), p],
                    name="normal_add_3_" + block_id)
    x4 = layers.add([_avg3(p, 1, "same", "normal_left4_" + block_id),
                     _avg3(p, 1, "same", "normal_right4_" + block_id)],
                    name="normal_add_4_" + block_id)
    x5 = layers.add([sep(h, filters, block_id="normal_left5_" + block_id), h],
                    name="normal_add_5_" + block_id)
    x = layers.concatenate([p, x1, x2, x3, x4, x5], axis=-1,
                           name="normal_concat_" + block_id)
    return x, ip


def reduction_cell(ip, p, filters: int, block_id: str):
    """NASNet-A reduction cell (halves the resolution); returns ``(output, ip)``."""
    p = _adjust(p, ip, filters, block_id)
    h = layers.Activation("relu")(ip)
    h = _bn(_conv1x1(h, filters, "reduction_conv_1_" + block_id),
            "reduction_bn_1_" + block_id)
    h3 = layers.ZeroPadding2D(padding=correct_pad(h, 3), name="reduction_pad_1_" + block_id)(h)
    sep = _separable_block
    x1 = layers.add([sep(h, filters, 5, 2, "reduction_left1_" + block_id),
                     sep(p, filters, 7, 2, "reduction_right1_" + block_id)],
                    name="reduction_add_1_" + block_id)
    x2 = layers.add([layers.MaxPooling2D((3, 3), strides=(2, 2), padding="valid",
                                         name="reduction_left2_" + block_id)(h3),
                     sep(p, filters, 7, 2, "reduction_right2_" + block_id)],
                    name="reduction_add_2_" + block_id)
    x3 = layers.add([_avg3(h3, 2, "valid", "reduction_left3_" + block_id),
                     sep(p, filters, 5, 2, "reduction_right3_" + block_id)],
                    name="reduction_add3_" + block_id)
    x4 = layers.add([x2, _avg3(x1, 1, "same", "reduction_left4_" + block_id)])
    x5 = layers.add([sep(x1, filters, 3, block_id="reduction_left4_" + block_id),
                     layers.MaxPooling2D((3, 3), strides=(2, 2), padding="valid",
                                         name="reduction_right5_" + block_id)(h3)],
                    name="reduction_add4_" + block_id)
    x = layers.concatenate([x2, x3, x4, x5], axis=-1, name="reduction_concat_" + block_id)
    return x, ip


def build_nasnet(input_shape, *, penultimate_filters: int, num_blocks: int,
                 stem_block_filters: int, skip_reduction: bool, filter_multiplier: int,
                 include_top: bool, weights, input_tensor, pooling, classes: int,
                 default_size: int, classifier_activation, name: str) -> Model:
    """Builds a NASNet-A model (Keras's ``NASNet`` with the same arguments)."""
    keras_layout.check_channels_last("NASNet")
    keras_layout.check_arguments(include_top=include_top, weights=weights,
                                 input_tensor=input_tensor, pooling=pooling, classes=classes,
                                 check_classes=False)
    if isinstance(input_shape, tuple) and None in input_shape and weights == "imagenet":
        raise ValueError("When specifying the input shape of a NASNet and loading `ImageNet` "
                         "weights, the input_shape argument must be static (no None "
                         "entries). Got: `input_shape=%s`." % (input_shape,))
    if penultimate_filters % (24 * filter_multiplier ** 2) != 0:
        raise ValueError("For NASNet-A models, the `penultimate_filters` must be a multiple "
                         "of 24 * (`filter_multiplier` ** 2). Current value: %s"
                         % (penultimate_filters,))
    img_input = keras_layout.image_input(
        include_top=include_top, weights=weights, input_tensor=input_tensor,
        input_shape=input_shape, classifier_activation=classifier_activation,
        default_size=default_size, min_size=32)[0]

    filters = penultimate_filters // 24
    x = layers.Conv2D(stem_block_filters, (3, 3), strides=(2, 2), padding="valid",
                      use_bias=False, kernel_initializer="he_normal", name="stem_conv1")(
        img_input)
    x = _bn(x, "stem_bn1")
    x, p = reduction_cell(x, None, filters // filter_multiplier ** 2, "stem_1")
    x, p = reduction_cell(x, p, filters // filter_multiplier, "stem_2")
    for stage in range(3):
        width = filters * filter_multiplier ** stage
        if stage:
            x, p0 = reduction_cell(x, p, width, "reduce_%d" % (stage * num_blocks))
            p = p if skip_reduction else p0
        for i in range(num_blocks):
            block = i if stage == 0 else stage * num_blocks + i + 1
            x, p = normal_cell(x, p, width, str(block))
    x = layers.Activation("relu")(x)

    x = keras_layout.add_top(x, include_top=include_top, pooling=pooling, classes=classes,
                             classifier_activation=classifier_activation, top_pool_name=None)
    return keras_layout.finish_model(img_input, input_tensor, x, name=name, weights=weights,
                                     fetch=lambda: _fetch_for_size(default_size, include_top))


def _fetch_for_size(default_size: int, include_top: bool) -> str:
    # Checked once the model is built, as in Keras.
    if default_size not in (224, 331):
        raise ValueError("ImageNet weights can only be loaded with NASNetLarge or "
                         "NASNetMobile")
    return fetch_keras_weights("mobile" if default_size == 224 else "large", include_top)


def fetch_keras_weights(size: str, include_top: bool) -> str:
    """Path of Keras's ImageNet weights file (downloaded and md5-checked on first use)."""
    fname, remote, digest = WEIGHTS_FILES[size][0 if include_top else 1]
    return keras_layout.fetch_weights(fname, WEIGHTS_URL + remote, digest)


def NASNetMobile(input_shape=None, include_top: bool = True, weights="imagenet",
                 input_tensor=None, pooling=None, classes: int = 1000,
                 classifier_activation="softmax", name: str = "nasnet_mobile") -> Model:
    """Instantiates NASNetMobile (default input 224x224).

    Args:
        input_shape: Shape without batch; ``(224, 224, 3)`` with the top and ImageNet
            weights, otherwise at least 32x32 (``(224, 224, 3)`` when omitted).
        include_top, weights, input_tensor, pooling, classes, classifier_activation,
        name: As in :func:`torchkeras.applications.ResNet50`.

    Returns:
        A functional ``Model``.

    Example:
        >>> base = NASNetMobile(include_top=False, weights=None, input_shape=(64, 64, 3))
    """
    if not include_top and input_shape is None:
        input_shape = (224, 224, 3)
    return build_nasnet(input_shape, penultimate_filters=1056, num_blocks=4,
                        stem_block_filters=32, skip_reduction=False, filter_multiplier=2,
                        include_top=include_top, weights=weights, input_tensor=input_tensor,
                        pooling=pooling, classes=classes, default_size=224,
                        classifier_activation=classifier_activation, name=name)


def NASNetLarge(input_shape=None, include_top: bool = True, weights="imagenet",
                input_tensor=None, pooling=None, classes: int = 1000,
                classifier_activation="softmax", name: str = "nasnet_large") -> Model:
    """Instantiates NASNetLarge (default input 331x331; arguments as :func:`NASNetMobile`).

    Example:
        >>> base = NASNetLarge(include_top=False, weights=None, input_shape=(64, 64, 3))
    """
    return build_nasnet(input_shape, penultimate_filters=4032, num_blocks=6,
                        stem_block_filters=96, skip_reduction=True, filter_multiplier=2,
                        include_top=include_top, weights=weights, input_tensor=input_tensor,
                        pooling=pooling, classes=classes, default_size=331,
                        classifier_activation=classifier_activation, name=name)


def preprocess_input(x, data_format=None):
    """Keras's NASNet preprocessing: scales pixels from [0, 255] to [-1, 1]."""
    return imagenet_utils.preprocess_input(x, data_format=data_format, mode="tf")


def decode_predictions(preds, top: int = 5):
    """See :func:`torchkeras.applications.imagenet_utils.decode_predictions`."""
    return imagenet_utils.decode_predictions(preds, top=top)
