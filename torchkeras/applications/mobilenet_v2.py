"""MobileNetV2 (torchvision's architecture and weights, Keras's head and inputs).

Inputs follow Keras's MobileNetV2 convention: :func:`preprocess_input` scales pixels
to [-1, 1].
"""
from __future__ import annotations

from torchkeras import config, layers
from torchkeras.applications import imagenet_utils
from torchkeras.applications.builder import Spec, build_application, dense_target

_SIZES = (96, 128, 160, 192, 224)


def _head(x, backbone, classes, activation, name):
    x = layers.GlobalAveragePooling2D()(x)
    dense = layers.Dense(classes, activation=activation, name="predictions")
    return dense(x), dense_target("classifier.1", dense)


def _rows(input_shape, input_tensor):
    shape = input_shape if input_shape is not None else (
        tuple(input_tensor.shape[1:]) if input_tensor is not None else None)
    if shape is None or len(shape) != 3:
        return 224
    rows, cols = shape[1:] if config.image_data_format() == "channels_first" else shape[:2]
    return rows if rows == cols and rows in _SIZES else 224


def _final_rows(input_shape, input_tensor, default_size, include_top, weights):
    # Keras names the model after the rows of the input it ends up with.
    if input_shape is None and input_tensor is not None:
        input_shape = tuple(input_tensor.shape[1:])
    shape = imagenet_utils.obtain_input_shape(
        input_shape, default_size=default_size, min_size=32,
        data_format=config.image_data_format(), require_flatten=include_top, weights=weights)
    rows, cols = shape[1:] if config.image_data_format() == "channels_first" else shape[:2]
    if weights == "imagenet" and (rows != cols or rows not in _SIZES):
        return 224
    return rows


def MobileNetV2(input_shape=None, alpha: float = 1.0, include_top: bool = True,
                weights="imagenet", input_tensor=None, pooling=None, classes: int = 1000,
                classifier_activation="softmax", name: str | None = None):
    """Instantiates MobileNetV2.

    Args:
        input_shape: Shape without batch (at least 32x32); 224x224 by default.
        alpha: Width multiplier (torchvision's ``width_mult``); ImageNet weights exist
            for 1.0 only.
        include_top, weights, input_tensor, pooling, classes, classifier_activation:
            As in :func:`torchkeras.applications.ResNet50`.
        name: Model name (``"mobilenetv2_<alpha>_<rows>"`` by default).

    Example:
        >>> base = MobileNetV2(input_shape=(32, 32, 3), include_top=False, weights=None)
        >>> base.output_shape
        (None, 1, 1, 1280)
    """
    if weights == "imagenet" and alpha != 1.0:
        raise ValueError("torchvision publishes ImageNet weights for MobileNetV2 with "
                         "alpha=1.0 only; Received `alpha=%s`" % (alpha,))
    default_size = _rows(input_shape, input_tensor)
    spec = Spec(arch="mobilenet_v2", weights_enum="MobileNet_V2_Weights", input_mode="tf",
                default_size=default_size, head=_head,
                options={} if alpha == 1.0 else {"width_mult": float(alpha)})
    if name is None:
        rows = _final_rows(input_shape, input_tensor, default_size, include_top, weights)
        name = "mobilenetv2_%0.2f_%s" % (alpha, rows)
    return build_application(spec, include_top=include_top, weights=weights,
                             input_tensor=input_tensor, input_shape=input_shape,
                             pooling=pooling, classes=classes,
                             classifier_activation=classifier_activation, name=name)


def preprocess_input(x, data_format=None):
    """Keras's MobileNetV2 preprocessing: pixels scaled to [-1, 1]."""
    return imagenet_utils.preprocess_input(x, data_format=data_format, mode="tf")


def decode_predictions(preds, top: int = 5):
    """See :func:`torchkeras.applications.imagenet_utils.decode_predictions`."""
    return imagenet_utils.decode_predictions(preds, top=top)
