"""Accuracy metrics: exact match, binary, categorical, sparse and top-k accuracy."""
from __future__ import annotations

import torch

from torchkeras import config as _config
from torchkeras.metrics import metrics_utils as mu
from torchkeras.metrics.reduction_metrics import MeanMetricWrapper


def _floatx() -> torch.dtype:
    return _config.to_torch_dtype(_config.floatx())


def accuracy(y_true, y_pred) -> torch.Tensor:
    """1.0 where ``y_true == y_pred`` (after rank matching), else 0.0."""
    y_pred = mu.to_tensor(y_pred)
    y_true = mu.to_tensor(y_true, y_pred.device, y_pred.dtype)
    y_true, y_pred = mu.squeeze_or_expand_to_same_rank(y_true, y_pred)
    return (y_true == y_pred).to(_floatx())


def binary_accuracy(y_true, y_pred, threshold: float = 0.5) -> torch.Tensor:
    """1.0 where ``(y_pred > threshold)`` equals the binary label, else 0.0.

    Args:
        y_true: Binary labels.
        y_pred: Scores (probabilities).
        threshold: Scores above it count as class 1.

    Example:
        >>> binary_accuracy([[1], [0]], [[0.7], [0.2]])
    """
    y_pred = mu.to_tensor(y_pred)
    y_true = mu.to_tensor(y_true, y_pred.device)
    y_true, y_pred = mu.squeeze_or_expand_to_same_rank(y_true, y_pred)
    return ((y_pred > threshold).to(y_true.dtype) == y_true).to(_floatx())


def _squeeze_labels(y_true: torch.Tensor, y_pred: torch.Tensor, need_unit_axis: bool):
    """Labels of shape ``(..., 1)`` next to scores ``(..., C)`` lose their unit axis."""
    if y_true.dim() == y_pred.dim() and (not need_unit_axis or y_true.shape[-1] == 1):
        return y_true.squeeze(-1), True
    return y_true, False


def categorical_accuracy(y_true, y_pred) -> torch.Tensor:
    """1.0 where the argmax of one-hot ``y_true`` equals the argmax of ``y_pred``."""
    y_pred = mu.to_tensor(y_pred)
    y_true = mu.to_tensor(y_true, y_pred.device)
    y_true = torch.argmax(y_true, dim=-1).to(y_pred.dtype)
    org_shape = y_true.shape
    y_true, reshaped = _squeeze_labels(y_true, y_pred, need_unit_axis=False)
    matches = (y_true == torch.argmax(y_pred, dim=-1).to(y_true.dtype)).to(_floatx())
    return matches.reshape(org_shape) if reshaped else matches


def sparse_categorical_accuracy(y_true, y_pred) -> torch.Tensor:
    """1.0 where the integer label equals the argmax of ``y_pred``.

    Labels may have shape ``(N,)`` or ``(N, 1)``.

    Example:
        >>> sparse_categorical_accuracy([[2], [1]], [[0.1, 0.6, 0.3], [0.05, 0.95, 0]])
    """
    if type(y_true) is torch.Tensor and type(y_pred) is torch.Tensor and y_pred.dim() == 2 \
            and not y_true.is_floating_point() and y_true.device == y_pred.device:
        # Fast path for (N,) or (N, 1) integer labels against (N, C) scores.
        labels = y_true.reshape(-1) if y_true.dim() == 2 and y_true.shape[-1] == 1 else y_true
        if labels.dim() == 1:
            return (labels == y_pred.argmax(-1)).to(_floatx())
    y_pred = mu.to_tensor(y_pred)
    y_true = mu.to_tensor(y_true, y_pred.device, y_pred.dtype)
    org_shape = y_true.shape
    y_true, reshaped = _squeeze_labels(y_true, y_pred, need_unit_axis=True)
    matches = (y_true == torch.argmax(y_pred, dim=-1).to(y_true.dtype)).to(_floatx())
    if reshaped:
        matches = matches.reshape(org_shape)
    if matches.dim() > 1 and matches.shape[-1] == 1:
        matches = matches.squeeze(-1)
    return matches


def _in_top_k(targets: torch.Tensor, predictions: torch.Tensor, k: int) -> torch.Tensor:
    # A target ties with the k-th largest score counts as a hit, as in Keras.
    kth = torch.topk(predictions, k, dim=-1).values[..., -1]
    target_score = torch.gather(predictions, -1, targets.to(torch.int64).unsqueeze(-1))[..., 0]
    return target_score >= kth


def top_k_categorical_accuracy(y_true, y_pred, k: int = 5) -> torch.Tensor:
    """1.0 where the one-hot target is among the ``k`` highest scores."""
    y_pred = mu.to_tensor(y_pred)
    y_true = mu.to_tensor(y_true, y_pred.device, y_pred.dtype)
    y_true = torch.argmax(y_true, dim=-1)
    org_shape = y_true.shape
    if y_pred.dim() > 2:
        y_pred = y_pred.reshape(-1, y_pred.shape[-1])
    matches = _in_top_k(y_true.reshape(-1), y_pred, k).to(_floatx())
    return matches.reshape(org_shape) if len(org_shape) > 1 else matches


def sparse_top_k_categorical_accuracy(y_true, y_pred, k: int = 5,
                                      from_sorted_ids: bool = False) -> torch.Tensor:
    """1.0 where the integer target is among the ``k`` highest scores.

    Args:
        y_true: Integer labels, shape ``(N,)``.
        y_pred: Scores ``(N, C)``; or, with ``from_sorted_ids=True``, the ids of the top
            categories sorted by decreasing score ``(N, M)`` with ``M >= k``.
        k: How many top entries count.
        from_sorted_ids: See ``y_pred``.
    """
    y_pred = mu.to_tensor(y_pred)
    y_true = mu.to_tensor(y_true, y_pred.device, y_pred.dtype if from_sorted_ids else torch.int32)
    org_shape = y_true.shape
    if y_pred.dim() > 2:
        y_pred = y_pred.reshape(-1, y_pred.shape[-1])
    flat_true = y_true.reshape(-1) if y_true.dim() > 1 else y_true
    if from_sorted_ids:
        matches = (flat_true.unsqueeze(1) == y_pred[:, :k]).any(dim=1)
    else:
        matches = _in_top_k(flat_true, y_pred, k)
    matches = matches.to(_floatx())
    return matches.reshape(org_shape) if y_true.dim() > 1 else matches


class Accuracy(MeanMetricWrapper):
    """How often predictions equal labels.

    Args:
        name: Metric name.
        dtype: dtype of the running state.

    Example:
        >>> m = Accuracy()
        >>> m.update_state([[1], [2], [3], [4]], [[0], [2], [3], [4]])
        >>> float(m.result())
        0.75
    """

    def __init__(self, name: str = "accuracy", dtype=None):
        super().__init__(fn=accuracy, name=name, dtype=dtype)
        self._direction = "up"

    def get_config(self) -> dict:
        return {"name": self.name, "dtype": self.dtype}


class BinaryAccuracy(MeanMetricWrapper):
    """How often thresholded predictions match binary labels.

    Args:
        name: Metric name.
        dtype: dtype of the running state.
        threshold: Scores above it count as class 1.

    Example:
        >>> m = BinaryAccuracy()
        >>> m.update_state([[1], [1], [0], [0]], [[0.98], [1], [0], [0.6]])
    """

    def __init__(self, name: str = "binary_accuracy", dtype=None, threshold: float = 0.5):
        super().__init__(fn=binary_accuracy, name=name, dtype=dtype, threshold=threshold)
        self.threshold = threshold
        self._direction = "up"

    def get_config(self) -> dict:
        return {"name": self.name, "dtype": self.dtype, "threshold": self.threshold}


class CategoricalAccuracy(MeanMetricWrapper):
    """How often the argmax of the prediction matches the one-hot label.

    Args:
        name: Metric name.
        dtype: dtype of the running state.

    Example:
        >>> m = CategoricalAccuracy()
        >>> m.update_state([[0, 0, 1], [0, 1, 0]], [[0.1, 0.9, 0.8], [0.05, 0.95, 0]])
    """

    def __init__(self, name: str = "categorical_accuracy", dtype=None):
        super().__init__(fn=categorical_accuracy, name=name, dtype=dtype)
        self._direction = "up"

    def get_config(self) -> dict:
        return {"name": self.name, "dtype": self.dtype}


class SparseCategoricalAccuracy(MeanMetricWrapper):
    """How often the argmax of the prediction matches the integer label.

    Args:
        name: Metric name.
        dtype: dtype of the running state.

    Example:
        >>> m = SparseCategoricalAccuracy()
        >>> m.update_state([[2], [1]], [[0.1, 0.6, 0.3], [0.05, 0.95, 0]])
    """

    def __init__(self, name: str = "sparse_categorical_accuracy", dtype=None):
        super().__init__(fn=sparse_categorical_accuracy, name=name, dtype=dtype)
        self._direction = "up"

    def update_state(self, y_true, y_pred, sample_weight=None) -> None:
        if sample_weight is None and type(y_true) is torch.Tensor and \
                type(y_pred) is torch.Tensor and y_pred.dim() == 2 and \
                not y_true.is_floating_point() and y_pred.device == y_true.device and \
                getattr(y_pred, "_keras_mask", None) is None:
            labels = y_true.reshape(-1) if y_true.dim() == 2 and y_true.shape[-1] == 1 else y_true
            if labels.dim() == 1 and labels.shape[0] == y_pred.shape[0]:
                # Training-loop fast path: count matches directly (3 small ops; the
                # operands carry no autograd history, so no no_grad context is needed).
                if y_pred.requires_grad:
                    y_pred = y_pred.detach()
                self._defer((labels == y_pred.argmax(-1)).sum(), 1, labels.shape[0])
                return
        super().update_state(y_true, y_pred, sample_weight)

    def get_config(self) -> dict:
        return {"name": self.name, "dtype": self.dtype}


class TopKCategoricalAccuracy(MeanMetricWrapper):
    """How often the one-hot target is among the ``k`` highest predictions.

    Args:
        k: Number of top entries that count.
        name: Metric name.
        dtype: dtype of the running state.

    Example:
        >>> m = TopKCategoricalAccuracy(k=1)
    """

    def __init__(self, k: int = 5, name: str = "top_k_categorical_accuracy", dtype=None):
        super().__init__(fn=top_k_categorical_accuracy, name=name, dtype=dtype, k=k)
        self.k = k
        self._direction = "up"

    def get_config(self) -> dict:
        return {"name": self.name, "dtype": self.dtype, "k": self.k}


class SparseTopKCategoricalAccuracy(MeanMetricWrapper):
    """How often the integer target is among the ``k`` highest predictions.

    Args:
        k: Number of top entries that count.
        name: Metric name.
        dtype: dtype of the running state.
        from_sorted_ids: ``y_pred`` holds category ids sorted by decreasing score
            instead of one score per category.

    Example:
        >>> m = SparseTopKCategoricalAccuracy(k=1)
    """

    def __init__(self, k: int = 5, name: str = "sparse_top_k_categorical_accuracy", dtype=None,
                 from_sorted_ids: bool = False):
        super().__init__(fn=sparse_top_k_categorical_accuracy, name=name, dtype=dtype, k=k,
                         from_sorted_ids=from_sorted_ids)
        self.k = k
        self.from_sorted_ids = from_sorted_ids
        self._direction = "up"

    def get_config(self) -> dict:
        config = {"name": self.name, "dtype": self.dtype, "k": self.k}
        if self.from_sorted_ids:
            config["from_sorted_ids"] = True
        return config
