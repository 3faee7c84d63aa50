"""Padding of ``keras.ops.numpy``: ``pad`` with numpy's modes on torch tensors.

Example:
    >>> from torchkeras import ops
    >>> ops.pad(x, ((0, 0), (1, 1)), mode="reflect")
"""
from __future__ import annotations

from typing import Any

import torch
import torch.nn.functional as F

from torchkeras.ops.fast_paths import constant_pads
from torchkeras.ops.numpy.common import tensor
from torchkeras.ops.symbolic import keras_op

_PAD_MODES = {"constant": "constant", "reflect": "reflect", "symmetric": "symmetric",
              "edge": "replicate", "wrap": "circular"}


@keras_op
def pad(x: Any, pad_width: Any, mode: str = "constant", constant_values: Any = None) -> torch.Tensor:
    """Pads each axis by ``(before, after)`` amounts.

    Args:
        x: Input tensor.
        pad_width: ``((before, after), …)`` per axis, one pair for all, or an int.
        mode: ``"constant"``, ``"edge"``, ``"reflect"``, ``"symmetric"`` or ``"wrap"``.
        constant_values: Fill value for ``"constant"`` (0 by default).

    Raises:
        ValueError: For an unknown mode, or ``constant_values`` with another mode.

    Example:
        >>> ops.pad(x, ((0, 0), (1, 1)))
    """
    if mode not in _PAD_MODES:
        raise ValueError("pad: mode must be one of %s, got %r" % (tuple(_PAD_MODES), mode))
    if constant_values is not None and mode != "constant":
        raise ValueError("pad: constant_values is only used with mode='constant', got mode=%r"
                         % (mode,))
    x = tensor(x)
    if mode == "constant":
        flat = constant_pads(pad_width, x.ndim)   # Fast path: fast_paths.constant_pads
        if flat is not None:
            return F.pad(x, flat, value=0 if constant_values is None else constant_values)
    pw = pad_width.tolist() if isinstance(pad_width, torch.Tensor) else pad_width
    pw = int(pw) if not isinstance(pw, (list, tuple)) else [
        [int(v) for v in p] if isinstance(p, (list, tuple)) else int(p) for p in pw]
    if isinstance(pw, int):
        pw = [[pw, pw]] * x.ndim
    elif pw and isinstance(pw[0], int):
        pw = [list(pw)] * x.ndim if len(pw) == 2 else [[p, p] for p in pw]
    if len(pw) == 1 and x.ndim > 1:
        pw = pw * x.ndim
    flat = []
    for before, after in reversed(pw):
        flat += [int(before), int(after)]
    if mode == "constant":
        return F.pad(x, flat, value=0 if constant_values is None else constant_values)
    if mode == "symmetric":
        return _symmetric_pad(x, pw)
    # torch's non-constant modes need a batch/channel lead and float data.
    dtype = x.dtype
    work = x if x.is_floating_point() else x.to(torch.float32)
    padded = [i for i, p in enumerate(pw) if p[0] or p[1]]
    lead = padded[0] if padded else x.ndim - 1
    if x.ndim - lead > 3:
        raise ValueError("pad: mode=%r pads at most the last 3 axes on torch" % (mode,))
    pads = flat[: 2 * (x.ndim - lead)]
    shaped = work.reshape((1, -1) + tuple(work.shape[lead:]))
    out = F.pad(shaped, pads, mode=_PAD_MODES[mode])
    return out.reshape(tuple(x.shape[:lead]) + tuple(out.shape[2:])).to(dtype)


def _symmetric_pad(x: torch.Tensor, pw: list) -> torch.Tensor:
    for axis, (before, after) in enumerate(pw):
        parts = []
        if before:
            parts.append(torch.flip(x.narrow(axis, 0, before), (axis,)))
        parts.append(x)
        if after:
            parts.append(torch.flip(x.narrow(axis, x.shape[axis] - after, after), (axis,)))
        x = torch.cat(parts, dim=axis)
    return x


__all__ = ["pad"]
