"""Circle loss for metric learning on L2-normalised embeddings."""
from __future__ import annotations

import torch
import torch.nn.functional as F

from torchkeras.losses.loss import Loss, to_tensor
from torchkeras.losses.wrapper import LossFunctionWrapper


def _pos_neg_masks(query: torch.Tensor, keys: torch.Tensor, remove_diagonal: bool):
    query = query.reshape(-1, 1) if query.dim() == 1 else query
    keys = keys.reshape(-1, 1) if keys.dim() == 1 else keys
    positive = query == keys.transpose(0, 1)
    negative = ~positive
    if remove_diagonal:
        eye = torch.eye(query.numel(), keys.numel(), dtype=torch.bool, device=query.device)
        positive = positive & ~eye
    return positive, negative


def circle(y_true, y_pred, ref_labels=None, ref_embeddings=None,
           remove_diagonal: bool = True, gamma: float = 80, margin: float = 0.4) -> torch.Tensor:
    """Circle loss (Sun et al., 2020) of each embedding against the reference set.

    Samples without any positive pair get loss 0 and are masked out of the reduction.

    Args:
        y_true: Integer labels, shape ``(batch,)``.
        y_pred: L2-normalised embeddings, shape ``(batch, dim)``.
        ref_labels: Labels of the reference embeddings (default ``y_true``).
        ref_embeddings: Reference embeddings (default ``y_pred``).
        remove_diagonal: Do not pair an embedding with itself.
        gamma: Scale factor.
        margin: Relaxation margin.

    Example:
        >>> emb = torch.nn.functional.normalize(torch.randn(4, 8), dim=-1)
        >>> circle(torch.tensor([0, 0, 1, 1]), emb)
    """
    if not isinstance(y_pred, torch.Tensor):
        y_pred = to_tensor(y_pred)
    y_true = to_tensor(y_true, None, y_pred.device).to(torch.int32)
    ref_embeddings = y_pred if ref_embeddings is None else \
        to_tensor(ref_embeddings, y_pred.dtype, y_pred.device)
    ref_labels = y_true if ref_labels is None else \
        to_tensor(ref_labels, None, y_pred.device).to(torch.int32)

    distances = torch.clamp(1.0 - y_pred @ ref_embeddings.transpose(0, 1), min=0.0)
    positive, negative = _pos_neg_masks(y_true, ref_labels, remove_diagonal)
    pos_f = positive.to(distances.dtype)
    neg_f = negative.to(distances.dtype)

    pos_weights = torch.clamp((margin + distances) * pos_f, min=0.0)
    neg_weights = torch.clamp((1.0 + margin - distances) * neg_f, min=0.0)
    pos_logits = -gamma * pos_weights * (margin - distances)
    neg_logits = gamma * neg_weights * ((1.0 - margin) - distances)

    p_loss = torch.logsumexp(torch.where(positive, pos_logits, float("-inf")), dim=1)
    n_loss = torch.logsumexp(torch.where(negative, neg_logits, float("-inf")), dim=1)
    loss = F.softplus(p_loss + n_loss)
    loss._keras_mask = loss > 0
    return loss


class Circle(LossFunctionWrapper):
    """Circle loss: pulls same-label embeddings together, pushes others apart.

    Expects integer labels and L2-normalised embeddings.

    Args:
        gamma: Scale factor.
        margin: Relaxation margin.
        remove_diagonal: Do not pair an embedding with itself.
        reduction: See ``Loss``.
        name: Name of the loss.
        dtype: dtype of the computation.

    Example:
        >>> emb = torch.nn.functional.normalize(torch.randn(4, 8), dim=-1)
        >>> Circle()(np.array([0, 0, 1, 1]), emb)
    """

    _int_labels = True

    def __init__(self, gamma: float = 80.0, margin: float = 0.4, remove_diagonal: bool = True,
                 reduction="sum_over_batch_size", name="circle", dtype=None):
        super().__init__(circle, name=name, reduction=reduction, dtype=dtype, gamma=gamma,
                         margin=margin, remove_diagonal=remove_diagonal)
        self.gamma = gamma
        self.margin = margin
        self.remove_diagonal = remove_diagonal

    def get_config(self) -> dict:
        return {**Loss.get_config(self), "gamma": self.gamma, "margin": self.margin,
                "remove_diagonal": self.remove_diagonal}
