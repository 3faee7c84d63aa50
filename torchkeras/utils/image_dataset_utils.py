"""``image_dataset_from_directory``: class folders of images to a dataset ``fit`` takes."""
from __future__ import annotations

import torch

from torchkeras import config as _config
from torchkeras.utils import dataset_utils as du

_CHANNELS = {"rgb": 3, "rgba": 4, "grayscale": 1}


def decode_image(path: str, channels: int) -> torch.Tensor:
    """A file's first frame as a uint8 ``(channels, h, w)`` tensor, decoded as TensorFlow
    (hence Keras) decodes it.

    Pillow reads the file (torchvision's decoders are deprecated). Colour to grayscale
    uses libpng's fixed-point BT.601 weights as TensorFlow configures them, and JPEGs
    decode straight to their luma channel, so gray pixels equal Keras's.
    """
    import numpy as np
    from PIL import Image
    with Image.open(path) as img:
        img.seek(0)   # animated GIF: its first frame
        if channels == 1 and img.format == "JPEG":
            img.draft("L", img.size)
        mode = {3: "RGB", 4: "RGBA"}.get(channels, "L" if img.mode == "L" else "RGB")
        arr = np.asarray(img.convert(mode) if img.mode != mode else img, dtype=np.uint8)
    t = torch.from_numpy(arr.copy())
    if channels == 1 and t.dim() == 3:
        w = t.to(torch.int32)
        t = ((9797 * w[..., 0] + 19234 * w[..., 1] + 3737 * w[..., 2]) >> 15).to(torch.uint8)
    return t[None] if t.dim() == 2 else t.permute(2, 0, 1)


def resize_with_pad(img: torch.Tensor, size: tuple, interpolation: str) -> torch.Tensor:
    """Fits an NCHW batch inside ``size`` keeping its aspect ratio, then zero-pads it
    centred (TensorFlow's ``resize_with_pad``, which Keras's datasets use)."""
    import math
    from torchkeras.layers.preprocessing.resize_ops import resize_nchw
    h, w = img.shape[-2:]
    th, tw = size
    ratio = max(w / tw, h / th)
    fh, fw = h / ratio, w / ratio
    rh, rw = int(math.floor(fh)), int(math.floor(fw))
    # The offsets come from the unrounded sizes, as in TensorFlow.
    top, left = max(0, int(math.floor((th - fh) / 2))), max(0, int(math.floor((tw - fw) / 2)))
    img = resize_nchw(img, (rh, rw), interpolation=interpolation)
    return torch.nn.functional.pad(img, (left, tw - rw - left, top, th - rh - top))


def image_loader(image_size: tuple, channels: int, interpolation: str,
                 crop_to_aspect_ratio: bool, pad_to_aspect_ratio: bool, data_format: str):
    """A function from a path to the float32 image Keras's datasets yield."""
    from torchkeras.layers.preprocessing.resize_ops import resize_nchw

    def load(path: str) -> torch.Tensor:
        img = decode_image(path, channels)[None].float()
        if pad_to_aspect_ratio:
            img = resize_with_pad(img, image_size, interpolation)[0]
        else:
            img = resize_nchw(img, image_size, interpolation=interpolation,
                              crop_to_aspect_ratio=crop_to_aspect_ratio)[0]
        return img if data_format == "channels_first" else img.permute(1, 2, 0).contiguous()
    return load


def image_dataset_from_directory(directory, labels="inferred", label_mode: str | None = "int",
                                 class_names=None, color_mode: str = "rgb",
                                 batch_size: int | None = 32, image_size=(256, 256),
                                 shuffle: bool = True, seed: int | None = None,
                                 validation_split: float | None = None,
                                 subset: str | None = None, interpolation: str = "bilinear",
                                 follow_links: bool = False, crop_to_aspect_ratio: bool = False,
                                 pad_to_aspect_ratio: bool = False, data_format=None,
                                 format: str = "tf", verbose: bool = True):
    """Images in ``directory/<class>/...`` as batches of ``(images, labels)``.

    Files are indexed and split exactly as Keras does (same seed, same files); images are
    decoded with torchvision and resized to ``image_size`` (float32, 0..255).

    Args:
        directory: Root folder, one subfolder per class for ``labels="inferred"``.
        labels: ``"inferred"``, ``None`` or a list of integer labels (sorted file order).
        label_mode: ``"int"``, ``"categorical"``, ``"binary"`` or ``None``.
        class_names: Explicit class folders (and order).
        color_mode: ``"rgb"``, ``"rgba"`` or ``"grayscale"``.
        batch_size: Batch size; ``None`` yields single images.
        image_size: ``(height, width)``.
        shuffle: Shuffle (files once, seeded; batches every epoch).
        seed: Seed for shuffling and the split.
        validation_split: Fraction kept for validation.
        subset: ``"training"``, ``"validation"`` or ``"both"`` (a pair of datasets).
        interpolation: ``"bilinear"``, ``"nearest"``, ``"bicubic"`` or ``"area"``.
        follow_links: Follow symbolic links to subfolders.
        crop_to_aspect_ratio: Centre-crop to the target aspect ratio before resizing.
        pad_to_aspect_ratio: Pad to the target aspect ratio before resizing.
        data_format: ``"channels_last"`` (default) or ``"channels_first"``.
        format: Keras's ``"tf"``/``"grain"`` choice; both give the torch dataset here.
        verbose: Print what was found.

    Returns:
        A :class:`DirectoryDataset` (a ``DataLoader`` with ``class_names`` and
        ``file_paths``), or two with ``subset="both"``.

    Example:
        >>> train, val = image_dataset_from_directory("photos", validation_split=0.2,
        ...                                           subset="both", seed=1337,
        ...                                           image_size=(180, 180))
    """
    from torchkeras.layers.preprocessing.resize_ops import check_interpolation
    if pad_to_aspect_ratio and crop_to_aspect_ratio:
        raise ValueError("Only one of `pad_to_aspect_ratio`, `crop_to_aspect_ratio` can be "
                         "set to `True`.")
    if format not in ("tf", "grain"):
        raise ValueError("`format` should be 'tf' or 'grain'. Received: format=%r" % (format,))
    if color_mode not in _CHANNELS:
        raise ValueError('`color_mode` must be one of {"rgb", "rgba", "grayscale"}. '
                         "Received: color_mode=%r" % (color_mode,))
    check_interpolation("image_dataset_from_directory", interpolation)
    image_size = tuple(int(s) for s in image_size)
    data_format = _config.standardize_data_format(data_format)
    paths, ids, names, label_mode, seed = du.index_labelled_files(
        directory, labels, label_mode, class_names, du.IMAGE_FORMATS, shuffle, seed,
        validation_split, subset, follow_links, verbose)
    if not paths:
        raise ValueError("No images found in directory %s. Allowed formats: %s"
                         % (directory, du.IMAGE_FORMATS))
    load = image_loader(image_size, _CHANNELS[color_mode], interpolation, crop_to_aspect_ratio,
                        pad_to_aspect_ratio, data_format)

    return du.directory_datasets(directory, paths, ids, names, label_mode, load, batch_size,
                                 shuffle, seed, validation_split, subset)
