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


# ---------------------------------------------------------------- keras.config switches
_FLAGS: dict = {"flash_attention": None, "interactive_logging": True,
                "traceback_filtering": True, "max_epochs": None, "max_steps_per_epoch": None}


def enable_flash_attention() -> None:
    """Records that flash attention is wanted (torch's SDPA picks the kernel itself)."""
    _FLAGS["flash_attention"] = True


def disable_flash_attention() -> None:
    """Records that flash attention is not wanted."""
    _FLAGS["flash_attention"] = False


def is_flash_attention_enabled() -> bool | None:
    """``None`` until enabled/disabled (Keras's default: let the backend decide)."""
    return _FLAGS["flash_attention"]


def enable_interactive_logging() -> None:
    """Progress bars and summaries print to stdout (the default)."""
    _FLAGS["interactive_logging"] = True


def disable_interactive_logging() -> None:
    """Progress bars and summaries go to Python logging instead of stdout."""
    _FLAGS["interactive_logging"] = False


def is_interactive_logging_enabled() -> bool:
    return _FLAGS["interactive_logging"]


def enable_traceback_filtering() -> None:
    """Kept for Keras compatibility: torchkeras shows tracebacks unfiltered."""
    _FLAGS["traceback_filtering"] = True


def disable_traceback_filtering() -> None:
    _FLAGS["traceback_filtering"] = False


def is_traceback_filtering_enabled() -> bool:
    return _FLAGS["traceback_filtering"]


def _check_cap(name: str, value) -> None:
    if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 1):
        raise ValueError("%s must be a positive integer or None, got %r" % (name, value))


def set_max_epochs(max_epochs: int | None) -> None:
    """Caps the epochs of every ``fit`` (for quick debugging runs); ``None`` removes it.

    Example:
        >>> torchkeras.config.set_max_epochs(1)
    """
    _check_cap("max_epochs", max_epochs)
    _FLAGS["max_epochs"] = max_epochs


def max_epochs() -> int | None:
    return _FLAGS["max_epochs"]


def set_max_steps_per_epoch(max_steps_per_epoch: int | None) -> None:
    """Caps the steps of every ``fit`` epoch; ``None`` removes the cap.

    Example:
        >>> torchkeras.config.set_max_steps_per_epoch(10)
    """
    _check_cap("max_steps_per_epoch", max_steps_per_epoch)
    _FLAGS["max_steps_per_epoch"] = max_steps_per_epoch


def max_steps_per_epoch() -> int | None:
    return _FLAGS["max_steps_per_epoch"]


def capped_fit_lengths(epochs: int, steps_per_epoch: int | None) -> tuple:
    """``(epochs, steps_per_epoch)`` after the ``set_max_*`` caps, warning when they bite."""
    import warnings
    cap = _FLAGS["max_epochs"]
    if cap and cap < epochs:
        warnings.warn("Limiting epochs to %d" % cap)
        epochs = cap
    cap = _FLAGS["max_steps_per_epoch"]
    if cap and (not steps_per_epoch or cap < steps_per_epoch):
        warnings.warn("Limiting steps_per_epoch to %d" % cap)
        steps_per_epoch = cap
    return epochs, steps_per_epoch


def enable_unsafe_deserialization() -> None:
    """Lets ``load_model``/``deserialize`` rebuild code (``Lambda`` bodies) from configs."""
    _FLAGS["unsafe_deserialization"] = True


def unsafe_deserialization_enabled() -> bool:
    return _FLAGS.get("unsafe_deserialization", False)


_POLICY_ACCESS: dict = {}   # "get"/"set", registered by torchkeras.mixed_precision.policy


def register_dtype_policy_access(get, set_) -> None:
    """Called once by the policy module: the dtype-policy functions below reach the global
    policy through these, so this low-level module imports nothing above it."""
    _POLICY_ACCESS.update(get=get, set=set_)


def dtype_policy():
    """The global dtype policy (``keras.config.dtype_policy``)."""
    return _POLICY_ACCESS["get"]()


def set_dtype_policy(policy) -> None:
    """Sets the global dtype policy, e.g. ``"mixed_float16"``."""
    _POLICY_ACCESS["set"](policy)
