"""ConvNeXtTiny, Small, Base and Large (torchvision's architectures and weights), and
ConvNeXtXLarge, which torchvision lacks, built layer by layer as Keras builds it.

As in Keras, with ``include_preprocessing=True`` (the default) the models take raw
pixels in [0, 255] and normalize inside; :func:`preprocess_input` does nothing. Without
it, inputs must already be normalized with the ImageNet mean and std. Stochastic depth
is off, as in Keras's defaults.

ConvNeXtXLarge has Keras's layer names, weight order and weights, so Keras's weight
files (``.weights.h5``, and the ImageNet ``.h5`` files fetched by
``weights="imagenet"``) load unchanged.
"""
from __future__ import annotations

from torchkeras import layers
from torchkeras.applications import imagenet_utils, keras_layout
from torchkeras.applications.builder import Spec, build_application, dense_target
from torchkeras.applications.layer_scale import LayerScale
from torchkeras.models.model import Model
from torchkeras.models.sequential import Sequential

WEIGHTS_URL = keras_layout.KERAS_APPLICATIONS_URL + "convnext/"
# sha256 digests of Keras's files: (with the top, without it).
WEIGHTS_HASHES = {
    "convnext_xlarge": ("c1f5ccab661354fc3a79a10fa99af82f0fbf10ec65cb894a3ae0815f17a889ee",
                        "de3f8a54174130e0cecdc71583354753d557fcf1f4487331558e2a16ba0cfe05"),
}
# Keras's configurations of the variants built here: (depths, projection widths).
KERAS_CONFIGS = {"xlarge": ((3, 3, 27, 3), (256, 512, 1024, 2048))}


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


def _keras_block(x, dim: int, name: str):
    """Keras's ConvNeXt block: depthwise 7x7, LayerNorm, MLP (Dense), LayerScale, residual."""
    inputs = x
    x = layers.Conv2D(dim, 7, padding="same", groups=dim, name=name + "_depthwise_conv")(x)
    x = layers.LayerNormalization(epsilon=1e-6, name=name + "_layernorm")(x)
    x = layers.Dense(4 * dim, name=name + "_pointwise_conv_1")(x)
    x = layers.Activation("gelu", name=name + "_gelu")(x)
    x = layers.Dense(dim, name=name + "_pointwise_conv_2")(x)
    x = LayerScale(1e-6, dim, name=name + "_layer_scale")(x)
    # Keras's variants all have drop_path_rate=0: the stochastic depth is an identity.
    x = layers.Activation("linear", name=name + "_identity")(x)
    # A graph operation, not a layer, as in Keras: `model.layers` lists the same layers.
    return inputs + x


def build_keras_convnext(variant: str, *, include_top: bool, include_preprocessing: bool,
                         weights, input_tensor, input_shape, pooling, classes: int,
                         classifier_activation, name: str) -> Model:
    """Builds a ConvNeXt variant of :data:`KERAS_CONFIGS` with Keras's layers and names."""
    depths, dims = KERAS_CONFIGS[variant]
    weights_name = "convnext_" + variant
    keras_layout.check_channels_last("ConvNeXt")
    keras_layout.check_arguments(include_top=include_top, weights=weights,
                                 input_tensor=input_tensor, pooling=pooling, classes=classes,
                                 check_classes=False)
    if weights == "imagenet" and weights_name not in name:
        raise ValueError('Model name "%s" does not match weights variant "%s". When using '
                         "imagenet weights, model name must contain the weights variant "
                         '(e.g., "%s").' % (name, weights_name, weights_name))
    img_input, input_shape = keras_layout.image_input(
        include_top=include_top, weights=weights, input_tensor=input_tensor,
        input_shape=input_shape, classifier_activation=classifier_activation,
        default_size=224, min_size=32)
    x = img_input
    if include_preprocessing and input_shape[-1] == 3:
        x = layers.Normalization(mean=[0.485 * 255, 0.456 * 255, 0.406 * 255],
                                 variance=[(0.229 * 255) ** 2, (0.224 * 255) ** 2,
                                           (0.225 * 255) ** 2],
                                 name=name + "_prestem_normalization")(x)
    downsampling = [Sequential([
        layers.Conv2D(dims[0], 4, strides=4, name=name + "_stem_conv"),
        layers.LayerNormalization(epsilon=1e-6, name=name + "_stem_layernorm")],
        name=name + "_stem")]
    for i in range(3):
        downsampling.append(Sequential([
            layers.LayerNormalization(epsilon=1e-6, name="%s_downsampling_layernorm_%d"
                                      % (name, i)),
            layers.Conv2D(dims[i + 1], 2, strides=2, name="%s_downsampling_conv_%d"
                          % (name, i))], name="%s_downsampling_block_%d" % (name, i)))
    for i, (depth, dim) in enumerate(zip(depths, dims)):
        x = downsampling[i](x)
        for j in range(depth):
            x = _keras_block(x, dim, "%s_stage_%d_block_%d" % (name, i, j))
    if include_top:
        x = layers.GlobalAveragePooling2D(name=name + "_head_gap")(x)
        x = layers.LayerNormalization(epsilon=1e-6, name=name + "_head_layernorm")(x)
        x = layers.Dense(classes, activation=classifier_activation,
                         name=name + "_head_dense")(x)
    else:
        x = keras_layout.add_pooling(x, pooling)
        x = layers.LayerNormalization(epsilon=1e-6)(x)
    return keras_layout.finish_model(img_input, input_tensor, x, name=name, weights=weights,
                                     fetch=lambda: fetch_keras_weights(weights_name,
                                                                       include_top))


def fetch_keras_weights(weights_name: str, include_top: bool) -> str:
    """Path of Keras's ImageNet weights file (downloaded and sha256-checked on first use)."""
    return keras_layout.fetch_top_or_notop((weights_name + ".h5", weights_name + "_notop.h5"),
                                           WEIGHTS_HASHES[weights_name], WEIGHTS_URL,
                                           include_top)


def ConvNeXtXLarge(include_top: bool = True, include_preprocessing: bool = True,
                   weights="imagenet", input_tensor=None, input_shape=None, pooling=None,
                   classes: int = 1000, classifier_activation="softmax",
                   name: str = "convnext_xlarge") -> Model:
    """Instantiates ConvNeXtXLarge (Keras's layers, names and ImageNet weights).

    Args:
        include_preprocessing: Inputs are raw [0, 255] pixels, normalized inside.
        include_top, weights, input_tensor, input_shape, pooling, classes,
        classifier_activation, name: As in :func:`torchkeras.applications.ResNet50`.
            With ``weights="imagenet"``, ``name`` must contain ``"convnext_xlarge"``.

    Its residual sums are graph operations, as in Keras; torchkeras cannot yet write a
    graph holding such operations to a config or ``.keras`` file (``save_weights``
    works).

    Returns:
        A functional ``Model``.

    Example:
        >>> base = ConvNeXtXLarge(include_top=False, weights=None, input_shape=(32, 32, 3))
    """
    return build_keras_convnext("xlarge", include_top=include_top,
                                include_preprocessing=include_preprocessing, weights=weights,
                                input_tensor=input_tensor, input_shape=input_shape,
                                pooling=pooling, classes=classes,
                                classifier_activation=classifier_activation, name=name)


def preprocess_input(x, data_format=None):
    """Does nothing: ConvNeXt models normalize inside (as in Keras)."""
    return x


def decode_predictions(preds, top: int = 5):
    """See :func:`torchkeras.applications.imagenet_utils.decode_predictions`."""
    return imagenet_utils.decode_predictions(preds, top=top)
