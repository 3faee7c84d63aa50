"""ResNet50, ResNet101 and ResNet152, built layer by layer as Keras builds them.

Same layer names, weight order and weights (convolutions carry biases) as
``keras.applications.ResNet50``, so Keras's weight files (``.weights.h5``, and the
legacy ImageNet ``.h5`` files fetched by ``weights="imagenet"``) load unchanged. Inputs
follow Keras's ResNet convention: images preprocessed by :func:`preprocess_input`
("caffe" mode: BGR, ImageNet mean subtracted).
"""
from __future__ import annotations

from typing import Callable

from torchkeras import layers
from torchkeras.applications import imagenet_utils, keras_layout
from torchkeras.models.model import Model

WEIGHTS_URL = keras_layout.KERAS_APPLICATIONS_URL + "resnet/"
# md5 digests of Keras's files: (with the top, without it).
WEIGHTS_HASHES = {
    "resnet50": ("2cb95161c43110f7111970584f804107", "4d473c1dd8becc155b73f8504c6f6626"),
    "resnet101": ("f1aeb4b969a6efcfb50fad2f0c20cfc5", "88cf7a10940856eca736dc7b7e228a21"),
    "resnet152": ("100835be76be38e30d865e96f2aaae62", "ee4c566cf9a93f14d82f913c2dc6dd0c"),
    "resnet50v2": ("3ef43a0b657b3be2300d5770ece849e0", "fac2f116257151a9d068a22e544a4917"),
    "resnet101v2": ("6343647c601c52e1368623803854d971", "c0ed64b8031c3730f411d2eb4eea35b5"),
    "resnet152v2": ("a49b44d1979771252814e80f8ec446f9", "ed17cf2e0169df9d443503ef94b23b33"),
}
_EPS = 1.001e-5


# The channel axis as Keras's ResNets write it (3 or 1: it shows in the configs).
bn_axis = keras_layout.positive_channel_axis


def bottleneck_v1(x, filters: int, stride: int = 1, conv_shortcut: bool = True,
                  name: str = ""):
    """Keras's post-activation bottleneck block (1x1, 3x3, 1x1 convolutions, 4x wide)."""
    axis = bn_axis()
    if conv_shortcut:
        shortcut = layers.Conv2D(4 * filters, 1, strides=stride, name=name + "_0_conv")(x)
        shortcut = layers.BatchNormalization(axis=axis, epsilon=_EPS, name=name + "_0_bn")(
            shortcut)
    else:
        shortcut = x
    x = layers.Conv2D(filters, 1, strides=stride, name=name + "_1_conv")(x)
    x = layers.BatchNormalization(axis=axis, epsilon=_EPS, name=name + "_1_bn")(x)
    x = layers.Activation("relu", name=name + "_1_relu")(x)
    x = layers.Conv2D(filters, 3, padding="same", name=name + "_2_conv")(x)
    x = layers.BatchNormalization(axis=axis, epsilon=_EPS, name=name + "_2_bn")(x)
    x = layers.Activation("relu", name=name + "_2_relu")(x)
    x = layers.Conv2D(4 * filters, 1, name=name + "_3_conv")(x)
    x = layers.BatchNormalization(axis=axis, epsilon=_EPS, name=name + "_3_bn")(x)
    x = layers.Add(name=name + "_add")([shortcut, x])
    return layers.Activation("relu", name=name + "_out")(x)


def stack_v1(x, filters: int, blocks: int, stride1: int = 2, name: str = ""):
    x = bottleneck_v1(x, filters, stride=stride1, name=name + "_block1")
    for i in range(2, blocks + 1):
        x = bottleneck_v1(x, filters, conv_shortcut=False, name="%s_block%d" % (name, i))
    return x


def build_resnet(stack_fn: Callable, preact: bool, use_bias: bool, weights_name: str, *,
                 include_top: bool, weights, input_tensor, input_shape, pooling,
                 classes: int, classifier_activation, name: str) -> Model:
    """Stem, ``stack_fn`` stages and top of every Keras ResNet (V1 and V2)."""
    img_input = keras_layout.start_model(
        include_top=include_top, weights=weights, input_tensor=input_tensor,
        input_shape=input_shape, pooling=pooling, classes=classes,
        classifier_activation=classifier_activation, default_size=224, min_size=32,
        check_classes=False)
    axis = bn_axis()

    x = layers.ZeroPadding2D(padding=((3, 3), (3, 3)), name="conv1_pad")(img_input)
    x = layers.Conv2D(64, 7, strides=2, use_bias=use_bias, name="conv1_conv")(x)
    if not preact:
        x = layers.BatchNormalization(axis=axis, epsilon=_EPS, name="conv1_bn")(x)
        x = layers.Activation("relu", name="conv1_relu")(x)
    x = layers.ZeroPadding2D(padding=((1, 1), (1, 1)), name="pool1_pad")(x)
    x = layers.MaxPooling2D(3, strides=2, name="pool1_pool")(x)
    x = stack_fn(x)
    if preact:
        x = layers.BatchNormalization(axis=axis, epsilon=_EPS, name="post_bn")(x)
        x = layers.Activation("relu", name="post_relu")(x)

    x = keras_layout.add_top(x, include_top=include_top, pooling=pooling, classes=classes,
                             classifier_activation=classifier_activation, named_pooling=True)
    return keras_layout.finish_model(img_input, input_tensor, x, name=name, weights=weights,
                                     fetch=lambda: fetch_keras_weights(weights_name,
                                                                       include_top))


def fetch_keras_weights(weights_name: str, include_top: bool) -> str:
    """Path of Keras's ImageNet weights file (downloaded and md5-checked on first use)."""
    stem = weights_name + "_weights_tf_dim_ordering_tf_kernels"
    return keras_layout.fetch_top_or_notop((stem + ".h5", stem + "_notop.h5"),
                                           WEIGHTS_HASHES[weights_name], WEIGHTS_URL,
                                           include_top)


def _v1(blocks: tuple, weights_name: str, **kwargs) -> Model:
    def stack_fn(x):
        x = stack_v1(x, 64, blocks[0], stride1=1, name="conv2")
        x = stack_v1(x, 128, blocks[1], name="conv3")
        x = stack_v1(x, 256, blocks[2], name="conv4")
        return stack_v1(x, 512, blocks[3], name="conv5")
    return build_resnet(stack_fn, False, True, weights_name, **kwargs)


def ResNet50(include_top: bool = True, weights="imagenet", input_tensor=None, input_shape=None,
             pooling=None, classes: int = 1000, classifier_activation="softmax",
             name: str = "resnet50") -> Model:
    """Instantiates ResNet50 (Keras's architecture, layer names and weights).

    Args:
        include_top: Whether to include the classifier (``avg_pool`` + ``predictions``).
        weights: ``None``, ``"imagenet"`` (Keras's ImageNet file) or the path of a weights
            file (``.weights.h5``, a legacy Keras ``.h5`` or a ``save_weights`` file).
        input_tensor: Optional symbolic tensor to use as the image input.
        input_shape: Shape without batch; only with ``include_top=False``, at least
            32x32 (``(224, 224, 3)`` with the top).
        pooling: ``None`` (4D features), ``"avg"`` or ``"max"`` when there is no top.
        classes: Number of classes (1000 with ImageNet weights and the top).
        classifier_activation: Activation of the ``predictions`` layer.
        name: Model name.

    Returns:
        A functional ``Model``.

    Example:
        >>> base = ResNet50(include_top=False, weights=None, input_shape=(32, 32, 3))
        >>> base.count_params()
        23587712
    """
    return _v1((3, 4, 6, 3), "resnet50", include_top=include_top, weights=weights,
               input_tensor=input_tensor, input_shape=input_shape, pooling=pooling,
               classes=classes, classifier_activation=classifier_activation, name=name)


def ResNet101(include_top: bool = True, weights="imagenet", input_tensor=None,
              input_shape=None, pooling=None, classes: int = 1000,
              classifier_activation="softmax", name: str = "resnet101") -> Model:
    """Instantiates ResNet101 (arguments as :func:`ResNet50`)."""
    return _v1((3, 4, 23, 3), "resnet101", include_top=include_top, weights=weights,
               input_tensor=input_tensor, input_shape=input_shape, pooling=pooling,
               classes=classes, classifier_activation=classifier_activation, name=name)


def ResNet152(include_top: bool = True, weights="imagenet", input_tensor=None,
              input_shape=None, pooling=None, classes: int = 1000,
              classifier_activation="softmax", name: str = "resnet152") -> Model:
    """Instantiates ResNet152 (arguments as :func:`ResNet50`)."""
    return _v1((3, 8, 36, 3), "resnet152", include_top=include_top, weights=weights,
               input_tensor=input_tensor, input_shape=input_shape, pooling=pooling,
               classes=classes, classifier_activation=classifier_activation, name=name)


def preprocess_input(x, data_format=None):
    """Keras's ResNet preprocessing: RGB to BGR, minus the ImageNet mean (0-255 scale)."""
    return imagenet_utils.preprocess_input(x, data_format=data_format, mode="caffe")


def decode_predictions(preds, top: int = 5):
    """See :func:`torchkeras.applications.imagenet_utils.decode_predictions`."""
    return imagenet_utils.decode_predictions(preds, top=top)
