"""ReversibleEmbedding: an Embedding that can also project vectors back to vocabulary logits."""
from __future__ import annotations

import torch

from torchkeras import config as _config
from torchkeras.layers.core.embedding import Embedding


class ReversibleEmbedding(Embedding):
    """An ``Embedding`` whose ``call(x, reverse=True)`` maps hidden vectors
    ``(..., output_dim)`` to logits over the vocabulary ``(..., input_dim)``, as the
    output head of a language model.

    With ``tie_weights=True`` the projection is the transposed embedding table (one
    ``embeddings`` weight); otherwise the layer owns a separate ``reverse_embeddings``
    weight of shape ``(output_dim, input_dim)``, as in Keras.

    Args:
        input_dim: Vocabulary size.
        output_dim: Size of each vector.
        tie_weights: Reuse the embedding table for the reverse projection.
        embeddings_initializer: Initializer of the table(s).
        embeddings_regularizer: Penalty on the embedding table.
        embeddings_constraint: Constraint on the embedding table.
        mask_zero: Whether index 0 is padding (forward calls emit ``inputs != 0``).
        reverse_dtype: Dtype of the reverse matmul (e.g. ``"float32"`` to get full
            precision logits under mixed precision); ``None`` is the compute dtype.
        logit_soft_cap: If set, logits become ``tanh(logits / cap) * cap``.

    Example:
        >>> emb = ReversibleEmbedding(100, 16)
        >>> hidden = emb(torch.tensor([[1, 2, 3]]))          # (1, 3, 16)
        >>> emb(hidden, reverse=True).shape
        torch.Size([1, 3, 100])
    """

    def __init__(self, input_dim: int, output_dim: int, tie_weights: bool = True,
                 embeddings_initializer="uniform", embeddings_regularizer=None,
                 embeddings_constraint=None, mask_zero: bool = False,
                 reverse_dtype: str | None = None, logit_soft_cap: float | None = None,
                 **kwargs):
        if reverse_dtype is not None:
            try:
                torch_dtype = _config.to_torch_dtype(reverse_dtype)
            except (ValueError, TypeError):
                raise ValueError("ReversibleEmbedding: `reverse_dtype` must be a floating "
                                 "dtype name. Received: reverse_dtype=%r"
                                 % (reverse_dtype,)) from None
            if not torch_dtype.is_floating_point:
                raise ValueError("ReversibleEmbedding: `reverse_dtype` must be a floating "
                                 "dtype. Received: reverse_dtype=%r" % (reverse_dtype,))
            if not isinstance(reverse_dtype, str):
                reverse_dtype = _config.dtype_name(torch_dtype)   # a JSON-able config
        if logit_soft_cap is not None and (isinstance(logit_soft_cap, bool) or
                                           not isinstance(logit_soft_cap, (int, float)) or
                                           logit_soft_cap <= 0):
            raise ValueError("ReversibleEmbedding: `logit_soft_cap` must be a positive number "
                             "or None. Received: logit_soft_cap=%r" % (logit_soft_cap,))
        super().__init__(input_dim, output_dim, embeddings_initializer=embeddings_initializer,
                         embeddings_regularizer=embeddings_regularizer,
                         embeddings_constraint=embeddings_constraint, mask_zero=mask_zero,
                         **kwargs)
        self.tie_weights = bool(tie_weights)
        self.reverse_dtype = reverse_dtype
        self.logit_soft_cap = logit_soft_cap

    def build(self, input_shape=None) -> None:
        super().build(input_shape)
        if not self.tie_weights:
            self.reverse_embeddings = self.add_weight(
                name="reverse_embeddings", shape=(self.output_dim, self.input_dim),
                initializer=self.embeddings_initializer)
        self.built = True

    def call(self, inputs: torch.Tensor, reverse: bool = False) -> torch.Tensor:
        if not reverse:
            return super().call(inputs)
        if inputs.shape[-1] != self.output_dim:
            raise ValueError("ReversibleEmbedding(reverse=True) expects inputs whose last axis "
                             "is output_dim=%d, got shape %s"
                             % (self.output_dim, tuple(inputs.shape)))
        kernel = self.weight.t() if self.tie_weights else self.reverse_embeddings
        if self.reverse_dtype is not None:
            dtype = _config.to_torch_dtype(self.reverse_dtype)
        else:
            # As Keras's autocast: the matmul runs in the layer's compute dtype.
            dtype = self._dtype_policy.torch_compute
        logits = inputs.to(dtype) @ kernel.to(dtype)
        if self.logit_soft_cap is not None:
            cap = self.logit_soft_cap
            logits = torch.tanh(logits / cap) * cap
        return logits

    def compute_mask(self, inputs, previous_mask=None):
        # Reverse calls take float hidden vectors and give logits: no mask comes out.
        if inputs.is_floating_point():
            return None
        return super().compute_mask(inputs, previous_mask)

    def compute_output_shape(self, input_shape, reverse: bool = False):
        if reverse:
            return tuple(input_shape[:-1]) + (self.input_dim,)
        return super().compute_output_shape(input_shape)

    def get_config(self) -> dict:
        return {**super().get_config(), "tie_weights": self.tie_weights,
                "reverse_dtype": self.reverse_dtype, "logit_soft_cap": self.logit_soft_cap}
