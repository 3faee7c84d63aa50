"""Shared plumbing of the image preprocessing layers: data format, batched or single
images, dtype casts, Keras's ``factor`` parsing and per-image random draws on the device."""
from __future__ import annotations

import torch

from torchkeras import config as _config
from torchkeras.layers.layer import Layer
from torchkeras.layers.regularization.seeding import SeedStream


def image_rank_error(layer_name: str, shape) -> ValueError:
    return ValueError("%s expects an image tensor of rank 3 (single image) or 4 (batch of "
                      "images). Received: data.shape=%s" % (layer_name, tuple(shape)))


def parse_range(layer_name: str, arg_name: str, factor, low: float, high: float,
                low_inclusive: bool = True) -> tuple:
    """``f`` -> ``(-f, f)``; a pair -> sorted pair; each number checked against the bounds.

    This is how RandomTranslation and RandomZoom read ``height_factor`` / ``width_factor``.
    """
    def check(v):
        ok = isinstance(v, (int, float)) and not isinstance(v, bool) and v <= high and (
            v >= low if low_inclusive else v > low)
        if not ok:
            raise ValueError("%s: the `%s` argument should be a number (or a list of two "
                             "numbers) in the range %s%s, %s]. Received: %s=%r"
                             % (layer_name, arg_name, "[" if low_inclusive else "(", low, high,
                                arg_name, factor))

    if isinstance(factor, (tuple, list)):
        if len(factor) != 2:
            raise ValueError("%s: `%s` must be a number or a list of two numbers. Received: "
                             "%s=%r" % (layer_name, arg_name, arg_name, factor))
        check(factor[0])
        check(factor[1])
        lower, upper = sorted(factor)
        return lower, upper
    check(factor)
    return -abs(factor), abs(factor)


class BaseImageLayer(Layer):
    """Base of the image layers: NHWC or NCHW batches, or single 3D images.

    Subclasses implement ``transform(images, training)`` on a 4D batch in
    ``self.data_format``; this base adds/removes the batch axis for single images and
    casts integer images to the compute dtype, as Keras does.

    Args:
        factor: Keras's generic ``factor`` (used by layers whose ``_USE_BASE_FACTOR`` is
            True): a number ``f`` (range ``(max(-f, low), f)``) or a pair ``(lower, upper)``.
        bounding_box_format: Accepted and kept in the config for Keras compatibility;
            bounding boxes themselves are not supported.
        data_format: ``"channels_last"`` (default from config) or ``"channels_first"``.
    """

    _USE_BASE_FACTOR = False
    _FACTOR_BOUNDS = (-1, 1)
    _CAST_INPUTS = True

    def __init__(self, factor=None, bounding_box_format: str | None = None,
                 data_format: str | None = None, **kwargs):
        super().__init__(**kwargs)
        self.bounding_box_format = bounding_box_format
        self.data_format = _config.standardize_data_format(data_format)
        if self._USE_BASE_FACTOR:
            self._set_factor(factor or 0.0)
        elif factor is not None:
            raise ValueError("Layer %s does not take a `factor` argument. Received: factor=%r"
                             % (type(self).__name__, factor))
        self._rng = SeedStream(None)
        self.built = True

    def _set_seed(self, seed) -> None:
        self.seed = seed
        self._rng = SeedStream(seed)

    def _set_factor(self, factor) -> None:
        lo, hi = self._FACTOR_BOUNDS
        msg = ("%s: the `factor` argument should be a number (or a list of two numbers) in "
               "the range [%s, %s]. Received: factor=%r" % (type(self).__name__, lo, hi, factor))
        if isinstance(factor, (tuple, list)):
            if len(factor) != 2 or not all(isinstance(v, (int, float)) for v in factor):
                raise ValueError(msg)
            if factor[0] > hi or factor[1] < lo:
                raise ValueError(msg)
            lower, upper = sorted(factor)
        elif isinstance(factor, (int, float)) and not isinstance(factor, bool):
            if factor < lo or factor > hi:
                raise ValueError(msg)
            factor = abs(factor)
            lower, upper = max(-factor, lo), factor
        else:
            raise ValueError(msg)
        self.factor = (lower, upper)

    # ------------------------------------------------------------------ helpers
    @property
    def _hw_axes(self) -> tuple:
        """Height and width axes of a 4D batch."""
        return (1, 2) if self.data_format == "channels_last" else (2, 3)

    def _hw(self, images: torch.Tensor) -> tuple:
        h, w = self._hw_axes
        return images.shape[h], images.shape[w]

    def _to_nchw(self, images: torch.Tensor) -> torch.Tensor:
        # NHWC permuted is NCHW in channels_last memory format: no copy.
        return images.permute(0, 3, 1, 2) if self.data_format == "channels_last" else images

    def _from_nchw(self, images: torch.Tensor) -> torch.Tensor:
        return images.permute(0, 2, 3, 1) if self.data_format == "channels_last" else images

    def _uniform(self, shape, low: float, high: float, like: torch.Tensor) -> torch.Tensor:
        """Uniform draws in ``[low, high)`` (float32, on ``like``'s device)."""
        u = torch.rand(shape, device=like.device, dtype=torch.float32,
                       generator=self._rng.generator(like.device))
        if low == 0 and high == 1:
            return u
        return u * (high - low) + low

    def _cast(self, images: torch.Tensor) -> torch.Tensor:
        dtype = _config.to_torch_dtype(self.compute_dtype)
        return images if images.dtype == dtype else images.to(dtype)

    # ------------------------------------------------------------------ call
    def call(self, inputs, training=True):
        if isinstance(inputs, dict):
            raise ValueError("%s supports image tensors only; dict inputs (bounding boxes, "
                             "segmentation masks) are not supported." % type(self).__name__)
        if inputs.dim() not in (3, 4):
            raise image_rank_error(type(self).__name__, inputs.shape)
        images = self._cast(inputs) if self._CAST_INPUTS else inputs
        if inputs.dim() == 3:
            return self.transform(images.unsqueeze(0), bool(training)).squeeze(0)
        return self.transform(images, bool(training))

    def transform(self, images: torch.Tensor, training: bool) -> torch.Tensor:
        raise NotImplementedError

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def _output_dtype(self, input_dtype) -> str:
        return self.compute_dtype

    def compute_output_spec(self, inputs, training=None, **kwargs):
        from torchkeras.layers.keras_tensor import KerasTensor
        return KerasTensor(self.compute_output_shape(tuple(inputs.shape)),
                           dtype=self._output_dtype(inputs.dtype))

    def get_config(self) -> dict:
        config = {**super().get_config(), "data_format": self.data_format}
        if self.bounding_box_format is not None:
            config["bounding_box_format"] = self.bounding_box_format
        return config
