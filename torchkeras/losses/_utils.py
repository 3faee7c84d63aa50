"""Small helpers shared by the loss functions."""
from __future__ import annotations

import numbers
from typing import Any

import torch

from torchkeras import config as _config
from torchkeras.losses.loss import squeeze_or_expand_to_same_rank, to_tensor


def pred_true(y_true: Any, y_pred: Any, align: bool = False):
    """(y_pred, y_true) as tensors: y_pred floating, y_true in y_pred's dtype and device.

    With ``align`` the ranks are matched as Keras's regression functions do.
    """
    if not isinstance(y_pred, torch.Tensor):
        y_pred = to_tensor(y_pred)
    if not y_pred.is_floating_point():
        y_pred = y_pred.to(_config.to_torch_dtype(None))
    if not isinstance(y_true, torch.Tensor) or y_true.dtype != y_pred.dtype \
            or y_true.device != y_pred.device:
        y_true = to_tensor(y_true, y_pred.dtype, y_pred.device)
    if align and y_true.dim() != y_pred.dim():
        y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
    return y_pred, y_true


def check_axis(axis: Any, owner: str) -> int:
    """``axis`` must be an int (a bool is refused, as in Keras)."""
    if isinstance(axis, bool) or not isinstance(axis, numbers.Integral):
        raise ValueError("%s: `axis` must be of type `int`. Received: axis=%r of type %s"
                         % (owner, axis, type(axis)))
    return int(axis)


def check_label_smoothing(label_smoothing: Any, owner: str) -> float:
    """``label_smoothing`` must be a number in [0, 1]."""
    if isinstance(label_smoothing, bool) or not isinstance(label_smoothing, numbers.Real) \
            or not 0.0 <= float(label_smoothing) <= 1.0:
        raise ValueError("%s: `label_smoothing` must be a float in [0, 1]. Received: "
                         "label_smoothing=%r" % (owner, label_smoothing))
    return label_smoothing


def reduce_dims(axis: Any):
    """A Keras ``axis`` (None, int, list) as torch's ``dim`` argument."""
    if axis is None or isinstance(axis, int):
        return axis
    return tuple(axis)
