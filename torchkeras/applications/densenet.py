"""DenseNet121, DenseNet169 and DenseNet201 (torchvision's architectures and weights).

Inputs follow Keras's DenseNet convention ("torch" mode of :func:`preprocess_input`),
which is also torchvision's, so no input adapter is needed.
"""
from __future__ import annotations

from torchkeras import layers
from torchkeras.applications import imagenet_utils
from torchkeras.applications.builder import Spec, build_application, dense_target
from torchkeras.applications.weights import rename_densenet_keys


def _head(x, backbone, classes, activation, name):
    x = layers.GlobalAveragePooling2D(name="avg_pool")(x)
    dense = layers.Dense(classes, activation=activation, name="predictions")
    return dense(x), dense_target("classifier", dense)


def _densenet(depth, include_top, weights, input_tensor, input_shape, pooling, classes,
              classifier_activation, name):
    spec = Spec(arch="densenet%d" % depth, weights_enum="DenseNet%d_Weights" % depth,
                input_mode=None, default_size=224, head=_head,
                pool_names=("avg_pool", "max_pool"), rename_state=rename_densenet_keys)
    return build_application(spec, include_top=include_top, weights=weights,
                             input_tensor=input_tensor, input_shape=input_shape,
                             pooling=pooling, classes=classes,
                             classifier_activation=classifier_activation, name=name)


def DenseNet121(include_top: bool = True, weights="imagenet", input_tensor=None,
                input_shape=None, pooling=None, classes: int = 1000,
                classifier_activation="softmax", name: str = "densenet121"):
    """Instantiates DenseNet121 (arguments as :func:`torchkeras.applications.ResNet50`).

    Example:
        >>> base = DenseNet121(include_top=False, weights=None, input_shape=(32, 32, 3))
    """
    return _densenet(121, include_top, weights, input_tensor, input_shape, pooling, classes,
                     classifier_activation, name)


def DenseNet169(include_top: bool = True, weights="imagenet", input_tensor=None,
                input_shape=None, pooling=None, classes: int = 1000,
                classifier_activation="softmax", name: str = "densenet169"):
    """Instantiates DenseNet169 (arguments as :func:`torchkeras.applications.ResNet50`)."""
    return _densenet(169, include_top, weights, input_tensor, input_shape, pooling, classes,
                     classifier_activation, name)


def DenseNet201(include_top: bool = True, weights="imagenet", input_tensor=None,
                input_shape=None, pooling=None, classes: int = 1000,
                classifier_activation="softmax", name: str = "densenet201"):
    """Instantiates DenseNet201 (arguments as :func:`torchkeras.applications.ResNet50`)."""
    return _densenet(201, include_top, weights, input_tensor, input_shape, pooling, classes,
                     classifier_activation, name)


def preprocess_input(x, data_format=None):
    """Keras's DenseNet preprocessing ("torch" mode: [0, 1], then ImageNet mean/std)."""
    return imagenet_utils.preprocess_input(x, data_format=data_format, mode="torch")


def decode_predictions(preds, top: int = 5):
    """See :func:`torchkeras.applications.imagenet_utils.decode_predictions`."""
    return imagenet_utils.decode_predictions(preds, top=top)
