"""Layers that put torchvision's feature extractors inside torchkeras models.

``TorchvisionBackbone`` holds the convolutional part of a torchvision architecture
(its ``state_dict`` keys are torchvision's, minus the classifier) and speaks Keras's
image layout at its boundary: NHWC in, NHWC out under ``channels_last``. The permutes
are free: an NHWC tensor seen as NCHW *is* torch's channels_last memory format, which
the convolutions use directly.

``InputAdapter`` maps the input convention of a Keras application family (what its
``preprocess_input`` produces, or raw 0-255 pixels for the families that preprocess
inside the model) onto the normalization torchvision's weights were trained with.
"""
from __future__ import annotations

from collections import OrderedDict

import torch
from torch import nn

from torchkeras import config
from torchkeras.layers.layer import Layer
from torchkeras.saving.serialization import register_keras_serializable

IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)
CAFFE_MEAN_RGB = (123.68, 116.779, 103.939)
INPUT_MODES = ("caffe", "tf", "raw")


def _torchvision_models():
    try:
        import torchvision.models as models
    except ImportError as e:   # pragma: no cover - torchvision is a declared extra
        raise ImportError("torchkeras.applications needs torchvision: "
                          "pip install 'torchkeras[vision]'") from e
    return models


def _resnet_features(model: nn.Module) -> nn.Module:
    names = ("conv1", "bn1", "relu", "maxpool", "layer1", "layer2", "layer3", "layer4")
    return nn.Sequential(OrderedDict((n, getattr(model, n)) for n in names))


def _densenet_features(model: nn.Module) -> nn.Module:
    # torchvision applies the final ReLU in forward(); Keras's DenseNet ends with it.
    children = list(model.features.named_children()) + [("relu", nn.ReLU())]
    return nn.Sequential(OrderedDict(children))


def build_features(arch: str, options: dict) -> tuple:
    """``(features module, torchvision key prefix, full model's head or None)``."""
    models = _torchvision_models()
    if arch in ("vgg16", "vgg19"):
        # Built directly from torchvision's layer table: the 120M-parameter classifier
        # is never allocated.
        from torchvision.models.vgg import cfgs, make_layers
        return make_layers(cfgs["D" if arch == "vgg16" else "E"]), "features.", None
    model = getattr(models, arch)(weights=None, **options)
    if arch.startswith("resnet"):
        return _resnet_features(model), "", model.fc
    if arch.startswith("densenet"):
        return _densenet_features(model), "features.", model.classifier
    return model.features, "features.", model.classifier


def _set_input_channels(module: nn.Module, channels: int) -> None:
    """Replaces the first convolution by one taking ``channels`` input channels."""
    for name, conv in module.named_modules():
        if isinstance(conv, nn.Conv2d):
            break
    else:   # pragma: no cover - every supported architecture starts with a conv
        raise ValueError("No convolution found to take %d input channels." % channels)
    if conv.in_channels == channels:
        return
    new = nn.Conv2d(channels, conv.out_channels, conv.kernel_size, conv.stride, conv.padding,
                    conv.dilation, conv.groups, conv.bias is not None, conv.padding_mode)
    parent = module.get_submodule(name.rsplit(".", 1)[0]) if "." in name else module
    setattr(parent, name.rsplit(".", 1)[-1], new)


@register_keras_serializable(package="torchkeras.applications")
class TorchvisionBackbone(Layer):
    """The feature extractor of a torchvision architecture as a Keras layer.

    In training it follows Keras's rule for frozen layers: when ``trainable`` is
    False, its batch-normalization layers run in inference mode (moving statistics,
    no updates) even inside ``fit``. Their moving statistics count as non-trainable
    weights, as in Keras.

    Args:
        arch: torchvision constructor name (``"resnet50"``, ``"mobilenet_v2"``…).
        options: Keyword arguments of that constructor (``width_mult``…).
        data_format: ``"channels_last"`` (NHWC in and out) or ``"channels_first"``;
            the global image data format by default.
        in_channels: Channels of the input images (the first convolution is resized
            when it is not 3).

    Example:
        >>> features = TorchvisionBackbone("resnet50")
        >>> features(torch.zeros(2, 64, 64, 3)).shape
        torch.Size([2, 2, 2, 2048])
    """

    def __init__(self, arch: str, options: dict | None = None, data_format: str | None = None,
                 in_channels: int = 3, **kwargs):
        super().__init__(**kwargs)
        self.arch = arch
        self.options = dict(options or {})
        self.data_format = config.standardize_data_format(data_format)
        self.in_channels = int(in_channels)
        module, self.torchvision_prefix, head = build_features(arch, self.options)
        _set_input_channels(module, self.in_channels)
        self.module = module
        # The full model's classifier tells the head its sizes; it is not kept.
        self.head_sizes = _linear_sizes(head)
        self._norms = [m for m in module.modules()
                       if isinstance(m, nn.modules.batchnorm._BatchNorm)]
        self._sync_requires_grad()
        self.built = True

    def build(self, input_shape) -> None:
        self.built = True

    def call(self, inputs, training=None):
        train = bool(training)
        module = self.module
        if module.training != train:
            module.train(train)
        if train:
            # Checked on every call: fit() (or the user) may have called .train() on the
            # whole model, and `trainable` may have changed since the last call.
            norms_train = self._trainable
            for norm in self._norms:
                if norm.training != norms_train:
                    norm.train(norms_train)
        x = inputs if inputs.is_floating_point() else \
            inputs.to(config.to_torch_dtype(self.compute_dtype))
        if self.data_format == "channels_last":
            return module(x.permute(0, 3, 1, 2)).permute(0, 2, 3, 1)
        return module(x)

    def compute_output_shape(self, input_shape):
        """Output shape from one pass on the ``meta`` device (no memory, no compute)."""
        from torch.func import functional_call
        shape = tuple(input_shape)
        if len(shape) != 4:
            raise ValueError("%s expects 4D image batches, got shape %s" % (self.name, shape))
        channels_last = self.data_format == "channels_last"
        spatial = shape[1:3] if channels_last else shape[2:4]
        channels = shape[3] if channels_last else shape[1]
        probe = [s if s is not None else 224 for s in spatial]
        x = torch.empty((1, channels, *probe), device="meta")
        state = {k: torch.empty_like(v, device="meta")
                 for k, v in self.module.state_dict(keep_vars=True).items()}
        was_training = self.module.training
        self.module.eval()
        try:
            with torch.no_grad():
                out = functional_call(self.module, state, (x,))
        finally:
            self.module.train(was_training)
        height, width = (out.shape[2], out.shape[3]) if None not in spatial else (None, None)
        if channels_last:
            return (shape[0], height, width, out.shape[1])
        return (shape[0], out.shape[1], height, width)

    # Batch-norm moving statistics are weights in Keras (non-trainable ones), and
    # save_weights/load_weights must carry them.
    def _collect_entries(self, out: list, seen: set) -> None:
        for key, tensor in self.module.state_dict(keep_vars=True).items():
            if id(tensor) in seen or not tensor.is_floating_point():
                continue
            if not isinstance(tensor, nn.Parameter):
                tensor._tk_trainable = False
            seen.add(id(tensor))
            out.append((self, "module." + key, tensor))

    def torchvision_state(self) -> dict:
        """``{torchvision key: tensor}`` for every entry of the features' state dict."""
        return {self.torchvision_prefix + k: v
                for k, v in self.module.state_dict(keep_vars=True).items()}

    def get_config(self) -> dict:
        return {**super().get_config(), "arch": self.arch, "options": dict(self.options),
                "data_format": self.data_format, "in_channels": self.in_channels}


def _linear_sizes(head) -> list:
    if head is None:
        return []
    modules = [head] if isinstance(head, nn.Linear) else list(head.modules())
    return [(m.in_features, m.out_features) for m in modules if isinstance(m, nn.Linear)]


@register_keras_serializable(package="torchkeras.applications")
class InputAdapter(Layer):
    """A fixed per-channel affine map onto torchvision's input normalization.

    Args:
        mode: What the inputs are: ``"caffe"`` (BGR, ImageNet mean subtracted, 0-255
            scale, as Keras's ResNet/VGG ``preprocess_input`` gives), ``"tf"`` (RGB in
            [-1, 1], MobileNetV2's), or ``"raw"`` (RGB pixels in [0, 255]).
        data_format: Where the channel axis is (global image data format by default).

    Example:
        >>> adapter = InputAdapter("raw")
        >>> adapter(torch.full((1, 2, 2, 3), 255.0))[0, 0, 0]   # (1 - mean) / std
    """

    def __init__(self, mode: str, data_format: str | None = None, **kwargs):
        super().__init__(**kwargs)
        if mode not in INPUT_MODES:
            raise ValueError("InputAdapter mode must be one of %s, got %r" % (INPUT_MODES, mode))
        self.mode = mode
        self.data_format = config.standardize_data_format(data_format)
        mean = torch.tensor(IMAGENET_MEAN, dtype=torch.float64)
        std = torch.tensor(IMAGENET_STD, dtype=torch.float64)
        if mode == "caffe":
            scale, offset = 1 / (255 * std), (torch.tensor(CAFFE_MEAN_RGB, dtype=torch.float64)
                                              / 255 - mean) / std
        elif mode == "tf":
            scale, offset = 1 / (2 * std), (0.5 - mean) / std
        else:
            scale, offset = 1 / (255 * std), -mean / std
        view = (1, 3, 1, 1) if self.data_format == "channels_first" else (1, 1, 1, 3)
        self.register_buffer("scale", scale.float().reshape(view), persistent=False)
        self.register_buffer("offset", offset.float().reshape(view), persistent=False)
        self.built = True

    def build(self, input_shape) -> None:
        self.built = True

    def call(self, inputs):
        x = inputs if inputs.is_floating_point() else \
            inputs.to(config.to_torch_dtype(self.compute_dtype))
        if self.mode == "caffe":
            # Keras's caffe preprocessing swapped RGB to BGR; swap back.
            x = x.flip(1 if self.data_format == "channels_first" else -1)
        scale, offset = self.scale, self.offset
        if scale.device != x.device or scale.dtype != x.dtype:
            scale, offset = scale.to(x.device, x.dtype), offset.to(x.device, x.dtype)
        return torch.addcmul(offset, x, scale)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self) -> dict:
        return {**super().get_config(), "mode": self.mode, "data_format": self.data_format}
