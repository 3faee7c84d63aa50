"""ImageNet helpers: ``preprocess_input`` modes, ``decode_predictions``, input shapes.

``preprocess_input`` produces exactly what Keras's does for each family (``"caffe"``,
``"tf"`` or ``"torch"`` mode); the models themselves map that convention onto the
normalization torchvision's weights expect (see ``backbone.InputAdapter``), so Keras
code that preprocesses with the family's function and then predicts works unchanged.
"""
from __future__ import annotations

import json
import warnings

import numpy as np
import torch

from torchkeras import config
from torchkeras.datasets._download import DownloadError, get_file

CLASS_INDEX = None
CLASS_INDEX_PATH = ("https://storage.googleapis.com/download.tensorflow.org/"
                    "data/imagenet_class_index.json")
# Keras publishes only the md5 of the class index.
CLASS_INDEX_MD5 = "c2c37ea517e94d9795004a39431a14cb"

_TORCH_MEAN = (0.485, 0.456, 0.406)
_TORCH_STD = (0.229, 0.224, 0.225)
_CAFFE_MEAN_BGR = (103.939, 116.779, 123.68)


def preprocess_input(x, data_format: str | None = None, mode: str = "caffe"):
    """Preprocesses a batch of RGB images with values in [0, 255].

    Args:
        x: numpy array or torch tensor, 3D or 4D, 3 color channels.
        data_format: ``"channels_last"`` / ``"channels_first"`` (global setting if None).
        mode: ``"caffe"`` (RGB to BGR, subtract the ImageNet mean, no scaling), ``"tf"``
            (scale to [-1, 1]) or ``"torch"`` (scale to [0, 1], then normalize each channel
            with the ImageNet mean and std).

    Returns:
        A float array/tensor (numpy float inputs are modified in place, as in Keras).

    Example:
        >>> preprocess_input(np.full((1, 2, 2, 3), 255.0), mode="tf")[0, 0, 0]
        array([1., 1., 1.])
    """
    if mode not in ("caffe", "tf", "torch"):
        raise ValueError("Expected mode to be one of `caffe`, `tf` or `torch`. "
                         "Received: mode=%s" % (mode,))
    if data_format is None:
        data_format = config.image_data_format()
    elif data_format not in ("channels_first", "channels_last"):
        raise ValueError("Expected data_format to be one of `channels_first` or "
                         "`channels_last`. Received: data_format=%s" % (data_format,))
    if isinstance(x, np.ndarray):
        return _preprocess_numpy(x, data_format, mode)
    return _preprocess_tensor(torch.as_tensor(x), data_format, mode)


def _channel_axis(ndim: int, data_format: str) -> int:
    if data_format == "channels_last":
        return ndim - 1
    return 0 if ndim == 3 else 1


def _mean_std(mode: str):
    if mode == "torch":
        return _TORCH_MEAN, _TORCH_STD
    return _CAFFE_MEAN_BGR, None


def _preprocess_numpy(x: np.ndarray, data_format: str, mode: str) -> np.ndarray:
    if not issubclass(x.dtype.type, np.floating):
        x = x.astype(config.floatx(), copy=False)
    if mode == "tf":
        x /= 127.5
        x -= 1.0
        return x
    axis = _channel_axis(x.ndim, data_format)
    if mode == "torch":
        x /= 255.0
    else:
        x = np.flip(x, axis=axis)
    mean, std = _mean_std(mode)
    shape = [1] * x.ndim
    shape[axis] = 3
    x -= np.asarray(mean, dtype=x.dtype).reshape(shape)
    if std is not None:
        x /= np.asarray(std, dtype=x.dtype).reshape(shape)
    # The BGR flip is a negative-stride view, which torch cannot take as is.
    return np.ascontiguousarray(x) if mode == "caffe" else x


def _preprocess_tensor(x: torch.Tensor, data_format: str, mode: str) -> torch.Tensor:
    if not x.is_floating_point():
        x = x.to(config.to_torch_dtype(config.floatx()))
    if mode == "tf":
        return x / 127.5 - 1.0
    axis = _channel_axis(x.ndim, data_format)
    if mode == "torch":
        x = x / 255.0
    else:
        x = x.flip(axis)
    mean, std = _mean_std(mode)
    shape = [1] * x.ndim
    shape[axis] = 3
    x = x - torch.tensor(mean, dtype=x.dtype, device=x.device).reshape(shape)
    if std is not None:
        x = x / torch.tensor(std, dtype=x.dtype, device=x.device).reshape(shape)
    return x


def decode_predictions(preds, top: int = 5) -> list:
    """Decodes ImageNet predictions into ``(class_name, description, score)`` tuples.

    The class index (``imagenet_class_index.json``) is downloaded once and cached under
    ``$TORCHKERAS_HOME/models``; offline, put a copy there by hand.

    Args:
        preds: Array or tensor of shape ``(samples, 1000)``.
        top: How many guesses to return per sample.

    Returns:
        One list of ``top`` tuples per sample, best first.

    Example:
        >>> decode_predictions(model.predict(x), top=3)[0][0]
        ('n02504458', 'African_elephant', 0.82)
    """
    global CLASS_INDEX
    if isinstance(preds, torch.Tensor):
        preds = preds.detach().float().cpu().numpy()
    preds = np.asarray(preds)
    if preds.ndim != 2 or preds.shape[1] != 1000:
        raise ValueError("`decode_predictions` expects a batch of predictions (i.e. a 2D array "
                         "of shape (samples, 1000)). Received array with shape: %s"
                         % (preds.shape,))
    if CLASS_INDEX is None:
        CLASS_INDEX = load_class_index()
    results = []
    for pred in preds:
        best = pred.argsort()[-top:][::-1]
        result = [tuple(CLASS_INDEX[str(i)]) + (pred[i],) for i in best]
        result.sort(key=lambda item: item[2], reverse=True)
        results.append(result)
    return results


def load_class_index() -> dict:
    """The ImageNet class index ``{"0": ["n01440764", "tench"], ...}`` (cached file)."""
    try:
        path = get_file("imagenet_class_index.json", CLASS_INDEX_PATH, cache_subdir="models",
                        file_hash=CLASS_INDEX_MD5)
    except DownloadError as e:
        raise DownloadError("decode_predictions needs the ImageNet class index. %s" % e) from None
    with open(path, encoding="utf-8") as f:
        index = json.load(f)
    if not isinstance(index, dict) or len(index) < 1000 or "999" not in index:
        raise ValueError("%s is not an ImageNet class index (1000 entries expected)." % path)
    return index


def obtain_input_shape(input_shape, default_size: int, min_size: int, data_format: str,
                       require_flatten: bool, weights=None) -> tuple:
    """Validates ``input_shape`` (or picks the default), following Keras's rules."""
    if input_shape is not None:
        input_shape = tuple(input_shape)
    channels_first = data_format == "channels_first"
    if weights != "imagenet" and input_shape and len(input_shape) == 3:
        channels = input_shape[0] if channels_first else input_shape[-1]
        if channels not in (1, 3):
            warnings.warn("This model usually expects 1 or 3 input channels. However, it was "
                          "passed an input_shape with %s input channels." % channels,
                          stacklevel=3)
        default_shape = (channels, default_size, default_size) if channels_first else \
            (default_size, default_size, channels)
    else:
        default_shape = (3, default_size, default_size) if channels_first else \
            (default_size, default_size, 3)
    if weights == "imagenet" and require_flatten:
        if input_shape is not None and input_shape != default_shape:
            raise ValueError("When setting `include_top=True` and loading `imagenet` weights, "
                             "`input_shape` should be %s.  Received: input_shape=%s"
                             % (default_shape, input_shape))
        return default_shape
    if input_shape:
        if len(input_shape) != 3:
            raise ValueError("`input_shape` must be a tuple of three integers.")
        channels = input_shape[0] if channels_first else input_shape[-1]
        rows, cols = input_shape[1:] if channels_first else input_shape[:2]
        if channels != 3 and weights == "imagenet":
            raise ValueError("The input must have 3 channels; Received `input_shape=%s`"
                             % (input_shape,))
        if (rows is not None and rows < min_size) or (cols is not None and cols < min_size):
            raise ValueError("Input size must be at least %dx%d; Received: input_shape=%s"
                             % (min_size, min_size, input_shape))
    elif require_flatten:
        input_shape = default_shape
    else:
        input_shape = (3, None, None) if channels_first else (None, None, 3)
    if require_flatten and None in input_shape:
        raise ValueError("If `include_top` is True, you should specify a static "
                         "`input_shape`. Received: input_shape=%s" % (input_shape,))
    return input_shape


def validate_activation(classifier_activation, weights) -> None:
    """Pretrained heads allow only ``None`` and ``"softmax"`` activations."""
    if weights is None:
        return
    from torchkeras import activations
    act = activations.get(classifier_activation)
    if act not in (activations.get("softmax"), activations.get(None)):
        raise ValueError("Only `None` and `softmax` activations are allowed for the "
                         "`classifier_activation` argument when using pretrained weights, "
                         "with `include_top=True`; Received: classifier_activation=%s"
                         % (classifier_activation,))

