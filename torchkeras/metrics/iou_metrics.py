"""Intersection-over-Union metrics built on a running confusion matrix."""
from __future__ import annotations

import warnings

import torch

from torchkeras import config as _config
from torchkeras.metrics import metrics_utils as mu
from torchkeras.metrics.metric import Metric


class _IoUBase(Metric):
    """Accumulates a ``(num_classes, num_classes)`` confusion matrix (rows: labels)."""

    def __init__(self, num_classes: int, name: str | None = None, dtype=None,
                 ignore_class: int | None = None, sparse_y_true: bool = True,
                 sparse_y_pred: bool = True, axis: int = -1):
        # Integer counts by default, as in Keras.
        super().__init__(name=name, dtype=dtype or "int32")
        self._direction = "up"
        if not isinstance(num_classes, int) or num_classes < 1:
            raise ValueError("%s expects `num_classes` to be a positive int, got %r"
                             % (type(self).__name__, num_classes))
        self.num_classes = num_classes
        self.ignore_class = ignore_class
        self.sparse_y_true = sparse_y_true
        self.sparse_y_pred = sparse_y_pred
        self.axis = axis
        self.total_cm = self.add_variable(shape=(num_classes, num_classes), initializer="zeros",
                                          dtype=self.dtype, name="total_confusion_matrix")

    def update_state(self, y_true, y_pred, sample_weight=None) -> None:
        """Adds this batch to the confusion matrix.

        Args:
            y_true: Class ids (or one-hot rows with ``sparse_y_true=False``).
            y_pred: Class ids (or scores with ``sparse_y_pred=False``).
            sample_weight: Optional weights; values outside ``[0, num_classes)`` and
                ``ignore_class`` labels get weight 0.
        """
        y_true = self._convert(y_true)
        y_pred = self._convert(y_pred)
        if not self.sparse_y_true:
            y_true = torch.argmax(y_true, dim=self.axis)
        if not self.sparse_y_pred:
            y_pred = torch.argmax(y_pred, dim=self.axis)
        cm_dtype = self.total_cm.dtype
        y_true = y_true.to(cm_dtype).reshape(-1)
        y_pred = y_pred.to(cm_dtype).reshape(-1)
        if sample_weight is None:
            sw = torch.ones((), dtype=cm_dtype, device=self._device)
        else:
            sw = self._convert(sample_weight)
            if sw.is_floating_point() and not cm_dtype.is_floating_point:
                warnings.warn("You are passing weight as `float`, but dtype is `int`. This may "
                              "result in an incorrect weight due to type casting Consider using "
                              "integer weights.")
            sw = sw.to(cm_dtype)
            if sw.dim() > 1:
                sw = sw.reshape(-1)
        sw = sw.expand(y_true.shape)
        n = self.num_classes
        valid = (y_true >= 0) & (y_true < n) & (y_pred >= 0) & (y_pred < n)
        if self.ignore_class is not None:
            valid &= y_true != self.ignore_class
        zero = torch.zeros((), dtype=cm_dtype, device=self._device)
        mu.confusion_matrix_update(self.total_cm, torch.where(valid, y_true, zero),
                                   torch.where(valid, y_pred, zero), torch.where(valid, sw, zero))

    def reset_state(self) -> None:
        with torch.no_grad():
            self.total_cm.zero_()


class IoU(_IoUBase):
    """Mean Intersection-over-Union of the target classes: ``TP / (TP + FP + FN)``.

    Classes absent from both labels and predictions are left out of the mean.

    Args:
        num_classes: Number of classes.
        target_class_ids: Ids of the classes whose IoU is averaged.
        name: Metric name.
        dtype: dtype of the confusion matrix (default int32).
        ignore_class: Label id to skip (e.g. a "void" class).
        sparse_y_true: Labels are class ids (``False``: one-hot/scores, argmax taken).
        sparse_y_pred: Predictions are class ids (``False``: scores, argmax taken).
        axis: Class axis for the argmax.

    Example:
        >>> m = IoU(num_classes=2, target_class_ids=[0])
        >>> m.update_state([0, 0, 1, 1], [0, 1, 0, 1])
        >>> round(float(m.result()), 4)
        0.3333
    """

    def __init__(self, num_classes: int, target_class_ids, name: str | None = None, dtype=None,
                 ignore_class: int | None = None, sparse_y_true: bool = True,
                 sparse_y_pred: bool = True, axis: int = -1):
        super().__init__(num_classes=num_classes, name=name, dtype=dtype,
                         ignore_class=ignore_class, sparse_y_true=sparse_y_true,
                         sparse_y_pred=sparse_y_pred, axis=axis)
        target_class_ids = list(target_class_ids)
        if not target_class_ids:
            raise ValueError("IoU expects at least one target class id")
        if max(target_class_ids) >= num_classes:
            raise ValueError("Target class id %s is out of range, which is [0, %s)."
                             % (max(target_class_ids), num_classes))
        self.target_class_ids = target_class_ids
        self.register_buffer("_target_ids", torch.as_tensor(target_class_ids, dtype=torch.int64)
                             .to(self._device), persistent=False)

    def result(self) -> torch.Tensor:
        cm = self.total_cm.detach()
        compute = _config.to_torch_dtype(self.dtype)
        tp = torch.diagonal(cm).to(compute)
        denominator = cm.sum(0).to(compute) + cm.sum(1).to(compute) - tp
        tp = tp[self._target_ids].to(torch.float32)
        denominator = denominator[self._target_ids].to(torch.float32)
        valid = denominator > 1e-9
        iou = torch.where(valid, tp / (denominator + _config.epsilon()), 0.0)
        return iou.sum() / (valid.to(torch.float32).sum() + _config.epsilon())

    def get_config(self) -> dict:
        return {**super().get_config(), "num_classes": self.num_classes,
                "target_class_ids": self.target_class_ids, "ignore_class": self.ignore_class,
                "sparse_y_true": self.sparse_y_true, "sparse_y_pred": self.sparse_y_pred,
                "axis": self.axis}


class BinaryIoU(IoU):
    """IoU for binary labels, with predictions thresholded at ``threshold``.

    Args:
        target_class_ids: Which of the classes 0 and 1 to average (default both).
        threshold: Scores at or above it are class 1.
        name: Metric name.
        dtype: dtype of the confusion matrix (default int32).

    Example:
        >>> m = BinaryIoU(target_class_ids=[0, 1], threshold=0.3)
        >>> m.update_state([0, 1, 0, 1], [0.1, 0.2, 0.4, 0.7])
    """

    def __init__(self, target_class_ids=(0, 1), threshold: float = 0.5,
                 name: str | None = None, dtype=None):
        super().__init__(num_classes=2, target_class_ids=target_class_ids, name=name,
                         dtype=dtype)
        self.threshold = threshold

    def update_state(self, y_true, y_pred, sample_weight=None) -> None:
        y_pred = self._convert(y_pred, torch.float32)
        super().update_state(y_true, (y_pred >= self.threshold).to(self.total_cm.dtype),
                             sample_weight)

    def get_config(self) -> dict:
        return {"target_class_ids": self.target_class_ids, "threshold": self.threshold,
                "name": self.name, "dtype": self.dtype}


class MeanIoU(IoU):
    """IoU averaged over all ``num_classes`` classes.

    Args:
        num_classes: Number of classes.
        name: Metric name.
        dtype: dtype of the confusion matrix (default int32).
        ignore_class: Label id to skip.
        sparse_y_true: Labels are class ids (``False``: argmax taken).
        sparse_y_pred: Predictions are class ids (``False``: argmax taken).
        axis: Class axis for the argmax.

    Example:
        >>> m = MeanIoU(num_classes=2)
        >>> m.update_state([0, 0, 1, 1], [0, 1, 0, 1])
    """

    def __init__(self, num_classes: int, name: str | None = None, dtype=None,
                 ignore_class: int | None = None, sparse_y_true: bool = True,
                 sparse_y_pred: bool = True, axis: int = -1):
        super().__init__(num_classes=num_classes, target_class_ids=list(range(num_classes)),
                         name=name, dtype=dtype, ignore_class=ignore_class,
                         sparse_y_true=sparse_y_true, sparse_y_pred=sparse_y_pred, axis=axis)

    def get_config(self) -> dict:
        return {"num_classes": self.num_classes, "name": self.name, "dtype": self.dtype,
                "ignore_class": self.ignore_class, "sparse_y_true": self.sparse_y_true,
                "sparse_y_pred": self.sparse_y_pred, "axis": self.axis}


class OneHotIoU(IoU):
    """IoU of the target classes for one-hot labels (argmax of labels and scores).

    Args:
        num_classes: Number of classes.
        target_class_ids: Ids of the classes whose IoU is averaged.
        name: Metric name.
        dtype: dtype of the confusion matrix (default int32).
        ignore_class: Label id to skip.
        sparse_y_pred: Predictions are already class ids.
        axis: Class axis.

    Example:
        >>> m = OneHotIoU(num_classes=3, target_class_ids=[0, 2])
    """

    def __init__(self, num_classes: int, target_class_ids, name: str | None = None, dtype=None,
                 ignore_class: int | None = None, sparse_y_pred: bool = False, axis: int = -1):
        super().__init__(num_classes=num_classes, target_class_ids=target_class_ids, name=name,
                         dtype=dtype, ignore_class=ignore_class, sparse_y_true=False,
                         sparse_y_pred=sparse_y_pred, axis=axis)

    def get_config(self) -> dict:
        return {"num_classes": self.num_classes, "target_class_ids": self.target_class_ids,
                "name": self.name, "dtype": self.dtype, "ignore_class": self.ignore_class,
                "sparse_y_pred": self.sparse_y_pred, "axis": self.axis}


class OneHotMeanIoU(MeanIoU):
    """IoU averaged over all classes, for one-hot labels.

    Args:
        num_classes: Number of classes.
        name: Metric name.
        dtype: dtype of the confusion matrix (default int32).
        ignore_class: Label id to skip.
        sparse_y_pred: Predictions are already class ids.
        axis: Class axis.

    Example:
        >>> m = OneHotMeanIoU(num_classes=3)
    """

    def __init__(self, num_classes: int, name: str | None = None, dtype=None,
                 ignore_class: int | None = None, sparse_y_pred: bool = False, axis: int = -1):
        super().__init__(num_classes=num_classes, name=name, dtype=dtype,
                         ignore_class=ignore_class, sparse_y_true=False,
                         sparse_y_pred=sparse_y_pred, axis=axis)

    def get_config(self) -> dict:
        return {"num_classes": self.num_classes, "name": self.name, "dtype": self.dtype,
                "ignore_class": self.ignore_class, "sparse_y_pred": self.sparse_y_pred,
                "axis": self.axis}
