"""VGG16 and VGG19 (torchvision's architectures and weights, Keras's head).

Inputs follow Keras's VGG convention ("caffe" mode). The head is Keras's
``Flatten -> fc1 -> fc2 -> predictions`` (no dropout); torchvision's first classifier
matrix is reordered from its CHW flatten order to Keras's HWC order when loaded.
"""
from __future__ import annotations

from torchkeras import config, layers
from torchkeras.applications import imagenet_utils
from torchkeras.applications.builder import Spec, build_application, dense_target


def _chw_to_hwc(channels: int):
    def transform(weight):
        units, features = weight.shape
        side = int(round((features // channels) ** 0.5))
        return (weight.reshape(units, channels, side, side).permute(0, 2, 3, 1)
                .reshape(units, features))
    return transform


def _head(x, backbone, classes, activation, name):
    x = layers.Flatten(name="flatten")(x)
    fc1 = layers.Dense(4096, activation="relu", name="fc1")
    fc2 = layers.Dense(4096, activation="relu", name="fc2")
    out = layers.Dense(classes, activation=activation, name="predictions")
    x = out(fc2(fc1(x)))
    transform = _chw_to_hwc(512) if config.image_data_format() == "channels_last" else None
    return x, (dense_target("classifier.0", fc1, transform) + dense_target("classifier.3", fc2)
               + dense_target("classifier.6", out))


def _spec(depth: int) -> Spec:
    return Spec(arch="vgg%d" % depth, weights_enum="VGG%d_Weights" % depth,
                input_mode="caffe", default_size=224, head=_head)


def VGG16(include_top: bool = True, weights="imagenet", input_tensor=None, input_shape=None,
          pooling=None, classes: int = 1000, classifier_activation="softmax",
          name: str = "vgg16"):
    """Instantiates VGG16 (arguments as :func:`torchkeras.applications.ResNet50`).

    Example:
        >>> base = VGG16(include_top=False, weights=None, input_shape=(32, 32, 3))
    """
    return build_application(_spec(16), include_top=include_top, weights=weights,
                             input_tensor=input_tensor, input_shape=input_shape,
                             pooling=pooling, classes=classes,
                             classifier_activation=classifier_activation, name=name)


def VGG19(include_top: bool = True, weights="imagenet", input_tensor=None, input_shape=None,
          pooling=None, classes: int = 1000, classifier_activation="softmax",
          name: str = "vgg19"):
    """Instantiates VGG19 (arguments as :func:`torchkeras.applications.ResNet50`)."""
    return build_application(_spec(19), include_top=include_top, weights=weights,
                             input_tensor=input_tensor, input_shape=input_shape,
                             pooling=pooling, classes=classes,
                             classifier_activation=classifier_activation, name=name)


def preprocess_input(x, data_format=None):
    """Keras's VGG preprocessing ("caffe" mode)."""
    return imagenet_utils.preprocess_input(x, data_format=data_format, mode="caffe")


def decode_predictions(preds, top: int = 5):
    """See :func:`torchkeras.applications.imagenet_utils.decode_predictions`."""
    return imagenet_utils.decode_predictions(preds, top=top)
