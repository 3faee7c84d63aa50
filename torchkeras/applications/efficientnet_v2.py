"""EfficientNetV2B0 to B3, S, M and L, built layer by layer as Keras builds them.

Same layer names, weight order and weights as ``keras.applications.EfficientNetV2B0``
and its siblings, so Keras's weight files (``.weights.h5``, and the legacy ImageNet
``.h5`` files fetched by ``weights="imagenet"``) load unchanged. With
``include_preprocessing=True`` (the default) the models take raw pixels in [0, 255]
and normalize inside, so :func:`preprocess_input` does nothing; without it, inputs must
already be in [-1, 1].
"""
from __future__ import annotations

import math

from torchkeras import initializers, layers
from torchkeras.applications import imagenet_utils, keras_layout
from torchkeras.models.model import Model

WEIGHTS_URL = keras_layout.KERAS_APPLICATIONS_URL + "efficientnet_v2/"
# md5 digests of Keras's files: (with the top, without it).
WEIGHTS_HASHES = {
    "b0": ("21ecbf6da12460d5c40bb2f29ceb2188", "893217f2bb855e2983157299931e43ff"),
    "b1": ("069f0534ff22adf035c89e2d9547a9dc", "0e80663031ca32d657f9caa404b6ec37"),
    "b2": ("424e49f28180edbde1e94797771950a7", "1dfe2e7a5d45b6632553a8961ea609eb"),
    "b3": ("1f1fc43bd98a6e4fd8fdfd551e02c7a0", "f6abf7b5849ac99a89b50dd3fd532856"),
    "-s": ("e1d88a8495beba45748fedd0cecbe016", "af0682fb74e8c54910f2d4393339c070"),
    "-m": ("a3bf6aa3276309f4fc6a34aa114c95cd", "1b8dc055df72dde80d614482840fe342"),
    "-l": ("27e6d408b53c7ebc868fefa357689935", "b0b66b5c863aef5b46e8608fe1711615"),
}

# One row per stage: (fused, repeats, in filters, out filters, expand ratio, SE ratio,
# stride); every kernel is 3x3.
_B_STAGES = ((1, 1, 32, 16, 1, 0, 1), (1, 2, 16, 32, 4, 0, 2), (1, 2, 32, 48, 4, 0, 2),
             (0, 3, 48, 96, 4, 0.25, 2), (0, 5, 96, 112, 6, 0.25, 1),
             (0, 8, 112, 192, 6, 0.25, 2))
STAGES = {
    "b": _B_STAGES,
    "s": ((1, 2, 24, 24, 1, 0, 1), (1, 4, 24, 48, 4, 0, 2), (1, 4, 48, 64, 4, 0, 2),
          (0, 6, 64, 128, 4, 0.25, 2), (0, 9, 128, 160, 6, 0.25, 1),
          (0, 15, 160, 256, 6, 0.25, 2)),
    "m": ((1, 3, 24, 24, 1, 0, 1), (1, 5, 24, 48, 4, 0, 2), (1, 5, 48, 80, 4, 0, 2),
          (0, 7, 80, 160, 4, 0.25, 2), (0, 14, 160, 176, 6, 0.25, 1),
          (0, 18, 176, 304, 6, 0.25, 2), (0, 5, 304, 512, 6, 0.25, 1)),
    "l": ((1, 4, 32, 32, 1, 0, 1), (1, 7, 32, 64, 4, 0, 2), (1, 7, 64, 96, 4, 0, 2),
          (0, 10, 96, 192, 4, 0.25, 2), (0, 19, 192, 224, 6, 0.25, 1),
          (0, 25, 224, 384, 6, 0.25, 2), (0, 7, 384, 640, 6, 0.25, 1)),
}
# variant: (width coefficient, depth coefficient, default size, stage table)
VARIANTS = {
    "b0": (1.0, 1.0, 224, "b"), "b1": (1.0, 1.1, 240, "b"), "b2": (1.1, 1.2, 260, "b"),
    "b3": (1.2, 1.4, 300, "b"), "-s": (1.0, 1.0, 384, "s"), "-m": (1.0, 1.0, 480, "m"),
    "-l": (1.0, 1.0, 480, "l"),
}
_BN_MOMENTUM = 0.9
_DROPOUT_RATE = 0.2
_DROP_CONNECT_RATE = 0.2


def _conv_init():
    return initializers.VarianceScaling(scale=2.0, mode="fan_out",
                                        distribution="truncated_normal")


def round_filters(filters: int, width_coefficient: float, divisor: int = 8) -> int:
    """Filters scaled by the width coefficient, rounded to a multiple of ``divisor``."""
    filters *= width_coefficient
    return int(max(divisor, int(filters + divisor / 2) // divisor * divisor))


def _bn(x, axis: int, name: str):
    return layers.BatchNormalization(axis=axis, momentum=_BN_MOMENTUM, name=name)(x)


def _conv(x, filters: int, kernel: int, strides: int, name: str, **kwargs):
    return layers.Conv2D(filters, kernel, strides=strides, padding="same", use_bias=False,
                         kernel_initializer=_conv_init(), name=name, **kwargs)(x)


def _squeeze_excite(x, filters: int, in_filters: int, se_ratio: float, axis: int,
                    name: str):
    se = layers.GlobalAveragePooling2D(name=name + "se_squeeze")(x)
    shape = (filters, 1, 1) if axis == 1 else (1, 1, filters)
    se = layers.Reshape(shape, name=name + "se_reshape")(se)
    se = layers.Conv2D(max(1, int(in_filters * se_ratio)), 1, padding="same",
                       activation="swish", kernel_initializer=_conv_init(),
                       name=name + "se_reduce")(se)
    se = layers.Conv2D(filters, 1, padding="same", activation="sigmoid",
                       kernel_initializer=_conv_init(), name=name + "se_expand")(se)
    return layers.multiply([x, se], name=name + "se_excite")


def mb_conv_block(inputs, fused: bool, in_filters: int, out_filters: int, expand_ratio: int,
                  se_ratio: float, strides: int, drop_rate: float, name: str):
    """Keras's MBConv (depthwise) or fused-MBConv block, named ``name`` + part."""
    axis = keras_layout.positive_channel_axis()
    filters = in_filters * expand_ratio
    x = inputs
    if expand_ratio != 1:
        # The fused block's expansion is the strided 3x3 convolution itself.
        x = _conv(x, filters, 3 if fused else 1, strides if fused else 1,
                  name + "expand_conv")
        x = _bn(x, axis, name + "expand_bn")
        x = layers.Activation("swish", name=name + "expand_activation")(x)
    if not fused:
        x = layers.DepthwiseConv2D(3, strides=strides, padding="same", use_bias=False,
                                   depthwise_initializer=_conv_init(), name=name + "dwconv2")(x)
        x = _bn(x, axis, name + "bn")
        x = layers.Activation("swish", name=name + "activation")(x)
    if 0 < se_ratio <= 1:
        x = _squeeze_excite(x, filters, in_filters, se_ratio, axis, name)
    single = fused and expand_ratio == 1
    x = _conv(x, out_filters, 3 if single else 1, strides if single else 1,
              name + "project_conv")
    x = _bn(x, axis, name + "project_bn")
    if single:
        x = layers.Activation("swish", name=name + "project_activation")(x)
    if strides == 1 and in_filters == out_filters:
        if drop_rate:
            # Keras drops whole samples here with this rate (only in training).
            x = layers.Dropout(drop_rate, noise_shape=(None, 1, 1, 1), name=name + "drop")(x)
        x = layers.add([x, inputs], name=name + "add")
    return x


def build_efficientnet_v2(variant: str, *, include_top: bool, weights, input_tensor,
                          input_shape, pooling, classes: int, classifier_activation,
                          include_preprocessing: bool, name: str) -> Model:
    """Builds one EfficientNetV2 variant (``"b0"``…``"b3"``, ``"-s"``, ``"-m"``, ``"-l"``)."""
    width, depth, default_size, table = VARIANTS[variant]
    keras_layout.check_arguments(include_top=include_top, weights=weights,
                                 input_tensor=input_tensor, pooling=pooling, classes=classes,
                                 check_classes=False)
    img_input, input_shape = keras_layout.image_input(
        include_top=include_top, weights=weights, input_tensor=input_tensor,
        input_shape=input_shape, classifier_activation=classifier_activation,
        default_size=default_size, min_size=32)
    axis = keras_layout.positive_channel_axis()

    x = img_input
    if include_preprocessing:
        # The B variants were trained on torch-style normalized RGB, the others on [-1, 1].
        # (Keras derives the variant, its stage table and its file name from `name`, so a
        # custom name fails there with a KeyError; here the variant decides.)
        if variant.startswith("b") and input_shape[axis - 1] == 3:
            x = layers.Rescaling(scale=1.0 / 255)(x)
            x = layers.Normalization(mean=[0.485, 0.456, 0.406],
                                     variance=[0.229 ** 2, 0.224 ** 2, 0.225 ** 2],
                                     axis=axis)(x)
        else:
            x = layers.Rescaling(scale=1.0 / 128.0, offset=-1)(x)

    stages = STAGES[table]
    x = _conv(x, round_filters(stages[0][2], width), 3, 2, "stem_conv")
    x = _bn(x, axis, "stem_bn")
    x = layers.Activation("swish", name="stem_activation")(x)
    total = float(sum(row[1] for row in stages))
    b = 0
    for i, (fused, repeats, in_f, out_f, expand, se_ratio, strides) in enumerate(stages):
        in_f, out_f = round_filters(in_f, width), round_filters(out_f, width)
        for j in range(int(math.ceil(depth * repeats))):
            x = mb_conv_block(x, bool(fused), in_f if j == 0 else out_f, out_f, expand,
                              se_ratio, strides if j == 0 else 1,
                              _DROP_CONNECT_RATE * b / total,
                              "block%d%s_" % (i + 1, chr(j + 97)))
            b += 1
    x = _conv(x, round_filters(1280, width), 1, 1, "top_conv")
    x = _bn(x, axis, "top_bn")
    x = layers.Activation("swish", name="top_activation")(x)

    if include_top:
        x = layers.GlobalAveragePooling2D(name="avg_pool")(x)
        x = layers.Dropout(_DROPOUT_RATE, name="top_dropout")(x)
        x = layers.Dense(classes, activation=classifier_activation,
                         kernel_initializer=initializers.VarianceScaling(
                             scale=1.0 / 3.0, mode="fan_out", distribution="uniform"),
                         bias_initializer="zeros", name="predictions")(x)
    else:
        x = keras_layout.add_pooling(x, pooling, named=True)
    return keras_layout.finish_model(img_input, input_tensor, x, name=name, weights=weights,
                                     fetch=lambda: fetch_keras_weights(variant, include_top))


def fetch_keras_weights(variant: str, include_top: bool) -> str:
    """Path of Keras's ImageNet weights file (downloaded and md5-checked on first use)."""
    # Keras names the file after the model's default name ("efficientnetv2-b0").
    stem = "efficientnetv2" + (variant if variant.startswith("-") else "-" + variant)
    return keras_layout.fetch_top_or_notop((stem + ".h5", stem + "_notop.h5"),
                                           WEIGHTS_HASHES[variant], WEIGHTS_URL, include_top)


def _factory(variant: str, public: str):
    width, depth, size, _ = VARIANTS[variant]
    default_name = "efficientnetv2" + (variant if variant.startswith("-") else "-" + variant)

    def factory(include_top: bool = True, weights="imagenet", input_tensor=None,
                input_shape=None, pooling=None, classes: int = 1000,
                classifier_activation="softmax", include_preprocessing: bool = True,
                name: str = default_name) -> Model:
        return build_efficientnet_v2(
            variant, include_top=include_top, weights=weights, input_tensor=input_tensor,
            input_shape=input_shape, pooling=pooling, classes=classes,
            classifier_activation=classifier_activation,
            include_preprocessing=include_preprocessing, name=name)

    factory.__name__ = factory.__qualname__ = public
    factory.__doc__ = (
        "Instantiates %s (Keras's architecture, layer names and weights; default input\n"
        "%dx%d).\n\n"
        "Args:\n"
        "    include_top, weights, input_tensor, input_shape, pooling, classes,\n"
        "    classifier_activation, name: As in :func:`torchkeras.applications.ResNet50`.\n"
        "    include_preprocessing: Inputs are raw [0, 255] pixels, normalized inside\n"
        "        (otherwise they must already be in [-1, 1]).\n\n"
        "Returns:\n    A functional ``Model``.\n\n"
        "Example:\n    >>> base = %s(include_top=False, weights=None,\n"
        "    ...                 input_shape=(64, 64, 3))\n" % (public, size, size, public))
    return factory


EfficientNetV2B0 = _factory("b0", "EfficientNetV2B0")
EfficientNetV2B1 = _factory("b1", "EfficientNetV2B1")
EfficientNetV2B2 = _factory("b2", "EfficientNetV2B2")
EfficientNetV2B3 = _factory("b3", "EfficientNetV2B3")
EfficientNetV2S = _factory("-s", "EfficientNetV2S")
EfficientNetV2M = _factory("-m", "EfficientNetV2M")
EfficientNetV2L = _factory("-l", "EfficientNetV2L")


def preprocess_input(x, data_format=None):
    """Does nothing: EfficientNetV2 models normalize inside (as in Keras)."""
    return x


def decode_predictions(preds, top: int = 5):
    """See :func:`torchkeras.applications.imagenet_utils.decode_predictions`."""
    return imagenet_utils.decode_predictions(preds, top=top)
