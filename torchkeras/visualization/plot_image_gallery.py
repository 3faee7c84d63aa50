"""plot_image_gallery: a grid of images (with optional labels) on matplotlib."""
from __future__ import annotations

import math
from typing import Any, Sequence

import numpy as np

from torchkeras import config as _config
from torchkeras.visualization.box_formats import to_numpy


def _to_0_255(images: np.ndarray, value_range: Sequence[float]) -> np.ndarray:
    low, high = float(value_range[0]), float(value_range[1])
    if (low, high) == (0.0, 255.0):
        return images
    images = images.astype("float32")
    return (images - np.float32(low)) / np.float32(high - low) * np.float32(255.0)


def plot_image_gallery(images: Any, y_true: Any = None, y_pred: Any = None,
                       label_map: dict | None = None, rows: int | None = None,
                       cols: int | None = None, value_range: Sequence[float] = (0, 255),
                       scale: float = 2, path: str | None = None, show: bool | None = None,
                       transparent: bool = True, dpi: int = 60, legend_handles: list | None = None,
                       data_format: str | None = None) -> None:
    """Shows (or saves to ``path``) a ``rows x cols`` grid of images, titled with their
    true/predicted class names when ``y_true`` / ``y_pred`` are given.

    Args:
        images: ``(batch, height, width, channels)`` images (or channels-first).
        y_true: Optional true class ids, one per image.
        y_pred: Optional predicted class ids, one per image.
        label_map: Dict from class id to name (required with ``y_true`` / ``y_pred``).
        rows: Grid rows; ``None`` is ``ceil(sqrt(batch))``.
        cols: Grid columns; ``None`` is ``batch // rows`` (as Keras).
        value_range: Value range of the images, mapped to ``[0, 255]``.
        scale: Inches per grid cell.
        path: Save the figure there instead of showing it.
        show: Show the figure (default: when ``path`` is ``None``).
        transparent: Transparent background of the saved file.
        dpi: Resolution of the saved file.
        legend_handles: matplotlib handles for a figure legend.
        data_format: ``"channels_last"`` or ``"channels_first"``; ``None`` is
            ``keras.config.image_data_format()``.

    Example:
        >>> plot_image_gallery(np.random.randint(0, 255, (4, 32, 32, 3)), path="grid.png")
    """
    # matplotlib is optional (the "plot" extra) and slow to import: loaded on use.
    try:
        import matplotlib.pyplot as plt
    except ImportError:
        raise ImportError("The `plot_image_gallery` function requires the `matplotlib` "
                          "package. Please install it with `pip install matplotlib`.") from None
    if path is not None and show:
        raise ValueError("plot_gallery() expects either `path` to be set, or `show` to be "
                         "true.")
    if (y_true is not None or y_pred is not None) and label_map is None:
        raise ValueError("If `y_true` or `y_pred` are provided, a `label_map` must also be "
                         "provided.")
    show = show if show is not None else path is None
    data_format = _config.standardize_data_format(data_format)
    array = to_numpy(images)
    if array.ndim != 4:
        raise ValueError("`plot_images_gallery()` requires you to batch your `np.array` "
                         "samples together. Received: images.shape=%s" % (array.shape,))
    batch = array.shape[0]
    rows = rows or int(math.ceil(math.sqrt(batch)))
    cols = cols or max(int(batch // rows), 1)
    if data_format == "channels_first":
        array = array.transpose(0, 2, 3, 1)
    array = _to_0_255(array[:min(rows * cols, batch)], value_range)
    y_true = None if y_true is None else to_numpy(y_true)
    y_pred = None if y_pred is None else to_numpy(y_pred)

    fig, axes = plt.subplots(nrows=rows, ncols=cols, figsize=(cols * scale, rows * scale),
                             frameon=False, layout="tight", squeeze=False, sharex="row",
                             sharey="col")
    fig.subplots_adjust(wspace=0, hspace=0)
    if legend_handles is not None:
        fig.legend(handles=legend_handles, loc="lower center")
    for index, axis in enumerate(axes.reshape(-1)):
        axis.axis("off")
        if index >= len(array):
            continue
        image = array[index]
        axis.imshow(image[..., 0] if image.shape[-1] == 1 else image.astype("uint8"),
                    **({"cmap": "gray", "vmin": 0, "vmax": 255}
                       if image.shape[-1] == 1 else {}))
        axis.margins(x=0, y=0)
        parts = []
        if y_true is not None and index < len(y_true):
            parts.append("Label: %s" % label_map.get(_key(y_true[index]), "Unknown"))
        if y_pred is not None and index < len(y_pred):
            parts.append("Pred: %s" % label_map.get(_key(y_pred[index]), "Unknown"))
        if parts:
            axis.set_title("  ".join(parts), fontsize=8)
    if path is not None:
        plt.savefig(fname=path, pad_inches=0, bbox_inches="tight", transparent=transparent,
                    dpi=dpi)
        plt.close(fig)
    elif show:
        plt.show()
        plt.close(fig)


def _key(value):
    # numpy scalars hash like Python ints, but 0-d arrays do not: look up plain values.
    return value.item() if isinstance(value, np.generic) or (
        isinstance(value, np.ndarray) and value.ndim == 0) else value
