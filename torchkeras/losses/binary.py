"""Binary cross-entropy losses (plain and focal)."""
from __future__ import annotations

import torch
import torch.nn.functional as F

from torchkeras import config as _config
from torchkeras.losses._utils import check_label_smoothing, pred_true, reduce_dims
from torchkeras.losses.loss import Loss
from torchkeras.losses.wrapper import LossFunctionWrapper


def _check_same_shape(y_true: torch.Tensor, y_pred: torch.Tensor) -> None:
    if y_true.shape != y_pred.shape:
        raise ValueError("Arguments `target` and `output` must have the same shape. Received: "
                         "target.shape=%s, output.shape=%s"
                         % (tuple(y_true.shape), tuple(y_pred.shape)))


def _clipped_bce(y_true: torch.Tensor, probs: torch.Tensor) -> torch.Tensor:
    """Elementwise cross-entropy of probabilities clipped to [eps, 1 - eps].

    Written out rather than ``F.binary_cross_entropy``, which refuses to run under
    ``torch.autocast``; after clipping both agree (its -100 floor never applies).
    """
    eps = _config.epsilon()
    p = torch.clamp(probs, eps, 1.0 - eps)
    return -(y_true * torch.log(p) + (1.0 - y_true) * torch.log1p(-p))


def binary_crossentropy(y_true, y_pred, from_logits: bool = False,
                        label_smoothing: float = 0.0, axis: int = -1) -> torch.Tensor:
    """Binary cross-entropy, averaged over ``axis``.

    Args:
        y_true: 0/1 targets, same shape as ``y_pred``.
        y_pred: Probabilities, or logits when ``from_logits``.
        from_logits: Whether ``y_pred`` holds logits (computed with the fused
            ``binary_cross_entropy_with_logits`` kernel).
        label_smoothing: Squeezes targets towards 0.5: ``t * (1 - s) + 0.5 * s``.
        axis: Axis to average over.

    Example:
        >>> binary_crossentropy(torch.tensor([[0.0, 1.0]]), torch.tensor([[0.4, 0.6]]))
        tensor([0.5108])
    """
    y_pred, y_true = pred_true(y_true, y_pred)
    if label_smoothing:
        y_true = y_true * (1.0 - label_smoothing) + 0.5 * label_smoothing
    _check_same_shape(y_true, y_pred)
    if from_logits:
        values = F.binary_cross_entropy_with_logits(y_pred, y_true, reduction="none")
    else:
        values = _clipped_bce(y_true, y_pred)
    return values.mean(dim=reduce_dims(axis))


def binary_focal_crossentropy(y_true, y_pred, apply_class_balancing: bool = False,
                              alpha: float = 0.25, gamma: float = 2.0,
                              from_logits: bool = False, label_smoothing: float = 0.0,
                              axis: int = -1) -> torch.Tensor:
    """Binary focal cross-entropy: ``(1 - p_t) ** gamma * bce``, averaged over ``axis``.

    Args:
        y_true: 0/1 targets.
        y_pred: Probabilities, or logits when ``from_logits``.
        apply_class_balancing: Weigh positives by ``alpha`` and negatives by ``1 - alpha``.
        alpha: Class balancing weight of the positives.
        gamma: Focusing parameter; 0 gives plain binary cross-entropy.
        from_logits: Whether ``y_pred`` holds logits.
        label_smoothing: As in ``binary_crossentropy``.
        axis: Axis to average over.

    Example:
        >>> binary_focal_crossentropy(torch.tensor([[0.0, 1.0]]), torch.tensor([[0.4, 0.6]]))
    """
    y_pred, y_true = pred_true(y_true, y_pred)
    if label_smoothing:
        y_true = y_true * (1.0 - label_smoothing) + 0.5 * label_smoothing
    _check_same_shape(y_true, y_pred)
    if from_logits:
        y_pred = torch.sigmoid(y_pred)
    bce = _clipped_bce(y_true, y_pred)
    p_t = y_true * y_pred + (1.0 - y_true) * (1.0 - y_pred)
    focal = torch.pow(1.0 - p_t, gamma) * bce
    if apply_class_balancing:
        focal = (y_true * alpha + (1.0 - y_true) * (1.0 - alpha)) * focal
    return focal.mean(dim=reduce_dims(axis))


class BinaryCrossentropy(LossFunctionWrapper):
    """Cross-entropy for 0/1 targets and one probability (or logit) per target.

    Args:
        from_logits: Whether predictions are logits (recommended: fused and stable).
        label_smoothing: Float in [0, 1]; squeezes targets towards 0.5.
        axis: Axis the per-sample mean is taken over.
        reduction: See ``Loss``.
        name: Name of the loss.
        dtype: dtype of the computation.

    Example:
        >>> bce = BinaryCrossentropy(from_logits=True)
        >>> bce(np.array([[0.0, 1.0]]), np.array([[-18.6, 0.51]]))
        tensor(0.2350)
    """

    def __init__(self, from_logits: bool = False, label_smoothing: float = 0.0, axis: int = -1,
                 reduction="sum_over_batch_size", name="binary_crossentropy", dtype=None):
        check_label_smoothing(label_smoothing, "BinaryCrossentropy")
        super().__init__(binary_crossentropy, name=name, reduction=reduction, dtype=dtype,
                         from_logits=from_logits, label_smoothing=label_smoothing, axis=axis)
        self.from_logits = from_logits
        self.label_smoothing = label_smoothing
        self.axis = axis

    def get_config(self) -> dict:
        return {**Loss.get_config(self), "from_logits": self.from_logits,
                "label_smoothing": self.label_smoothing, "axis": self.axis}

    def fast_call(self, y_true, y_pred):
        # the mean of per-sample means over equal-sized groups is the global mean
        if not self._mean_reduction or y_true.shape != y_pred.shape or not y_pred.dim() \
                or not y_pred.numel():
            return None
        ls = self.label_smoothing
        if ls:
            y_true = y_true * (1.0 - ls) + 0.5 * ls
        if self.from_logits:
            return F.binary_cross_entropy_with_logits(y_pred, y_true)
        return _clipped_bce(y_true, y_pred).mean()


class BinaryFocalCrossentropy(LossFunctionWrapper):
    """Binary cross-entropy down-weighting easy examples by ``(1 - p_t) ** gamma``.

    Args:
        apply_class_balancing: Weigh positives by ``alpha``, negatives by ``1 - alpha``.
        alpha: Balancing weight of the positives.
        gamma: Focusing parameter.
        from_logits: Whether predictions are logits.
        label_smoothing: Float in [0, 1].
        axis: Axis the per-sample mean is taken over.
        reduction: See ``Loss``.
        name: Name of the loss.
        dtype: dtype of the computation.

    Example:
        >>> BinaryFocalCrossentropy(gamma=2.0)(np.array([[0.0, 1.0]]), np.array([[0.4, 0.6]]))
    """

    def __init__(self, apply_class_balancing: bool = False, alpha: float = 0.25,
                 gamma: float = 2.0, from_logits: bool = False, label_smoothing: float = 0.0,
                 axis: int = -1, reduction="sum_over_batch_size",
                 name="binary_focal_crossentropy", dtype=None):
        check_label_smoothing(label_smoothing, "BinaryFocalCrossentropy")
        super().__init__(binary_focal_crossentropy, name=name, reduction=reduction, dtype=dtype,
                         apply_class_balancing=apply_class_balancing, alpha=alpha, gamma=gamma,
                         from_logits=from_logits, label_smoothing=label_smoothing, axis=axis)
        self.from_logits = from_logits
        self.label_smoothing = label_smoothing
        self.axis = axis
        self.apply_class_balancing = apply_class_balancing
        self.alpha = alpha
        self.gamma = gamma

    def get_config(self) -> dict:
        return {**Loss.get_config(self), "from_logits": self.from_logits,
                "label_smoothing": self.label_smoothing, "axis": self.axis,
                "apply_class_balancing": self.apply_class_balancing, "alpha": self.alpha,
                "gamma": self.gamma}
