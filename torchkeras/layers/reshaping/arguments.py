"""Argument checks shared by the reshaping layers (sizes, paddings, croppings)."""
from __future__ import annotations


def standardize_tuple(value, n: int, name: str, allow_zero: bool = False) -> tuple:
    """An int or an iterable of ``n`` ints -> a tuple of ``n`` ints (Keras's rule).

    Args:
        value: ``int`` (repeated ``n`` times) or iterable of ``n`` ints.
        n: Expected length.
        name: Argument name for error messages.
        allow_zero: Accept 0 (paddings, croppings); sizes must be positive.
    """
    msg = "The `%s` argument must be a tuple of %d integers. Received %s=%s" % (
        name, n, name, value)
    if isinstance(value, bool):
        raise ValueError(msg)
    if isinstance(value, int):
        out = (value,) * n
    else:
        try:
            out = tuple(value)
        except TypeError:
            raise ValueError(msg) from None
        if len(out) != n or any(isinstance(v, bool) or not isinstance(v, int) for v in out):
            raise ValueError(msg)
    bad = {v for v in out if (v < 0 if allow_zero else v <= 0)}
    if bad:
        raise ValueError("%s, including values %s that do not satisfy `value %s`"
                         % (msg, bad, ">= 0" if allow_zero else "> 0"))
    return out


_ORDINALS = ("1st", "2nd", "3rd")


def standardize_pairs(value, rank: int, name: str, layer: str) -> tuple:
    """Padding/cropping spec -> ``rank`` pairs ``(before, after)`` of non-negative ints.

    Accepts an int (same on every side), ``rank`` ints (symmetric per axis) or ``rank``
    pairs.
    """
    if isinstance(value, int) and not isinstance(value, bool):
        if value < 0:
            raise ValueError("`%s` of %s cannot be negative. Received: %s=%s."
                             % (name, layer, name, value))
        return ((value, value),) * rank
    if not hasattr(value, "__len__"):
        raise ValueError("`%s` of %s should be either an int, a tuple of %d ints, or a tuple "
                         "of %d tuples of 2 ints. Received: %s=%s."
                         % (name, layer, rank, rank, name, value))
    if len(value) != rank:
        raise ValueError("`%s` of %s should have %d elements. Received: %s=%s."
                         % (name, layer, rank, name, value))
    return tuple(standardize_tuple(v, 2, "%s entry of %s" % (_ORDINALS[i], name),
                                   allow_zero=True) for i, v in enumerate(value))


def spatial_axes(rank: int, data_format: str) -> list:
    """Indices of the ``rank`` spatial axes of a batched input."""
    start = 2 if data_format == "channels_first" else 1
    return list(range(start, start + rank))


def add_to_dims(shape, axes, deltas) -> tuple:
    """``shape`` with ``deltas`` added on ``axes`` (unknown dims stay ``None``)."""
    out = list(shape)
    for axis, delta in zip(axes, deltas):
        if out[axis] is not None:
            out[axis] = out[axis] + delta
    return tuple(out)
