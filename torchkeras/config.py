"""Global settings: the device models live on, image data format, float type, seeds.

These mirror ``keras.config`` (``image_data_format``, ``floatx``, ``epsilon``) and add
the one setting torch users need: which device training runs on.
"""
from __future__ import annotations

import os
import random

import numpy as np
import torch

_IMAGE_DATA_FORMAT = "channels_last"
_FLOATX = "float32"
_EPSILON = 1e-7
_DEVICE: torch.device | None = None


def get_device() -> torch.device:
    """The device new weights and ``fit`` data go to: CUDA when there is one.

    ``TORCHKERAS_DEVICE`` (e.g. ``cpu``) or :func:`set_device` picks another.
    """
    global _DEVICE
    if _DEVICE is None:
        name = os.environ.get("TORCHKERAS_DEVICE")
        if name:
            _DEVICE = torch.device(name)
        elif torch.cuda.is_available():
            # Under torchrun each process drives the GPU of its local rank.
            _DEVICE = torch.device("cuda", int(os.environ.get("LOCAL_RANK", "0")))
        else:
            _DEVICE = torch.device("cpu")
    return _DEVICE


def set_device(device: str | torch.device | None) -> None:
    """Sets the default device (``None`` restores the automatic choice).

    Args:
        device: ``"cpu"``, ``"cuda"``, ``"cuda:1"``, a ``torch.device`` or ``None``.

    Example:
        >>> torchkeras.config.set_device("cpu")
    """
    global _DEVICE
    _DEVICE = None if device is None else torch.device(device)


def image_data_format() -> str:
    return _IMAGE_DATA_FORMAT


def set_image_data_format(data_format: str) -> None:
    global _IMAGE_DATA_FORMAT
    data_format = str(data_format).lower()
    if data_format not in ("channels_first", "channels_last"):
        raise ValueError(
            "image_data_format must be 'channels_first' or 'channels_last', got %r" % data_format
        )
    _IMAGE_DATA_FORMAT = data_format


def standardize_data_format(data_format: str | None) -> str:
    if data_format is None:
        return image_data_format()
    data_format = str(data_format).lower()
    if data_format not in ("channels_first", "channels_last"):
        raise ValueError(
            "data_format must be 'channels_first' or 'channels_last', got %r" % data_format
        )
    return data_format


def floatx() -> str:
    return _FLOATX


def set_floatx(value: str) -> None:
    global _FLOATX
    if value not in ("float16", "bfloat16", "float32", "float64"):
        raise ValueError("Unknown floatx %r" % (value,))
    _FLOATX = value


def epsilon() -> float:
    return _EPSILON


def set_epsilon(value: float) -> None:
    global _EPSILON
    _EPSILON = float(value)


_DTYPES = {
    "float16": torch.float16, "half": torch.float16, "bfloat16": torch.bfloat16,
    "float32": torch.float32, "float": torch.float32, "float64": torch.float64,
    "double": torch.float64, "int8": torch.int8, "int16": torch.int16, "int32": torch.int32,
    "int64": torch.int64, "uint8": torch.uint8, "bool": torch.bool, "int": torch.int64,
    "complex64": torch.complex64, "complex128": torch.complex128,
}


def to_torch_dtype(dtype) -> torch.dtype:
    """Keras dtype name (or numpy/torch dtype) to a ``torch.dtype``."""
    if dtype is None:
        return _DTYPES[_FLOATX]
    if isinstance(dtype, torch.dtype):
        return dtype
    if isinstance(dtype, str) and dtype in _DTYPES:
        return _DTYPES[dtype]
    name = getattr(dtype, "name", None) or str(dtype)
    if name.startswith("torch."):
        name = name[len("torch."):]
    if name in _DTYPES:
        return _DTYPES[name]
    try:
        return _DTYPES[np.dtype(dtype).name]
    except Exception:
        raise ValueError("Unknown dtype %r" % (dtype,)) from None


def dtype_name(dtype) -> str:
    """``torch.float32`` -> ``"float32"`` (``"string"`` stays: text lives on the host)."""
    if dtype in ("string", str):
        return "string"
    return str(to_torch_dtype(dtype)).replace("torch.", "")


def set_random_seed(seed: int) -> None:
    """Seeds Python, numpy and torch (all devices), like ``keras.utils.set_random_seed``."""
    if not isinstance(seed, int):
        raise ValueError("set_random_seed expects an int, got %r" % (seed,))
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
