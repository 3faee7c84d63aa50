"""The few ``keras.backend`` helpers Keras programs call; torch is the only backend."""
from torchkeras.config import epsilon, floatx, image_data_format, set_epsilon, set_floatx
from torchkeras.config import set_image_data_format
from torchkeras.layers.layer import clear_session


def backend() -> str:
    return "torch"


__all__ = ["backend", "clear_session", "epsilon", "floatx", "image_data_format",
           "set_epsilon", "set_floatx", "set_image_data_format"]
