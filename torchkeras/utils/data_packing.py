"""``keras.utils.pack_x_y_sample_weight`` / ``unpack_x_y_sample_weight``."""
from __future__ import annotations

from typing import Any


def pack_x_y_sample_weight(x: Any, y: Any = None, sample_weight: Any = None) -> Any:
    """Packs a training batch the way ``fit`` reads it.

    Args:
        x: Features.
        y: Targets, or ``None``.
        sample_weight: Per-sample weights, or ``None``.

    Returns:
        ``x`` alone (or ``(x,)`` when ``x`` is a list/tuple), ``(x, y)`` or
        ``(x, y, sample_weight)``.

    Example:
        >>> pack_x_y_sample_weight(1, 2)
        (1, 2)
    """
    if y is None:
        return (x,) if isinstance(x, (list, tuple)) else x
    if sample_weight is None:
        return (x, y)
    return (x, y, sample_weight)


def unpack_x_y_sample_weight(data: Any) -> tuple:
    """Splits a batch into ``(x, y, sample_weight)`` (missing parts are ``None``).

    Args:
        data: ``x``, ``(x,)``, ``(x, y)`` or ``(x, y, sample_weight)``.

    Raises:
        ValueError: A tuple longer than three.

    Example:
        >>> unpack_x_y_sample_weight((1, 2))
        (1, 2, None)
    """
    if isinstance(data, list):
        data = tuple(data)
    if not isinstance(data, tuple):
        return (data, None, None)
    if len(data) > 3:
        raise ValueError("Data is expected to be in format `x`, `(x,)`, `(x, y)`, or "
                         "`(x, y, sample_weight)`, found: %s" % (data,))
    return tuple(data) + (None,) * (3 - len(data))
