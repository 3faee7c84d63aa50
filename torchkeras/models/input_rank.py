"""Checking a model's inputs against the ranks of its ``Input``s, as Keras does."""
from __future__ import annotations

import numpy as np
import torch


def adjust_input_rank(x, ref_shape: tuple, model_name: str, input_name: str,
                      layer_name: str | None):
    """``x`` fitted to the rank of ``ref_shape``, or a ValueError that says where.

    As in Keras, a trailing axis of size 1 is dropped or added when that is the only
    difference (labels shaped ``(n,)`` for an ``Input((1,))``); any other rank mismatch
    is refused here, before a layer fails somewhere inside with an unrelated error.

    Args:
        x: The value given for one input (anything that is not a tensor passes through).
        ref_shape: The ``Input``'s shape, batch dimension included.
        model_name: Name of the model, for the message.
        input_name: Name of the ``Input``.
        layer_name: First layer that reads this input, for the message.

    Example:
        >>> adjust_input_rank(torch.ones(4), (None, 1), "m", "in", "dense").shape
        torch.Size([4, 1])
    """
    # String columns stay numpy arrays (they never become tensors); their rank is fitted too.
    host_strings = isinstance(x, np.ndarray) and x.dtype.kind in "OUS"
    if not isinstance(x, torch.Tensor) and not host_strings:
        return x
    rank, ref_rank = x.ndim, len(ref_shape)
    if rank == ref_rank:
        return x
    if rank == ref_rank + 1 and x.shape[-1] == 1:
        return x.squeeze(-1)
    if rank == ref_rank - 1 and ref_shape and ref_shape[-1] == 1:
        return x[..., None]
    where = " (read by layer '%s')" % layer_name if layer_name else ""
    raise ValueError(
        "Invalid input shape for input '%s' of model '%s'%s: expected rank %d, i.e. shape "
        "%s, but the input has shape %s (rank %d)."
        % (input_name, model_name, where, ref_rank, tuple(ref_shape), tuple(x.shape), rank))
