"""Categorical losses on one-hot (or soft) targets: cross-entropy, focal, generalized."""
from __future__ import annotations

import numbers
import warnings

import torch
import torch.nn.functional as F

from torchkeras import config as _config
from torchkeras.losses._utils import check_axis, check_label_smoothing, pred_true
from torchkeras.losses.loss import Loss, to_tensor
from torchkeras.losses.wrapper import LossFunctionWrapper


def _check_categorical(y_true: torch.Tensor, y_pred: torch.Tensor, fn_name: str) -> None:
    if y_true.shape != y_pred.shape:
        raise ValueError("Arguments `target` and `output` must have the same shape. Received: "
                         "target.shape=%s, output.shape=%s"
                         % (tuple(y_true.shape), tuple(y_pred.shape)))
    if y_pred.dim() < 1:
        raise ValueError("Arguments `target` and `output` must be at least rank 1. Received: "
                         "output.shape=%s" % (tuple(y_pred.shape),))
    if y_pred.shape[-1] == 1:
        warnings.warn("In loss %s, expected y_pred.shape to be (batch_size, num_classes) with "
                      "num_classes > 1. Received: y_pred.shape=%s. Consider using "
                      "'binary_crossentropy' if you only have 2 classes."
                      % (fn_name, tuple(y_pred.shape)), SyntaxWarning, stacklevel=3)


def _soft_cross_entropy(logits: torch.Tensor, target: torch.Tensor, dim: int,
                        label_smoothing: float, reduction: str) -> torch.Tensor:
    """``-sum(target * log_softmax(logits), dim)`` through torch's fused kernel."""
    nd = logits.dim()
    if nd == 1:
        out = F.cross_entropy(logits.unsqueeze(0), target.unsqueeze(0), reduction=reduction,
                              label_smoothing=label_smoothing)
        return out.squeeze(0) if reduction == "none" else out
    if dim == 1 and nd == 2:
        return F.cross_entropy(logits, target, reduction=reduction,
                               label_smoothing=label_smoothing)
    if dim == nd - 1:
        c = logits.shape[-1]
        out = F.cross_entropy(logits.reshape(-1, c), target.reshape(-1, c), reduction=reduction,
                              label_smoothing=label_smoothing)
        return out.reshape(logits.shape[:-1]) if reduction == "none" else out
    # the class axis goes to position 1; the remaining axes keep their order
    return F.cross_entropy(logits.movedim(dim, 1), target.movedim(dim, 1), reduction=reduction,
                           label_smoothing=label_smoothing)


def categorical_crossentropy(y_true, y_pred, from_logits: bool = False,
                             label_smoothing: float = 0.0, axis: int = -1) -> torch.Tensor:
    """Cross-entropy between one-hot (or soft) targets and predictions along ``axis``.

    Args:
        y_true: One-hot or probability targets, same shape as ``y_pred``.
        y_pred: Probabilities (renormalised, clipped to [eps, 1 - eps]) or logits.
        from_logits: Whether ``y_pred`` holds logits (fused ``F.cross_entropy``).
        label_smoothing: ``t * (1 - s) + s / num_classes``.
        axis: The class axis.

    Example:
        >>> categorical_crossentropy(torch.tensor([[0.0, 1.0]]), torch.tensor([[0.2, 0.8]]))
        tensor([0.2231])
    """
    check_axis(axis, "categorical_crossentropy")
    y_pred, y_true = pred_true(y_true, y_pred)
    _check_categorical(y_true, y_pred, "categorical_crossentropy")
    dim = axis % y_pred.dim()
    last = dim == y_pred.dim() - 1
    if label_smoothing and not (from_logits and last):
        # Keras counts classes on the last axis whatever `axis` is
        y_true = y_true * (1.0 - label_smoothing) + label_smoothing / y_true.shape[-1]
    if from_logits:
        return _soft_cross_entropy(y_pred, y_true, dim, label_smoothing if last else 0.0, "none")
    eps = _config.epsilon()
    probs = torch.clamp(y_pred / y_pred.sum(dim=dim, keepdim=True), eps, 1.0 - eps)
    return -torch.sum(y_true * torch.log(probs), dim=dim)


def categorical_focal_crossentropy(y_true, y_pred, alpha: float = 0.25, gamma: float = 2.0,
                                   from_logits: bool = False, label_smoothing: float = 0.0,
                                   axis: int = -1) -> torch.Tensor:
    """Categorical cross-entropy scaled by ``alpha * (1 - p) ** gamma`` per class.

    Args:
        y_true: One-hot targets.
        y_pred: Probabilities or logits.
        alpha: Weighting factor.
        gamma: Focusing parameter.
        from_logits: Whether ``y_pred`` holds logits.
        label_smoothing: As in ``categorical_crossentropy``.
        axis: The class axis.

    Example:
        >>> categorical_focal_crossentropy(torch.tensor([[0.0, 1.0]]), torch.tensor([[0.2, 0.8]]))
    """
    check_axis(axis, "categorical_focal_crossentropy")
    y_pred, y_true = pred_true(y_true, y_pred)
    _check_categorical(y_true, y_pred, "categorical_focal_crossentropy")
    if label_smoothing:
        y_true = y_true * (1.0 - label_smoothing) + label_smoothing / y_true.shape[-1]
    if from_logits:
        y_pred = torch.softmax(y_pred, dim=axis)
    eps = _config.epsilon()
    probs = torch.clamp(y_pred / y_pred.sum(dim=axis, keepdim=True), eps, 1.0 - eps)
    weight = alpha * torch.pow(1.0 - probs, gamma)
    return torch.sum(weight * (-y_true * torch.log(probs)), dim=axis)


def categorical_generalized_cross_entropy(y_true, y_pred, q: float) -> torch.Tensor:
    """Generalized cross-entropy ``(1 - p_true ** q) / q`` for integer labels.

    Robust to noisy labels: ``q -> 0`` approaches cross-entropy, ``q = 1`` is MAE-like.

    Args:
        y_true: Integer class labels, shape ``(batch, ...)`` (or ``(batch, ..., 1)``).
        y_pred: Class probabilities, shape ``(batch, ..., num_classes)``.
        q: In (0, 1).

    Example:
        >>> categorical_generalized_cross_entropy(torch.tensor([1]), torch.tensor([[0.2, 0.8]]), 0.5)
    """
    if not isinstance(y_pred, torch.Tensor):
        y_pred = to_tensor(y_pred)
    if not y_pred.is_floating_point():
        y_pred = y_pred.to(_config.to_torch_dtype(None))
    labels = to_tensor(y_true, None, y_pred.device)
    if labels.dtype != torch.int64:
        labels = labels.to(torch.int64)
    if labels.dim() == y_pred.dim() and labels.shape[-1] == 1:
        labels = labels.squeeze(-1)
    p = torch.gather(y_pred, -1, labels.unsqueeze(-1)).squeeze(-1)
    return (1.0 - torch.pow(p, q)) / q


class CategoricalCrossentropy(LossFunctionWrapper):
    """Cross-entropy between one-hot (or soft) labels and predictions.

    Args:
        from_logits: Whether predictions are logits (fused ``F.cross_entropy``).
        label_smoothing: Float in [0, 1]: ``t * (1 - s) + s / num_classes``.
        axis: The class axis.
        reduction: See ``Loss``.
        name: Name of the loss.
        dtype: dtype of the computation.

    Example:
        >>> cce = CategoricalCrossentropy(from_logits=True, label_smoothing=0.1)
        >>> cce(np.eye(3)[[0, 2]], np.random.randn(2, 3))
    """

    def __init__(self, from_logits: bool = False, label_smoothing: float = 0.0, axis: int = -1,
                 reduction="sum_over_batch_size", name="categorical_crossentropy", dtype=None):
        check_label_smoothing(label_smoothing, "CategoricalCrossentropy")
        check_axis(axis, "CategoricalCrossentropy")
        super().__init__(categorical_crossentropy, name=name, reduction=reduction, dtype=dtype,
                         from_logits=from_logits, label_smoothing=label_smoothing, axis=axis)
        self.from_logits = from_logits
        self.label_smoothing = label_smoothing
        self.axis = axis

    def get_config(self) -> dict:
        return {**Loss.get_config(self), "from_logits": self.from_logits,
                "label_smoothing": self.label_smoothing, "axis": self.axis}

    def fast_call(self, y_true, y_pred):
        red = self._torch_reduction
        if red is None or not self.from_logits or y_true.shape != y_pred.shape \
                or y_pred.dim() < 2 or not y_pred.numel() or y_pred.shape[-1] == 1 \
                or self.axis % y_pred.dim() != y_pred.dim() - 1:
            return None
        return _soft_cross_entropy(y_pred, y_true, y_pred.dim() - 1, self.label_smoothing, red)


class CategoricalFocalCrossentropy(LossFunctionWrapper):
    """Categorical cross-entropy focusing on hard examples (``alpha * (1 - p) ** gamma``).

    Args:
        alpha: Weighting factor.
        gamma: Focusing parameter.
        from_logits: Whether predictions are logits.
        label_smoothing: Float in [0, 1].
        axis: The class axis.
        reduction: See ``Loss``.
        name: Name of the loss.
        dtype: dtype of the computation.

    Example:
        >>> CategoricalFocalCrossentropy()(np.eye(3)[[0, 2]], np.full((2, 3), 1 / 3))
    """

    def __init__(self, alpha: float = 0.25, gamma: float = 2.0, from_logits: bool = False,
                 label_smoothing: float = 0.0, axis: int = -1, reduction="sum_over_batch_size",
                 name="categorical_focal_crossentropy", dtype=None):
        check_label_smoothing(label_smoothing, "CategoricalFocalCrossentropy")
        check_axis(axis, "CategoricalFocalCrossentropy")
        super().__init__(categorical_focal_crossentropy, name=name, reduction=reduction,
                         dtype=dtype, alpha=alpha, gamma=gamma, from_logits=from_logits,
                         label_smoothing=label_smoothing, axis=axis)
        self.from_logits = from_logits
        self.label_smoothing = label_smoothing
        self.axis = axis
        self.alpha = alpha
        self.gamma = gamma

    def get_config(self) -> dict:
        return {**Loss.get_config(self), "from_logits": self.from_logits,
                "label_smoothing": self.label_smoothing, "axis": self.axis,
                "alpha": self.alpha, "gamma": self.gamma}


class CategoricalGeneralizedCrossEntropy(LossFunctionWrapper):
    """Generalized cross-entropy (Zhang & Sabuncu, 2018) for integer labels and probabilities.

    Args:
        q: In (0, 1); smaller is closer to cross-entropy, larger is more noise-robust.
        reduction: See ``Loss``.
        name: Name of the loss.
        dtype: dtype of the computation.

    Example:
        >>> CategoricalGeneralizedCrossEntropy(q=0.7)(np.array([0, 1]), np.full((2, 2), 0.5))
    """

    _int_labels = True

    def __init__(self, q: float = 0.5, reduction="sum_over_batch_size",
                 name="categorical_generalized_cross_entropy", dtype=None):
        if isinstance(q, bool) or not isinstance(q, numbers.Real) or not 0 < q < 1:
            raise ValueError("CategoricalGeneralizedCrossEntropy: q must be in the interval "
                             "(0, 1). Received: q=%r" % (q,))
        super().__init__(categorical_generalized_cross_entropy, name=name, reduction=reduction,
                         dtype=dtype, q=q)
        self.q = q

    def get_config(self) -> dict:
        return {**Loss.get_config(self), "q": self.q}
