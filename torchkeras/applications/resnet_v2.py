"""ResNet50V2, ResNet101V2 and ResNet152V2 (pre-activation), built as Keras builds them.

Layer names, weight order and weights match ``keras.applications.ResNet50V2``, so
Keras's weight files load unchanged. Inputs are scaled to [-1, 1] by
:func:`preprocess_input` ("tf" mode).
"""
from __future__ import annotations

from torchkeras import layers
from torchkeras.applications import imagenet_utils
from torchkeras.applications.resnet import bn_axis, build_resnet
from torchkeras.models.model import Model

_EPS = 1.001e-5


def bottleneck_v2(x, filters: int, stride: int = 1, conv_shortcut: bool = False,
                  name: str = ""):
    """Keras's pre-activation bottleneck block; the stride sits on the 3x3 convolution."""
    axis = bn_axis()
    preact = layers.BatchNormalization(axis=axis, epsilon=_EPS, name=name + "_preact_bn")(x)
    preact = layers.Activation("relu", name=name + "_preact_relu")(preact)
    if conv_shortcut:
        shortcut = layers.Conv2D(4 * filters, 1, strides=stride, name=name + "_0_conv")(preact)
    else:
        shortcut = layers.MaxPooling2D(1, strides=stride)(x) if stride > 1 else x
    x = layers.Conv2D(filters, 1, strides=1, use_bias=False, name=name + "_1_conv")(preact)
    x = layers.BatchNormalization(axis=axis, epsilon=_EPS, name=name + "_1_bn")(x)
    x = layers.Activation("relu", name=name + "_1_relu")(x)
    x = layers.ZeroPadding2D(padding=((1, 1), (1, 1)), name=name + "_2_pad")(x)
    x = layers.Conv2D(filters, 3, strides=stride, use_bias=False, name=name + "_2_conv")(x)
    x = layers.BatchNormalization(axis=axis, epsilon=_EPS, name=name + "_2_bn")(x)
    x = layers.Activation("relu", name=name + "_2_relu")(x)
    x = layers.Conv2D(4 * filters, 1, name=name + "_3_conv")(x)
    return layers.Add(name=name + "_out")([shortcut, x])


def stack_v2(x, filters: int, blocks: int, stride1: int = 2, name: str = ""):
    x = bottleneck_v2(x, filters, conv_shortcut=True, name=name + "_block1")
    for i in range(2, blocks):
        x = bottleneck_v2(x, filters, name="%s_block%d" % (name, i))
    return bottleneck_v2(x, filters, stride=stride1, name="%s_block%d" % (name, blocks))


def _v2(blocks: tuple, weights_name: str, **kwargs) -> Model:
    def stack_fn(x):
        x = stack_v2(x, 64, blocks[0], name="conv2")
        x = stack_v2(x, 128, blocks[1], name="conv3")
        x = stack_v2(x, 256, blocks[2], name="conv4")
        return stack_v2(x, 512, blocks[3], stride1=1, name="conv5")
    return build_resnet(stack_fn, True, True, weights_name, **kwargs)


def ResNet50V2(include_top: bool = True, weights="imagenet", input_tensor=None,
               input_shape=None, pooling=None, classes: int = 1000,
               classifier_activation="softmax", name: str = "resnet50v2") -> Model:
    """Instantiates ResNet50V2 (arguments as :func:`torchkeras.applications.ResNet50`).

    Example:
        >>> ResNet50V2(include_top=False, weights=None, input_shape=(32, 32, 3)).count_params()
        23564800
    """
    return _v2((3, 4, 6, 3), "resnet50v2", include_top=include_top, weights=weights,
               input_tensor=input_tensor, input_shape=input_shape, pooling=pooling,
               classes=classes, classifier_activation=classifier_activation, name=name)


def ResNet101V2(include_top: bool = True, weights="imagenet", input_tensor=None,
                input_shape=None, pooling=None, classes: int = 1000,
                classifier_activation="softmax", name: str = "resnet101v2") -> Model:
    """Instantiates ResNet101V2 (arguments as :func:`torchkeras.applications.ResNet50`)."""
    return _v2((3, 4, 23, 3), "resnet101v2", include_top=include_top, weights=weights,
               input_tensor=input_tensor, input_shape=input_shape, pooling=pooling,
               classes=classes, classifier_activation=classifier_activation, name=name)


def ResNet152V2(include_top: bool = True, weights="imagenet", input_tensor=None,
                input_shape=None, pooling=None, classes: int = 1000,
                classifier_activation="softmax", name: str = "resnet152v2") -> Model:
    """Instantiates ResNet152V2 (arguments as :func:`torchkeras.applications.ResNet50`)."""
    return _v2((3, 8, 36, 3), "resnet152v2", include_top=include_top, weights=weights,
               input_tensor=input_tensor, input_shape=input_shape, pooling=pooling,
               classes=classes, classifier_activation=classifier_activation, name=name)


def preprocess_input(x, data_format=None):
    """Keras's ResNetV2 preprocessing: pixels scaled to [-1, 1]."""
    return imagenet_utils.preprocess_input(x, data_format=data_format, mode="tf")


def decode_predictions(preds, top: int = 5):
    """See :func:`torchkeras.applications.imagenet_utils.decode_predictions`."""
    return imagenet_utils.decode_predictions(preds, top=top)
