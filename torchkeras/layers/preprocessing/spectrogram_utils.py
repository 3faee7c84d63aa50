"""Helpers shared by the spectrogram layers (STFTSpectrogram, MelSpectrogram): argument
checks and the JSON form of a window kept in their configs."""
from __future__ import annotations

from typing import Any


def check_positive_int(layer_name: str, name: str, value: Any) -> None:
    """Raises ``ValueError`` unless ``value`` is an integer ``>= 1`` (a bool is refused).

    Args:
        layer_name: Layer named in the message.
        name: Argument named in the message.
        value: The value to check.

    Example:
        >>> check_positive_int("MelSpectrogram", "fft_length", 512)
    """
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise ValueError("%s: `%s` must be a positive integer. Received: %s=%r"
                         % (layer_name, name, name, value))


def window_config(window: Any) -> Any:
    """A window name as is, or window values (array, tensor, tuple) as a list, so that the
    config stays JSON.

    Example:
        >>> window_config((0.5, 1.0, 0.5))
        [0.5, 1.0, 0.5]
    """
    if hasattr(window, "tolist"):
        window = window.tolist()
    return list(window) if isinstance(window, tuple) else window
