"""Connectionist Temporal Classification (CTC) loss."""
from __future__ import annotations

import torch
import torch.nn.functional as F

from torchkeras.losses.loss import Loss, to_tensor
from torchkeras.losses.wrapper import LossFunctionWrapper


def ctc(y_true, y_pred) -> torch.Tensor:
    """CTC loss per sample; label 0 is both the blank and the padding of ``y_true``.

    Every sequence uses the full ``y_pred`` length; a label sequence's length is its
    number of non-zero entries (so padding must come last).

    Args:
        y_true: Integer labels, shape ``(batch, max_label_length)``, 0-padded.
        y_pred: Logits, shape ``(batch, time, num_classes)``.

    Example:
        >>> ctc(torch.tensor([[1, 2, 0]]), torch.randn(1, 6, 4))
    """
    if not isinstance(y_pred, torch.Tensor):
        y_pred = to_tensor(y_pred)
    labels = to_tensor(y_true, None, y_pred.device)
    if labels.dim() != 2:
        raise ValueError("Targets `y_true` are expected to be a tensor of shape "
                         "`(batch_size, max_length)` in integer format. Received: "
                         "y_true.shape=%s" % (tuple(labels.shape),))
    if y_pred.dim() != 3:
        raise ValueError("Logits `y_pred` are expected to be a tensor of shape "
                         "`(batch_size, max_length, num_classes)`. Received: "
                         "y_pred.shape=%s" % (tuple(y_pred.shape),))
    if y_pred.dtype in (torch.float16, torch.bfloat16) or not y_pred.is_floating_point():
        y_pred = y_pred.float()
    labels = labels.to(torch.int64)
    batch, time = y_pred.shape[0], y_pred.shape[1]
    input_lengths = torch.full((batch,), time, dtype=torch.int64, device=y_pred.device)
    label_lengths = (labels != 0).sum(dim=-1)
    log_probs = F.log_softmax(y_pred.transpose(0, 1), dim=-1)
    return F.ctc_loss(log_probs, labels, input_lengths, label_lengths, blank=0,
                      reduction="none")


class CTC(LossFunctionWrapper):
    """CTC loss for unsegmented sequence labelling (speech, handwriting).

    Args:
        reduction: See ``Loss``.
        name: Name of the loss.
        dtype: dtype of the computation.

    Example:
        >>> CTC()(np.array([[1, 2, 0]]), np.random.randn(1, 6, 4))
    """

    _int_labels = True

    def __init__(self, reduction="sum_over_batch_size", name="ctc", dtype=None):
        super().__init__(ctc, name=name, reduction=reduction, dtype=dtype)

    def get_config(self) -> dict:
        return Loss.get_config(self)
