"""Sparse categorical cross-entropy: integer labels against per-class scores.

Labels outside ``[0, num_classes)`` are not checked at every call (that would need a
host sync every step): on CPU torch raises and we re-raise a ``ValueError``; on CUDA the
kernel would fail with a device-side assertion that ends the process's CUDA context, so
``fit``/``evaluate`` call :meth:`SparseCategoricalCrossentropy.check_labels` on their
first batch. A label of -100 (torch's ``ignore_index``) contributes 0 to the loss.
"""
from __future__ import annotations

import numbers

import torch
import torch.nn.functional as F

from torchkeras import config as _config
from torchkeras.losses._utils import check_axis
from torchkeras.losses.loss import Loss, to_tensor
from torchkeras.losses.wrapper import LossFunctionWrapper

_TORCH_IGNORE = -100


def _labels(y_true, y_pred: torch.Tensor, axis: int) -> torch.Tensor:
    labels = y_true if isinstance(y_true, torch.Tensor) else to_tensor(y_true)
    if labels.device != y_pred.device:
        labels = labels.to(y_pred.device, non_blocking=True)
    if labels.dtype != torch.int64:
        labels = labels.to(torch.int64)
    if labels.dim() == y_pred.dim() and labels.dim() and labels.shape[axis] == 1:
        labels = labels.squeeze(axis)
    return labels


def _out_of_range(err: Exception, num_classes: int) -> ValueError:
    return ValueError("sparse_categorical_crossentropy: labels must be integers in [0, %d) "
                      "(num_classes = y_pred.shape[axis]); %s" % (num_classes, err))


def _per_sample(labels: torch.Tensor, y_pred: torch.Tensor, dim: int, from_logits: bool,
                ignore_index: int, reduction: str) -> torch.Tensor:
    nd = y_pred.dim()
    out_shape = labels.shape
    if nd == 1:
        y_pred, labels = y_pred.unsqueeze(0), labels.unsqueeze(0)
        dim, nd = 1, 2
    if dim == nd - 1 and nd > 2:
        # (N, ..., C) -> (M, C): the layout the fused kernel prefers
        y_pred, labels = y_pred.reshape(-1, y_pred.shape[-1]), labels.reshape(-1)
    elif dim != 1:
        y_pred = y_pred.movedim(dim, 1)
    try:
        if from_logits:
            out = F.cross_entropy(y_pred, labels, reduction=reduction, ignore_index=ignore_index)
        else:
            eps = _config.epsilon()
            probs = torch.clamp(y_pred / y_pred.sum(dim=1, keepdim=True), eps, 1.0 - eps)
            out = F.nll_loss(torch.log(probs), labels, reduction=reduction,
                             ignore_index=ignore_index)
    except IndexError as e:
        raise _out_of_range(e, y_pred.shape[1]) from None
    return out.reshape(out_shape) if reduction == "none" else out


def sparse_categorical_crossentropy(y_true, y_pred, from_logits: bool = False,
                                    ignore_class: int | None = None,
                                    axis: int = -1) -> torch.Tensor:
    """Cross-entropy between integer labels and class probabilities (or logits).

    Args:
        y_true: Integer labels, shape ``y_pred.shape`` without the class axis (a
            trailing axis of size 1 is accepted). Float labels are truncated.
        y_pred: Probabilities (renormalised, clipped to [eps, 1 - eps]) or logits.
        from_logits: Whether ``y_pred`` holds logits (fused ``F.cross_entropy``).
        ignore_class: A label value whose entries get loss 0 and are masked out of
            the reduction (e.g. padding).
        axis: The class axis.

    Example:
        >>> sparse_categorical_crossentropy(torch.tensor([1]), torch.tensor([[0.2, 0.8]]))
        tensor([0.2231])
    """
    if not isinstance(y_pred, torch.Tensor):
        y_pred = to_tensor(y_pred)
    if not y_pred.is_floating_point():
        y_pred = y_pred.to(_config.to_torch_dtype(None))
    if y_pred.dim() < 1:
        raise ValueError("Argument `output` must be at least rank 1. Received: output.shape=%s"
                         % (tuple(y_pred.shape),))
    labels = _labels(y_true, y_pred, axis)
    dim = axis % y_pred.dim()
    expected = y_pred.shape[:dim] + y_pred.shape[dim + 1:]
    if labels.shape != expected:
        raise ValueError("Arguments `target` and `output` must have the same shape up until the "
                         "last dimension: target.shape=%s, output.shape=%s"
                         % (tuple(labels.shape), tuple(y_pred.shape)))
    ignore = _TORCH_IGNORE if ignore_class is None else int(ignore_class)
    res = _per_sample(labels, y_pred, dim, from_logits, ignore, "none")
    if ignore_class is not None:
        valid = labels != ignore
        res = torch.where(valid, res, 0.0)
        res._keras_mask = valid
    return res


class SparseCategoricalCrossentropy(LossFunctionWrapper):
    """Cross-entropy between integer labels and predicted class scores.

    With ``from_logits=True`` and no sample weights the whole call is one
    ``F.cross_entropy``.

    Args:
        from_logits: Whether predictions are logits.
        ignore_class: Label value to ignore (masked out of the mean), e.g. padding.
        reduction: See ``Loss``.
        axis: The class axis.
        name: Name of the loss.
        dtype: dtype of the computation.

    Example:
        >>> scce = SparseCategoricalCrossentropy(from_logits=True)
        >>> scce(np.array([1, 2]), np.random.randn(2, 3))
    """

    _int_labels = True

    def __init__(self, from_logits: bool = False, ignore_class: int | None = None,
                 reduction="sum_over_batch_size", axis: int = -1,
                 name="sparse_categorical_crossentropy", dtype=None):
        if ignore_class is not None and (isinstance(ignore_class, bool)
                                         or not isinstance(ignore_class, numbers.Integral)):
            raise ValueError("SparseCategoricalCrossentropy: `ignore_class` must be an int or "
                             "None. Received: ignore_class=%r" % (ignore_class,))
        check_axis(axis, "SparseCategoricalCrossentropy")
        super().__init__(sparse_categorical_crossentropy, name=name, reduction=reduction,
                         dtype=dtype, from_logits=from_logits, ignore_class=ignore_class,
                         axis=axis)
        self.from_logits = from_logits
        self.ignore_class = ignore_class
        self.axis = axis

    def check_labels(self, y_true, y_pred) -> None:
        """Raises ``ValueError`` if a label lies outside ``[0, num_classes)``.

        ``ignore_class`` and -100 are allowed. One host sync: the training loops run it
        on their first batch rather than every step.
        """
        y_pred = y_pred if isinstance(y_pred, torch.Tensor) else to_tensor(y_pred)
        if y_pred.dim() == 0:
            return
        labels = _labels(y_true, y_pred, self.axis)
        num_classes = y_pred.shape[self.axis]
        bad = (labels < 0) | (labels >= num_classes)
        bad &= labels != _TORCH_IGNORE
        if self.ignore_class is not None:
            bad &= labels != int(self.ignore_class)
        found = labels[bad]
        if found.numel():
            raise ValueError("%s: labels must be integers in [0, %d); found label %d "
                             "(num_classes = y_pred.shape[axis] = %d)"
                             % (self.name, num_classes, int(found[0]), num_classes))

    def get_config(self) -> dict:
        # Keras leaves `axis` out of the config and loses it on reload; keep it.
        return {**Loss.get_config(self), "from_logits": self.from_logits,
                "ignore_class": self.ignore_class, "axis": self.axis}

    def fast_call(self, y_true, y_pred):
        red = self._torch_reduction
        nd = y_pred.dim()
        if nd == 2 and red is not None and self.from_logits and self.ignore_class is None \
                and y_true.dtype is torch.int64 and y_true.dim() == 1 \
                and y_true.shape[0] == y_pred.shape[0] and self.axis in (-1, 1):
            # The training loop's usual case: (N, C) logits, (N,) labels — one kernel.
            try:
                return F.cross_entropy(y_pred, y_true, ignore_index=_TORCH_IGNORE,
                                       reduction=red)
            except IndexError as e:
                raise _out_of_range(e, y_pred.shape[1]) from None
        if red is None or nd < 2 or not y_pred.numel() or self.axis % nd != nd - 1:
            return None
        labels = y_true
        if labels.dim() == nd and labels.shape[-1] == 1:
            labels = labels.squeeze(-1)
        if labels.shape != y_pred.shape[:-1]:
            return None  # the general path explains the mismatch
        if labels.dtype != torch.int64:
            labels = labels.to(torch.int64)
        ic = self.ignore_class
        if ic is None:
            return _per_sample(labels, y_pred, nd - 1, self.from_logits, _TORCH_IGNORE, red)
        total = _per_sample(labels, y_pred, nd - 1, self.from_logits, int(ic), "sum")
        if red == "sum":
            return total
        # Keras's masked mean: sum over valid entries / number of valid entries (0 if none)
        valid = (labels != ic).sum().clamp_min(1).to(total.dtype)
        return total / valid
