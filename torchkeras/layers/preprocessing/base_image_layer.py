"""Shared plumbing of the image preprocessing layers: data format, batched or single
images, dtype casts, Keras's ``factor`` parsing and per-image random draws on the device."""
from __future__ import annotations

import torch

from torchkeras import config as _config
from torchkeras.layers.layer import Layer
from torchkeras.layers.preprocessing.bounding_boxes_ops import check_bounding_boxes, check_format
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
    ``self.data_format``, or the hooks ``get_random_transformation`` +
    ``transform_images`` (+ ``transform_labels`` / ``transform_bounding_boxes`` /
    ``transform_segmentation_masks``), which also serve Keras's dict inputs
    ``{"images", "labels", "bounding_boxes": {"boxes", "labels"}, "segmentation_masks"}``:
    one set of draws is shared by all entries. This base adds/removes the batch axis for
    single images and casts integer images to the compute dtype, as Keras does.

    Boxes follow the pixels of their image (pixel ``i`` spans ``[i, i + 1)``): they are
    clipped to the output image, and a box left without area gets label ``-1``. Where
    Keras's box arithmetic approximates the image's pixel windows (resizing to another
    aspect ratio, affine warps), the boxes here can differ from Keras's by up to a pixel.

    Args:
        factor: Keras's generic ``factor`` (used by layers whose ``_USE_BASE_FACTOR`` is
            True): a number ``f`` (range ``(max(-f, low), f)``) or a pair ``(lower, upper)``.
        bounding_box_format: Format of the boxes of dict inputs (``"xyxy"``,
            ``"rel_xyxy"``, ``"xywh"``, ``"center_xywh"``, ``"yxyx"``, ...).
        data_format: ``"channels_last"`` (default from config) or ``"channels_first"``.
    """

    _USE_BASE_FACTOR = False
    _FACTOR_BOUNDS = (-1, 1)
    _CAST_INPUTS = True
    # Layers that move no pixels (colour, erasing) pass boxes and masks through unchanged.
    _PRESERVES_GEOMETRY = False

    def __init__(self, factor=None, bounding_box_format: str | None = None,
                 data_format: str | None = None, **kwargs):
        super().__init__(**kwargs)
        check_format(type(self).__name__, bounding_box_format)
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
            return self._call_dict(inputs, bool(training))
        if inputs.dim() not in (3, 4):
            raise image_rank_error(type(self).__name__, inputs.shape)
        images = self._cast(inputs) if self._CAST_INPUTS else inputs
        if inputs.dim() == 3:
            return self.transform(images.unsqueeze(0), bool(training)).squeeze(0)
        return self.transform(images, bool(training))

    def transform(self, images: torch.Tensor, training: bool) -> torch.Tensor:
        """Transforms a 4D batch. Layers either override this (images only) or implement
        the hooks below, which also serve dict inputs with labels, boxes and masks."""
        if type(self).transform_images is BaseImageLayer.transform_images:
            raise NotImplementedError
        return self.transform_images(images, self.get_random_transformation(images, training),
                                     training)

    # ------------------------------------------------------------------ hooks
    def get_random_transformation(self, images: torch.Tensor, training: bool):
        """The random draws shared by images, labels, boxes and masks (None: no draws)."""
        return None

    def transform_images(self, images: torch.Tensor, transformation, training: bool):
        return self.transform(images, training)

    def transform_labels(self, labels: torch.Tensor, transformation, training: bool):
        return labels

    def transform_bounding_boxes(self, bounding_boxes: dict, transformation, training: bool,
                                 height: int, width: int) -> dict:
        """``bounding_boxes``: ``{"boxes": (B, N, 4) float32 in ``bounding_box_format``,
        "labels": (B, N)}`` of images ``height x width`` (before the transform)."""
        if not training or self._PRESERVES_GEOMETRY:
            return bounding_boxes
        raise NotImplementedError("%s does not transform bounding boxes yet."
                                  % type(self).__name__)

    def transform_segmentation_masks(self, masks: torch.Tensor, transformation,
                                     training: bool) -> torch.Tensor:
        if not training or self._PRESERVES_GEOMETRY:
            return masks
        raise NotImplementedError("%s does not transform segmentation masks yet."
                                  % type(self).__name__)

    def _call_dict(self, data: dict, training: bool) -> dict:
        """Keras's dict inputs: ``images`` plus optional ``labels``, ``bounding_boxes``
        (``{"boxes", "labels"}``) and ``segmentation_masks``; returns a new dict."""
        name = type(self).__name__
        if "images" not in data:
            raise ValueError("%s: a dict input needs an 'images' entry. Received keys: %s"
                             % (name, sorted(data)))
        images = data["images"]
        if images.dim() not in (3, 4):
            raise image_rank_error(name, images.shape)
        batched = images.dim() == 4
        boxes = data.get("bounding_boxes")
        if boxes is not None:
            if not self.bounding_box_format:
                raise ValueError(
                    "You passed an input with a 'bounding_boxes' key, but you didn't specify "
                    "a bounding box format. Pass a `bounding_box_format` argument to your %s "
                    "layer, e.g. `bounding_box_format='xyxy'`." % name)
            check_bounding_boxes(name, boxes, batched)

        def batch(t):
            return t if batched else t.unsqueeze(0)

        def unbatch(t):
            return t if batched else t.squeeze(0)

        imgs = batch(self._cast(images) if self._CAST_INPUTS else images)
        h, w = self._hw(imgs)
        params = self.get_random_transformation(imgs, training)
        out = dict(data)
        out["images"] = unbatch(self.transform_images(imgs, params, training))
        if "labels" in data:
            out["labels"] = unbatch(self.transform_labels(batch(data["labels"]), params,
                                                          training))
        if boxes is not None:
            box_dict = {"boxes": batch(boxes["boxes"]).to(torch.float32),
                        "labels": batch(boxes["labels"])}
            new = self.transform_bounding_boxes(box_dict, params, training, h, w)
            out["bounding_boxes"] = {**boxes, **{k: unbatch(v) for k, v in new.items()}}
        if "segmentation_masks" in data:
            out["segmentation_masks"] = unbatch(self.transform_segmentation_masks(
                batch(data["segmentation_masks"]), params, training))
        return out

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def _output_dtype(self, input_dtype) -> str:
        return self.compute_dtype

    def compute_output_spec(self, inputs, training=None, **kwargs):
        from torchkeras.layers.keras_tensor import KerasTensor
        if isinstance(inputs, dict):
            raise NotImplementedError(
                "%s: dict inputs (images with labels, boxes or masks) are supported in eager "
                "calls, e.g. on each batch of a data pipeline, not on symbolic Input tensors."
                % type(self).__name__)
        return KerasTensor(self.compute_output_shape(tuple(inputs.shape)),
                           dtype=self._output_dtype(inputs.dtype))

    def get_config(self) -> dict:
        config = {**super().get_config(), "data_format": self.data_format}
        if self.bounding_box_format is not None:
            config["bounding_box_format"] = self.bounding_box_format
        return config
