"""Turning integer ids into one-hot, multi-hot, count and tf-idf vectors.

Shared by CategoryEncoding and the lookup, hashing and vectorization layers, which all
end in Keras's ``output_mode`` choice.
"""
from __future__ import annotations

import torch

OUTPUT_MODES = ("int", "one_hot", "multi_hot", "count", "tf_idf")


def check_output_mode(layer: str, output_mode: str, allowed=OUTPUT_MODES) -> str:
    """Validates ``output_mode`` for ``layer`` (``"binary"`` is Keras's old multi_hot)."""
    if output_mode == "binary":
        output_mode = "multi_hot"
    if output_mode not in allowed:
        raise ValueError("%s: unknown `output_mode` %r; expected one of %s."
                         % (layer, output_mode, ", ".join(repr(m) for m in allowed)))
    return output_mode


def encode(ids: torch.Tensor, output_mode: str, depth: int, dtype: torch.dtype,
           count_weights: torch.Tensor | None = None,
           idf_weights: torch.Tensor | None = None) -> torch.Tensor:
    """Encodes integer ``ids`` into ``depth``-wide vectors as Keras's preprocessing layers do.

    Args:
        ids: Integer tensor; values must lie in ``[0, depth)``.
        output_mode: ``"int"``, ``"one_hot"``, ``"multi_hot"``, ``"count"`` or ``"tf_idf"``.
        depth: Width of the encoded vectors.
        dtype: Output dtype (ignored for ``"int"``).
        count_weights: Per-id weights summed in ``"count"`` mode (same shape as ``ids``).
        idf_weights: Per-token inverse document frequencies for ``"tf_idf"``.

    Returns:
        ``ids`` for ``"int"``; else ``(..., depth)`` with the last input axis as the sample
        axis (``"one_hot"`` adds an axis unless the last one has size 1).
    """
    if output_mode == "int":
        return ids
    if output_mode == "multi_hot" and ids.dim() == 2 and ids.dtype == torch.int64:
        # The common case in one scatter, without the general path's reshapes.
        _check_range(ids, depth)
        return torch.zeros(ids.shape[0], depth, dtype=dtype, device=ids.device).scatter_(
            1, ids, 1)
    if ids.dim() == 0:
        ids = ids.reshape(1)
    _check_range(ids, depth)
    if ids.dtype != torch.int64:
        ids = ids.long()
    if output_mode == "one_hot":
        if ids.dim() > 1 and ids.shape[-1] == 1:
            ids = ids.squeeze(-1)
        return torch.nn.functional.one_hot(ids, depth).to(dtype)
    # The last axis holds one sample's ids (a 1-D input is one sample).
    lead = ids.shape[:-1]
    flat = ids if ids.dim() == 2 else ids.reshape(-1, ids.shape[-1])
    out_dtype = count_weights.dtype if count_weights is not None else dtype
    out = torch.zeros(flat.shape[0], depth, dtype=out_dtype, device=ids.device)
    if output_mode == "multi_hot":
        out.scatter_(1, flat, 1)
    else:
        src = (count_weights.reshape(flat.shape).to(out_dtype) if count_weights is not None
               else torch.ones(flat.shape, dtype=out_dtype, device=ids.device))
        out.scatter_add_(1, flat, src)
        if output_mode == "tf_idf":
            out = out * idf_weights.to(device=out.device, dtype=out_dtype)
    return out.reshape(*lead, depth)


def _check_range(ids: torch.Tensor, depth: int) -> None:
    # A CPU tensor costs little to check; on an accelerator it would sync every call.
    if ids.device.type == "cpu" and ids.numel():
        low, high = (v.item() for v in torch.aminmax(ids))
        if low < 0 or high >= depth:
            raise ValueError("Input values must be in the range 0 <= values < num_tokens "
                             "(%d); got values in [%d, %d]." % (depth, low, high))
