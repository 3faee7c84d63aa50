"""Shared tensor helpers of the metrics: input conversion, rank matching, thresholds and
the confusion-matrix accumulation behind Precision/Recall/AUC and friends.

Everything here runs on the device without reading values back to the host.
"""
from __future__ import annotations

import numpy as np
import torch

from torchkeras import config as _config

NEG_INF = -1e10


def to_tensor(x, device=None, dtype=None) -> torch.Tensor:
    """Any array-like -> a detached tensor on ``device`` (cast to ``dtype`` when given).

    Python floats become ``floatx``, Python ints int32 and numpy arrays keep their
    dtype, as Keras converts them.
    """
    if isinstance(x, torch.Tensor):
        t = x.detach()
    elif isinstance(x, np.ndarray) or isinstance(x, np.generic):
        arr = np.asarray(x)
        if any(st < 0 for st in arr.strides):
            arr = arr.copy()  # torch cannot view negatively strided arrays
        t = torch.as_tensor(arr)
    else:
        arr = np.asarray(x)
        if arr.dtype.kind == "f":
            arr = arr.astype(_config.floatx() if _config.floatx() != "bfloat16" else "float32")
        elif arr.dtype.kind in "iu" and arr.dtype != np.uint8:
            arr = arr.astype(np.int32)
        t = torch.as_tensor(arr)
    if dtype is not None:
        dtype = _config.to_torch_dtype(dtype)
    if device is not None and t.device != device:
        t = t.to(device, dtype=dtype, non_blocking=True)
    elif dtype is not None and t.dtype != dtype:
        t = t.to(dtype)
    return t


def squeeze_or_expand_to_same_rank(x1: torch.Tensor, x2: torch.Tensor, expand_rank_1: bool = True):
    """Drops (or, for rank 1, adds) a trailing size-1 axis when ranks differ by one."""
    r1, r2 = x1.dim(), x2.dim()
    if r1 == r2 + 1 and x1.shape[-1] == 1:
        if r2 == 1 and expand_rank_1:
            x2 = x2.unsqueeze(-1)
        else:
            x1 = x1.squeeze(-1)
    if r2 == r1 + 1 and x2.shape[-1] == 1:
        if r1 == 1 and expand_rank_1:
            x1 = x1.unsqueeze(-1)
        else:
            x2 = x2.squeeze(-1)
    return x1, x2


def divide_no_nan(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """``a / b`` with 0 wherever ``b == 0``."""
    return torch.where(b == 0, torch.zeros((), dtype=a.dtype, device=a.device), a / b)


def keras_mask(x):
    return getattr(x, "_keras_mask", None)


# ---------------------------------------------------------------------- thresholds
def to_list(x) -> list:
    if isinstance(x, list):
        return x
    if isinstance(x, tuple):
        return list(x)
    if isinstance(x, np.ndarray):
        return x.tolist()
    return [x]


def parse_init_thresholds(thresholds, default_threshold: float = 0.5) -> list:
    """Checks user thresholds lie in [0, 1]; returns them (or the default) as a list."""
    if thresholds is not None:
        bad = [t for t in to_list(thresholds) if t is None or t < 0 or t > 1]
        if bad:
            raise ValueError("Threshold values must be in [0, 1]. Received: %s" % bad)
    return to_list(default_threshold if thresholds is None else thresholds)


def is_evenly_distributed_thresholds(thresholds) -> bool:
    """Whether ``thresholds`` is ``[0, 1/(n-1), ..., 1]`` (n >= 3) up to epsilon."""
    n = len(thresholds)
    if n < 3:
        return False
    even = np.arange(n, dtype=np.float32) / (n - 1)
    return bool(np.allclose(thresholds, even, atol=_config.epsilon()))


class ThresholdTable:
    """Thresholds prepared once for fast bucketing on the device.

    Holds the sorted thresholds and the rank of each original threshold in that order
    (as non-persistent buffers of the owning metric, so ``.to()`` moves them).
    """

    def __init__(self, owner: torch.nn.Module, thresholds, evenly: bool, dtype=None,
                 prefix: str = "_thresholds"):
        values = np.asarray(thresholds, dtype=np.float64)
        self.num = len(values)
        self.evenly = evenly
        self.with_epsilon = bool(evenly and (values[0] < 0.0 or values[-1] > 1.0))
        order = np.argsort(values, kind="stable")
        rank = np.empty_like(order)
        rank[order] = np.arange(self.num)
        self.identity_order = bool((order == np.arange(self.num)).all())
        tdtype = _config.to_torch_dtype(dtype or _config.floatx())
        self._sorted_key = prefix + "_sorted"
        self._rank_key = prefix + "_rank"
        self._owner = owner
        owner.register_buffer(self._sorted_key, torch.as_tensor(values[order], dtype=tdtype)
                              .to(owner._device), persistent=False)
        owner.register_buffer(self._rank_key, torch.as_tensor(rank, dtype=torch.int64)
                              .to(owner._device), persistent=False)

    @property
    def sorted(self) -> torch.Tensor:
        return getattr(self._owner, self._sorted_key)

    @property
    def rank(self) -> torch.Tensor:
        return getattr(self._owner, self._rank_key)


def filter_top_k(x: torch.Tensor, k: int) -> torch.Tensor:
    """Keeps the top-k values of the last axis, sets the rest to ``NEG_INF``."""
    idx = torch.topk(x, k, dim=-1).indices
    keep = torch.zeros_like(x).scatter_(-1, idx, 1.0)
    return x * keep + NEG_INF * (1 - keep)


TP, FP, TN, FN = "tp", "fp", "tn", "fn"


def update_confusion_matrix_variables(variables: dict, y_true, y_pred, table: ThresholdTable,
                                      top_k=None, class_id=None, sample_weight=None,
                                      multi_label: bool = False, label_weights=None) -> None:
    """Adds this batch's weighted TP/FP/TN/FN counts at every threshold to ``variables``.

    A prediction ``p`` counts as positive at threshold ``t`` when ``p > t``. Instead of
    comparing every prediction with every threshold (O(N*T) memory), each prediction is
    mapped to the number of thresholds it exceeds, a weighted histogram of those counts
    is built with ``index_add_`` and a reversed cumulative sum turns it into the counts
    per threshold: O(N log T + T), no host sync.

    Args:
        variables: ``{"tp"|"fp"|"tn"|"fn": Variable}`` of shape ``(T,)`` or ``(T, L)``.
        y_true: Labels (nonzero means positive), shape matching ``y_pred``.
        y_pred: Scores, usually in [0, 1].
        table: The prepared thresholds.
        top_k: Only the top-k scores of the last axis may be positive.
        class_id: Restrict to this class of the last axis.
        sample_weight: Weights broadcastable to ``y_true``.
        multi_label: Keep the label axis (variables of shape ``(T, L)``).
        label_weights: Per-label weights (flattened case only).
    """
    if multi_label and label_weights is not None:
        raise ValueError("`label_weights` for multilabel data should be handled outside of "
                         "`update_confusion_matrix_variables` when `multi_label` is True.")
    first = next(iter(variables.values()))
    dtype, device = first.dtype, first.device
    y_true = to_tensor(y_true, device, dtype)
    y_pred = to_tensor(y_pred, device, dtype)
    y_pred, y_true = squeeze_or_expand_to_same_rank(y_pred, y_true)
    if sample_weight is not None:
        sample_weight = to_tensor(sample_weight, device, dtype).unsqueeze(-1)
        _, sample_weight = squeeze_or_expand_to_same_rank(y_true, sample_weight,
                                                          expand_rank_1=False)
    if top_k is not None:
        y_pred = filter_top_k(y_pred, top_k)
    if class_id is not None:
        if y_pred.dim() == 1:
            raise ValueError("When class_id is provided, y_pred must be a 2D array with shape "
                             "(num_samples, num_classes), found shape: %s" % (tuple(y_pred.shape),))
        y_true = y_true[..., class_id, None]
        y_pred = y_pred[..., class_id, None]
    y_true = y_true.expand_as(y_pred) if y_true.shape != y_pred.shape else y_true

    weights = None
    if sample_weight is not None:
        weights = sample_weight.expand(y_pred.shape)
    if label_weights is not None:
        lw = to_tensor(label_weights, device, dtype).unsqueeze(0).expand(y_pred.shape)
        weights = lw if weights is None else weights * lw

    positive = y_true != 0
    # Column 0 weighs the positives, column 1 the negatives: one histogram serves all cells.
    w2 = torch.stack((positive, ~positive), dim=-1).to(dtype)
    if weights is not None:
        w2 = w2 * weights.unsqueeze(-1)

    num = table.num
    if table.evenly:
        p = y_pred.clamp(0.0, 1.0)
        # bucket b = ceil(p * (T-1)) - 1 marks p as positive at thresholds 0..b;
        # k = b + 1 is the count of thresholds that p exceeds.
        k = torch.ceil(p * float(num - 1)).to(torch.int64)
        if table.with_epsilon:
            k = k.clamp_min(1)
    else:
        k = torch.searchsorted(table.sorted, y_pred.contiguous(), right=False)

    if multi_label:
        num_labels = y_pred.shape[-1]
        flat_k = (k.reshape(-1, num_labels) * num_labels
                  + torch.arange(num_labels, device=device)).reshape(-1)
        size, shape = (num + 1) * num_labels, (num + 1, num_labels, 2)
    else:
        flat_k, size, shape = k.reshape(-1), num + 1, (num + 1, 2)
    hist = torch.zeros((size, 2), dtype=dtype, device=device)
    hist = hist.index_add_(0, flat_k, w2.reshape(-1, 2)).view(shape)
    # at_least[j]: weight of the predictions exceeding at least j thresholds.
    at_least = hist.flip(0).cumsum(0).flip(0)
    totals, above = at_least[0], at_least[1:]
    if not table.identity_order:
        above = above[table.rank]
    tp, fp = above[..., 0], above[..., 1]
    keys, values = [], []
    for cell in (TP, FP, TN, FN):
        if cell in variables:
            keys.append(variables[cell])
            values.append(tp if cell == TP else fp if cell == FP
                          else totals[..., 1] - fp if cell == TN else totals[..., 0] - tp)
    with torch.no_grad():
        torch._foreach_add_(keys, values)


def confusion_matrix_update(total_cm: torch.Tensor, labels: torch.Tensor, predictions: torch.Tensor,
                            weights: torch.Tensor) -> None:
    """``total_cm[label, prediction] += weight`` for every pair (rows: true labels)."""
    n = total_cm.shape[0]
    idx = labels.to(torch.int64) * n + predictions.to(torch.int64)
    with torch.no_grad():
        total_cm.view(-1).index_add_(0, idx, weights.to(total_cm.dtype))

