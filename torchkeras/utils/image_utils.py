"""Image files and arrays: ``load_img``, ``img_to_array``, ``array_to_img``, ``save_img``.

Pillow (a torchvision dependency) reads and writes the files, as in Keras; arrays are
numpy, ``(height, width, channels)`` unless ``data_format="channels_first"``.
"""
from __future__ import annotations

import io
import pathlib
import warnings

import numpy as np

from torchkeras import config as _config


def _pil():
    try:
        from PIL import Image
    except ImportError as e:   # pragma: no cover - Pillow comes with torchvision
        raise ImportError("Image file utilities need Pillow: pip install pillow") from e
    return Image


def _resample_methods() -> dict:
    Image = _pil()
    r = Image.Resampling
    return {"nearest": r.NEAREST, "bilinear": r.BILINEAR, "bicubic": r.BICUBIC,
            "hamming": r.HAMMING, "box": r.BOX, "lanczos": r.LANCZOS}


def array_to_img(x, data_format: str | None = None, scale: bool = True, dtype=None):
    """A 3-D array as a PIL image (RGB, RGBA or grayscale by its channel count).

    Args:
        x: Array of shape ``(h, w, c)`` (``(c, h, w)`` for channels_first).
        data_format: ``"channels_last"`` or ``"channels_first"``; the global one by default.
        scale: Stretch values to span 0..255 first.
        dtype: Dtype used while scaling (floatx by default).

    Example:
        >>> array_to_img(np.random.random((8, 8, 3))).size
        (8, 8)
    """
    Image = _pil()
    data_format = _config.standardize_data_format(data_format)
    x = np.array(x, dtype=dtype or _config.floatx())
    if x.ndim != 3:
        raise ValueError("Expected image array to have rank 3 (single image). Got array with "
                         "shape: %s" % (x.shape,))
    if data_format == "channels_first":
        x = x.transpose(1, 2, 0)
    if scale:
        x = x - np.min(x)
        top = np.max(x)
        if top != 0:
            x /= top
        x *= 255
    channels = x.shape[2]
    if channels == 4:
        return Image.fromarray(x.astype("uint8"), "RGBA")
    if channels == 3:
        return Image.fromarray(x.astype("uint8"), "RGB")
    if channels == 1:
        if np.max(x) > 255:   # 32-bit grayscale
            return Image.fromarray(x[:, :, 0].astype("int32"), "I")
        return Image.fromarray(x[:, :, 0].astype("uint8"), "L")
    raise ValueError("Unsupported channel number: %d" % channels)


def img_to_array(img, data_format: str | None = None, dtype=None) -> np.ndarray:
    """A PIL image (or anything ``np.asarray`` takes) as a 3-D float array.

    Args:
        img: The image.
        data_format: ``"channels_last"`` or ``"channels_first"``.
        dtype: Output dtype (floatx by default).
    """
    data_format = _config.standardize_data_format(data_format)
    x = np.asarray(img, dtype=dtype or _config.floatx())
    if x.ndim == 3:
        return x.transpose(2, 0, 1) if data_format == "channels_first" else x
    if x.ndim == 2:
        return x[None] if data_format == "channels_first" else x[:, :, None]
    raise ValueError("Unsupported image shape: %s" % (x.shape,))


def save_img(path, x, data_format: str | None = None, file_format: str | None = None,
             scale: bool = True, **kwargs) -> None:
    """Writes an image array to ``path`` (format from the extension or ``file_format``).

    Args:
        path: File path or file object.
        x: Image array.
        data_format: Layout of ``x``.
        file_format: Format name; needed for file objects.
        scale: Stretch values to 0..255 first.
        **kwargs: Passed to ``PIL.Image.save``.
    """
    if file_format is None and isinstance(path, (str, pathlib.Path)):
        file_format = pathlib.Path(path).suffix[1:].lower()
    if file_format and file_format.lower() == "jpg":
        file_format = "jpeg"
    img = array_to_img(x, data_format=data_format, scale=scale)
    if img.mode == "RGBA" and file_format == "jpeg":
        warnings.warn("The JPEG format does not support RGBA images, converting to RGB.")
        img = img.convert("RGB")
    img.save(path, format=file_format, **kwargs)


def load_img(path, color_mode: str = "rgb", target_size: tuple | None = None,
             interpolation: str = "nearest", keep_aspect_ratio: bool = False):
    """Loads an image file as a PIL image, optionally resized.

    Args:
        path: File path (str, bytes, ``pathlib.Path``) or ``io.BytesIO``.
        color_mode: ``"rgb"``, ``"rgba"`` or ``"grayscale"``.
        target_size: ``(height, width)`` to resize to.
        interpolation: Pillow resampling: ``"nearest"``, ``"bilinear"``, ``"bicubic"``,
            ``"hamming"``, ``"box"`` or ``"lanczos"``.
        keep_aspect_ratio: Centre-crop to the target aspect ratio before resizing.

    Example:
        >>> x = img_to_array(load_img("cat.jpg", target_size=(224, 224)))
    """
    Image = _pil()
    if color_mode not in ("grayscale", "rgb", "rgba"):
        raise ValueError('color_mode must be "grayscale", "rgb", or "rgba"; received %r'
                         % (color_mode,))
    if isinstance(path, io.BytesIO):
        img = Image.open(path)
    elif isinstance(path, (pathlib.Path, bytes, str)):
        with open(path, "rb") as f:
            img = Image.open(io.BytesIO(f.read()))
    else:
        raise TypeError("path should be path-like or io.BytesIO, not %s" % type(path))
    if color_mode == "grayscale":
        if img.mode not in ("L", "I;16", "I"):
            img = img.convert("L")
    elif img.mode != color_mode.upper():
        img = img.convert(color_mode.upper())
    if target_size is None:
        return img
    size = (int(target_size[1]), int(target_size[0]))
    if img.size == size:
        return img
    methods = _resample_methods()
    if interpolation not in methods:
        raise ValueError("Invalid interpolation method %r specified. Supported methods are %s"
                         % (interpolation, ", ".join(methods)))
    if not keep_aspect_ratio:
        return img.resize(size, methods[interpolation])
    width, height = img.size
    crop_h = min(height, (width * size[1]) // size[0])
    crop_w = min(width, (height * size[0]) // size[1])
    top, left = (height - crop_h) // 2, (width - crop_w) // 2
    return img.resize(size, methods[interpolation], box=[left, top, left + crop_w, top + crop_h])


def smart_resize(x, size: tuple, interpolation: str = "bilinear",
                 data_format: str = "channels_last", **kwargs):
    """Resizes images to ``size`` without distorting them: the largest centred window with
    the target aspect ratio is cropped, then resized (Keras's ``smart_resize``).

    Args:
        x: One image ``(h, w, c)`` or a batch ``(n, h, w, c)`` (channels first if so set);
            a numpy array gives a numpy array, a tensor a tensor.
        size: ``(height, width)``.
        interpolation: ``"bilinear"``, ``"nearest"``, ``"bicubic"`` or ``"area"``.
        data_format: ``"channels_last"`` or ``"channels_first"``.
    """
    import torch
    from torchkeras.layers.preprocessing.resize_ops import check_interpolation, resize_nchw
    if kwargs:
        raise TypeError("smart_resize() got unexpected keyword arguments: %s" % list(kwargs))
    if len(size) != 2:
        raise ValueError("Expected `size` to be a tuple of 2 integers, but got: %r." % (size,))
    check_interpolation("smart_resize", interpolation)
    is_numpy = not isinstance(x, torch.Tensor)
    img = torch.as_tensor(np.asarray(x)) if is_numpy else x
    if img.dim() not in (3, 4):
        raise ValueError("Expected an image array with shape `(height, width, channels)`, or "
                         "`(batch_size, height, width, channels)`, but got input with incorrect "
                         "rank, of shape %s." % (tuple(img.shape),))
    single = img.dim() == 3
    batch = img[None] if single else img
    if data_format == "channels_last":
        batch = batch.permute(0, 3, 1, 2)
    out = resize_nchw(batch if batch.is_floating_point() else batch.float(), tuple(size),
                      interpolation=interpolation, crop_to_aspect_ratio=True)
    if data_format == "channels_last":
        out = out.permute(0, 2, 3, 1)
    out = out[0] if single else out
    return out.numpy() if is_numpy else out
