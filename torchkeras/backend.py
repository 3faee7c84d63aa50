"""The ``keras.backend`` helpers Keras programs call; torch is the only backend."""
from typing import Any

from torchkeras.config import epsilon, floatx, image_data_format, set_epsilon, set_floatx
from torchkeras.config import set_image_data_format
from torchkeras.layers.keras_tensor import KerasTensor
from torchkeras.layers.layer import clear_session
from torchkeras.layers.layer_utils import get_uid
from torchkeras.ops.dtypes import is_float_dtype, is_int_dtype, result_type, standardize_dtype


def backend() -> str:
    """Always ``"torch"``."""
    return "torch"


def is_keras_tensor(x: Any) -> bool:
    """Whether ``x`` is a symbolic ``KerasTensor`` (from ``keras.Input`` or a layer on one).

    Example:
        >>> is_keras_tensor(torchkeras.Input((3,)))
        True
    """
    return isinstance(x, KerasTensor)


__all__ = ["backend", "clear_session", "epsilon", "floatx", "get_uid", "image_data_format",
           "is_float_dtype", "is_int_dtype", "is_keras_tensor", "result_type", "set_epsilon",
           "set_floatx", "set_image_data_format", "standardize_dtype"]
