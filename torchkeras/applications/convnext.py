"""ConvNeXtTiny, Small, Base and Large (torchvision's architectures and weights).

As in Keras, with ``include_preprocessing=True`` (the default) the models take raw
pixels in [0, 255] and normalize inside; :func:`preprocess_input` does nothing. Without
it, inputs must already be normalized with the ImageNet mean and std. Stochastic depth
is off, as in Keras's defaults.
"""
from __future__ import annotations

from torchkeras import layers
from torchkeras.applications import imagenet_utils
from torchkeras.applications.builder import Spec, build_application, dense_target


def _head(x, backbone, classes, activation, name):
    x = layers.GlobalAveragePooling2D(name=name + "_head_gap")(x)
    norm = layers.LayerNormalization(epsilon=1e-6, name=name + "_head_layernorm")
    dense = layers.Dense(classes, activation=activation, name=name + "_head_dense")
    x = dense(norm(x))
    return x, dense_target("classifier.0", norm) + dense_target("classifier.2", dense)


def _after_pooling(x, backbone, name):
    # Keras normalizes the features even without the top.
    norm = layers.LayerNormalization(epsilon=1e-6)
    return norm(x), dense_target("classifier.0", norm)


def _convnext(size, include_top, include_preprocessing, weights, input_tensor, input_shape,
              pooling, classes, classifier_activation, name):
    spec = Spec(arch="convnext_%s" % size, weights_enum="ConvNeXt_%s_Weights" % size.title(),
                input_mode="raw" if include_preprocessing else None, default_size=224,
                head=_head, options={"stochastic_depth_prob": 0.0},
                after_pooling=_after_pooling)
    return build_application(spec, include_top=include_top, weights=weights,
                             input_tensor=input_tensor, input_shape=input_shape,
                             pooling=pooling, classes=classes,
                             classifier_activation=classifier_activation, name=name)


def ConvNeXtTiny(include_top: bool = True, include_preprocessing: bool = True,
                 weights="imagenet", input_tensor=None, input_shape=None, pooling=None,
                 classes: int = 1000, classifier_activation="softmax",
                 name: str = "convnext_tiny"):
    """Instantiates ConvNeXtTiny.

    Args:
        include_preprocessing: Inputs are raw [0, 255] pixels, normalized inside.
        include_top, weights, input_tensor, input_shape, pooling, classes,
        classifier_activation, name: As in :func:`torchkeras.applications.ResNet50`.

    Example:
        >>> base = ConvNeXtTiny(include_top=False, weights=None, input_shape=(64, 64, 3))
    """
    return _convnext("tiny", include_top, include_preprocessing, weights, input_tensor,
                     input_shape, pooling, classes, classifier_activation, name)


def ConvNeXtSmall(include_top: bool = True, include_preprocessing: bool = True,
                  weights="imagenet", input_tensor=None, input_shape=None, pooling=None,
                  classes: int = 1000, classifier_activation="softmax",
                  name: str = "convnext_small"):
    """Instantiates ConvNeXtSmall (arguments as :func:`ConvNeXtTiny`)."""
    return _convnext("small", include_top, include_preprocessing, weights, input_tensor,
                     input_shape, pooling, classes, classifier_activation, name)


def ConvNeXtBase(include_top: bool = True, include_preprocessing: bool = True,
                 weights="imagenet", input_tensor=None, input_shape=None, pooling=None,
                 classes: int = 1000, classifier_activation="softmax",
                 name: str = "convnext_base"):
    """Instantiates ConvNeXtBase (arguments as :func:`ConvNeXtTiny`)."""
    return _convnext("base", include_top, include_preprocessing, weights, input_tensor,
                     input_shape, pooling, classes, classifier_activation, name)


def ConvNeXtLarge(include_top: bool = True, include_preprocessing: bool = True,
                  weights="imagenet", input_tensor=None, input_shape=None, pooling=None,
                  classes: int = 1000, classifier_activation="softmax",
                  name: str = "convnext_large"):
    """Instantiates ConvNeXtLarge (arguments as :func:`ConvNeXtTiny`)."""
    return _convnext("large", include_top, include_preprocessing, weights, input_tensor,
                     input_shape, pooling, classes, classifier_activation, name)


def preprocess_input(x, data_format=None):
    """Does nothing: ConvNeXt models normalize inside (as in Keras)."""
    return x


def decode_predictions(preds, top: int = 5):
    """See :func:`torchkeras.applications.imagenet_utils.decode_predictions`."""
    return imagenet_utils.decode_predictions(preds, top=top)
