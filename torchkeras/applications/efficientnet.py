"""EfficientNetB0 to B7 (torchvision's architectures and weights).

As in Keras, the models take raw pixels in [0, 255] and normalize inside;
:func:`preprocess_input` does nothing.
"""
from __future__ import annotations

from torchkeras import layers
from torchkeras.applications import imagenet_utils
from torchkeras.applications.builder import Spec, build_application, dense_target

# (default input size, top dropout rate) of each variant, as in Keras.
_VARIANTS = {0: (224, 0.2), 1: (240, 0.2), 2: (260, 0.3), 3: (300, 0.3), 4: (380, 0.4),
             5: (456, 0.4), 6: (528, 0.5), 7: (600, 0.5)}


def _make_head(dropout_rate: float):
    def head(x, backbone, classes, activation, name):
        x = layers.GlobalAveragePooling2D(name="avg_pool")(x)
        if dropout_rate > 0:
            x = layers.Dropout(dropout_rate, name="top_dropout")(x)
        dense = layers.Dense(classes, activation=activation, name="predictions")
        return dense(x), dense_target("classifier.1", dense)
    return head


def _efficientnet(variant: int, include_top, weights, input_tensor, input_shape, pooling,
                  classes, classifier_activation, name):
    size, dropout_rate = _VARIANTS[variant]
    spec = Spec(arch="efficientnet_b%d" % variant,
                weights_enum="EfficientNet_B%d_Weights" % variant, input_mode="raw",
                default_size=size, head=_make_head(dropout_rate),
                pool_names=("avg_pool", "max_pool"))
    return build_application(spec, include_top=include_top, weights=weights,
                             input_tensor=input_tensor, input_shape=input_shape,
                             pooling=pooling, classes=classes,
                             classifier_activation=classifier_activation, name=name)


def _factory(variant: int):
    def EfficientNet(include_top: bool = True, weights="imagenet", input_tensor=None,
                     input_shape=None, pooling=None, classes: int = 1000,
                     classifier_activation="softmax", name: str = "efficientnetb%d" % variant):
        return _efficientnet(variant, include_top, weights, input_tensor, input_shape,
                             pooling, classes, classifier_activation, name)
    EfficientNet.__name__ = EfficientNet.__qualname__ = "EfficientNetB%d" % variant
    EfficientNet.__doc__ = (
        "Instantiates EfficientNetB%d (default input %dx%d; arguments as\n"
        ":func:`torchkeras.applications.ResNet50`). Inputs are raw pixels in [0, 255].\n\n"
        "Example:\n    >>> base = EfficientNetB%d(include_top=False, weights=None)\n"
        % (variant, _VARIANTS[variant][0], _VARIANTS[variant][0], variant))
    return EfficientNet


EfficientNetB0 = _factory(0)
EfficientNetB1 = _factory(1)
EfficientNetB2 = _factory(2)
EfficientNetB3 = _factory(3)
EfficientNetB4 = _factory(4)
EfficientNetB5 = _factory(5)
EfficientNetB6 = _factory(6)
EfficientNetB7 = _factory(7)


def preprocess_input(x, data_format=None):
    """Does nothing: EfficientNet models normalize inside (as in Keras)."""
    return x


def decode_predictions(preds, top: int = 5):
    """See :func:`torchkeras.applications.imagenet_utils.decode_predictions`."""
    return imagenet_utils.decode_predictions(preds, top=top)
