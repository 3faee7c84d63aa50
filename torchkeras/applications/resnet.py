"""ResNet50, ResNet101 and ResNet152 (torchvision's architectures and weights).

Inputs follow Keras's ResNet convention: images preprocessed by
:func:`preprocess_input` ("caffe" mode: BGR, ImageNet mean subtracted).
"""
from __future__ import annotations

from torchkeras import layers
from torchkeras.applications import imagenet_utils
from torchkeras.applications.builder import Spec, build_application, dense_target


def _head(x, backbone, classes, activation, name):
    x = layers.GlobalAveragePooling2D(name="avg_pool")(x)
    dense = layers.Dense(classes, activation=activation, name="predictions")
    x = dense(x)
    return x, dense_target("fc", dense)


def _spec(depth: int) -> Spec:
    return Spec(arch="resnet%d" % depth, weights_enum="ResNet%d_Weights" % depth,
                input_mode="caffe", default_size=224, head=_head,
                pool_names=("avg_pool", "max_pool"))


def _resnet(depth, include_top, weights, input_tensor, input_shape, pooling, classes,
            classifier_activation, name):
    return build_application(_spec(depth), include_top=include_top, weights=weights,
                             input_tensor=input_tensor, input_shape=input_shape,
                             pooling=pooling, classes=classes,
                             classifier_activation=classifier_activation, name=name)


def ResNet50(include_top: bool = True, weights="imagenet", input_tensor=None, input_shape=None,
             pooling=None, classes: int = 1000, classifier_activation="softmax",
             name: str = "resnet50"):
    """Instantiates ResNet50.

    Args:
        include_top: Whether to include the classifier (``avg_pool`` + ``predictions``).
        weights: ``None``, ``"imagenet"`` (torchvision's weights) or the path of a weights
            file (a torchvision state dict, or a ``save_weights`` file).
        input_tensor: Optional symbolic tensor to use as the image input.
        input_shape: Shape without batch; only with ``include_top=False``, at least
            32x32 (``(224, 224, 3)`` with the top).
        pooling: ``None`` (4D features), ``"avg"`` or ``"max"`` when there is no top.
        classes: Number of classes (1000 with ImageNet weights and the top).
        classifier_activation: Activation of the ``predictions`` layer.
        name: Model name.

    Returns:
        A functional ``Model`` taking NHWC images (``channels_last``).

    Example:
        >>> base = ResNet50(include_top=False, weights=None, input_shape=(32, 32, 3))
        >>> base.output_shape
        (None, 1, 1, 2048)
    """
    return _resnet(50, include_top, weights, input_tensor, input_shape, pooling, classes,
                   classifier_activation, name)


def ResNet101(include_top: bool = True, weights="imagenet", input_tensor=None,
              input_shape=None, pooling=None, classes: int = 1000,
              classifier_activation="softmax", name: str = "resnet101"):
    """Instantiates ResNet101 (arguments as :func:`ResNet50`)."""
    return _resnet(101, include_top, weights, input_tensor, input_shape, pooling, classes,
                   classifier_activation, name)


def ResNet152(include_top: bool = True, weights="imagenet", input_tensor=None,
              input_shape=None, pooling=None, classes: int = 1000,
              classifier_activation="softmax", name: str = "resnet152"):
    """Instantiates ResNet152 (arguments as :func:`ResNet50`)."""
    return _resnet(152, include_top, weights, input_tensor, input_shape, pooling, classes,
                   classifier_activation, name)


def preprocess_input(x, data_format=None):
    """Keras's ResNet preprocessing: RGB to BGR, minus the ImageNet mean (0-255 scale)."""
    return imagenet_utils.preprocess_input(x, data_format=data_format, mode="caffe")


def decode_predictions(preds, top: int = 5):
    """See :func:`torchkeras.applications.imagenet_utils.decode_predictions`."""
    return imagenet_utils.decode_predictions(preds, top=top)
