"""``keras.utils.pad_sequences``: ragged sequences to one padded numpy array."""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np


def pad_sequences(sequences: Sequence, maxlen: int | None = None, dtype: Any = "int32",
                  padding: str = "pre", truncating: str = "pre",
                  value: Any = 0.0) -> np.ndarray:
    """Pads (and truncates) a list of sequences to a common length.

    Args:
        sequences: List of sequences (lists or arrays; items may themselves be arrays of
            a shared shape).
        maxlen: Output length; the longest sequence's length when ``None``.
        dtype: Output dtype (``object`` or a string dtype for text).
        padding: ``"pre"`` or ``"post"``: where the padding goes.
        truncating: ``"pre"`` or ``"post"``: which end of a too-long sequence is cut.
        value: Padding value.

    Returns:
        Array of shape ``(len(sequences), maxlen) + item_shape``.

    Raises:
        ValueError: Bad ``padding``/``truncating``, sequences without ``len``, mismatched
            item shapes, or a non-string pad value for string data.

    Example:
        >>> pad_sequences([[1, 2], [3]], maxlen=3)
        array([[0, 1, 2],
               [0, 0, 3]], dtype=int32)
    """
    if not hasattr(sequences, "__len__"):
        raise ValueError("`sequences` must be iterable.")
    if padding not in ("pre", "post"):
        raise ValueError('Padding type "%s" not understood' % padding)
    if truncating not in ("pre", "post"):
        raise ValueError('Truncating type "%s" not understood' % truncating)
    lengths, item_shape = [], ()
    for s in sequences:
        try:
            lengths.append(len(s))
        except TypeError:
            raise ValueError("`sequences` must be a list of iterables. Found non-iterable: "
                             "%r" % (s,)) from None
    for s in sequences:
        if len(s):
            item_shape = np.asarray(s).shape[1:]
            break
    if maxlen is None:
        maxlen = max(lengths) if lengths else 0
    is_text = np.issubdtype(np.dtype(dtype), np.str_) or np.dtype(dtype) == object
    if isinstance(value, str) and dtype != object and not is_text:
        raise ValueError("`dtype` %s is not compatible with `value`'s type: %s\nYou should "
                         "set `dtype=object` for variable length strings." % (dtype, type(value)))
    out = np.full((len(sequences), maxlen) + item_shape, value, dtype=dtype)
    for i, s in enumerate(sequences):
        if not len(s) or maxlen == 0:
            continue
        kept = s[-maxlen:] if truncating == "pre" else s[:maxlen]
        kept = np.asarray(kept, dtype=dtype)
        if kept.shape[1:] != item_shape:
            raise ValueError("Shape of sample %s of sequence at position %d is different from "
                             "expected shape %s" % (kept.shape[1:], i, item_shape))
        if padding == "post":
            out[i, :len(kept)] = kept
        else:
            out[i, -len(kept):] = kept
    return out
