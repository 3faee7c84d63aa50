"""MobileNetV3Small and MobileNetV3Large (torchvision's architectures and weights).

As in Keras, the models take raw pixels in [0, 255] (``include_preprocessing=True``) or
pixels already scaled to [-1, 1] (``include_preprocessing=False``);
:func:`preprocess_input` does nothing.
"""
from __future__ import annotations

from torchkeras import layers
from torchkeras.applications import imagenet_utils
from torchkeras.applications.builder import Spec, build_application, dense_target


def _make_head(dropout_rate: float):
    def head(x, backbone, classes, activation, name):
        last_point = backbone.head_sizes[0][1]
        x = layers.GlobalAveragePooling2D()(x)
        conv_2 = layers.Dense(last_point, activation="hard_swish", name="conv_2")
        x = conv_2(x)
        if dropout_rate > 0:
            x = layers.Dropout(dropout_rate)(x)
        logits = layers.Dense(classes, name="logits")
        x = logits(x)
        x = layers.Activation(activation, name="predictions")(x)
        return x, dense_target("classifier.0", conv_2) + dense_target("classifier.3", logits)
    return head


def _mobilenet_v3(size, input_shape, alpha, minimalistic, include_top, weights, input_tensor,
                  classes, pooling, dropout_rate, classifier_activation, include_preprocessing,
                  name):
    if minimalistic:
        raise ValueError("minimalistic=True is not available: torchvision has no "
                         "minimalistic MobileNetV3 (no squeeze-excite, ReLU, 3x3 kernels).")
    if weights == "imagenet" and alpha != 1.0:
        raise ValueError("torchvision publishes ImageNet weights for MobileNetV3 with "
                         "alpha=1.0 only; Received `alpha=%s`" % (alpha,))
    spec = Spec(arch="mobilenet_v3_%s" % size,
                weights_enum="MobileNet_V3_%s_Weights" % size.capitalize(),
                input_mode="raw" if include_preprocessing else "tf", default_size=224,
                head=_make_head(dropout_rate), pool_names=("avg_pool", "max_pool"),
                options={} if alpha == 1.0 else {"width_mult": float(alpha)})
    return build_application(spec, include_top=include_top, weights=weights,
                             input_tensor=input_tensor, input_shape=input_shape,
                             pooling=pooling, classes=classes,
                             classifier_activation=classifier_activation, name=name)


def MobileNetV3Small(input_shape=None, alpha: float = 1.0, minimalistic: bool = False,
                     include_top: bool = True, weights="imagenet", input_tensor=None,
                     classes: int = 1000, pooling=None, dropout_rate: float = 0.2,
                     classifier_activation="softmax", include_preprocessing: bool = True,
                     name: str = "MobileNetV3Small"):
    """Instantiates MobileNetV3Small.

    Args:
        input_shape: Shape without batch (at least 32x32); 224x224 by default.
        alpha: Width multiplier (ImageNet weights exist for 1.0 only).
        minimalistic: Not available with torchvision's architecture (ValueError).
        dropout_rate: Dropout before the last layer of the top.
        include_preprocessing: Inputs are raw [0, 255] pixels (True) or in [-1, 1].
        include_top, weights, input_tensor, classes, pooling, classifier_activation, name:
            As in :func:`torchkeras.applications.ResNet50`.

    Example:
        >>> model = MobileNetV3Small(input_shape=(64, 64, 3), weights=None, classes=10)
    """
    return _mobilenet_v3("small", input_shape, alpha, minimalistic, include_top, weights,
                         input_tensor, classes, pooling, dropout_rate, classifier_activation,
                         include_preprocessing, name)


def MobileNetV3Large(input_shape=None, alpha: float = 1.0, minimalistic: bool = False,
                     include_top: bool = True, weights="imagenet", input_tensor=None,
                     classes: int = 1000, pooling=None, dropout_rate: float = 0.2,
                     classifier_activation="softmax", include_preprocessing: bool = True,
                     name: str = "MobileNetV3Large"):
    """Instantiates MobileNetV3Large (arguments as :func:`MobileNetV3Small`)."""
    return _mobilenet_v3("large", input_shape, alpha, minimalistic, include_top, weights,
                         input_tensor, classes, pooling, dropout_rate, classifier_activation,
                         include_preprocessing, name)


def preprocess_input(x, data_format=None):
    """Does nothing: MobileNetV3 models preprocess inside (as in Keras)."""
    return x


def decode_predictions(preds, top: int = 5):
    """See :func:`torchkeras.applications.imagenet_utils.decode_predictions`."""
    return imagenet_utils.decode_predictions(preds, top=top)
