"""Embedding: integer indices -> dense vectors, stored as ``nn.Embedding`` stores them."""
from __future__ import annotations

import torch
import torch.nn.functional as F

from torchkeras import constraints, initializers, regularizers
from torchkeras.layers.layer import Layer


def _check_positive(name: str, value) -> None:
    if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
        raise ValueError("Embedding `%s` must be a positive integer. Received: %s=%r (of type "
                         "%s)." % (name, name, value, type(value).__name__))


class Embedding(Layer):
    """Maps each integer in ``[0, input_dim)`` to a trainable vector of size ``output_dim``.

    The table is ``weight`` of shape ``(input_dim, output_dim)``: both ``nn.Embedding``'s
    storage and Keras's ``embeddings`` layout, so ``state_dict()`` loads into
    ``nn.Embedding`` and ``get_weights()`` into Keras unchanged.

    Args:
        input_dim: Vocabulary size (largest index + 1).
        output_dim: Size of each vector.
        embeddings_initializer: Initializer of the table (``"uniform"``: U(-0.05, 0.05)).
        embeddings_regularizer: Penalty on the table, added to ``losses``.
        embeddings_constraint: Projection of the table after each optimizer step.
        mask_zero: Whether index 0 is padding: the layer then emits the mask
            ``inputs != 0`` for downstream layers (so ``input_dim`` should count it).
        weights: Optional initial table (``[array]`` or ``array``).

    Example:
        >>> layer = Embedding(1000, 64, mask_zero=True)
        >>> layer(torch.tensor([[4, 2, 0]])).shape
        torch.Size([1, 3, 64])
    """

    def __init__(self, input_dim: int, output_dim: int, embeddings_initializer="uniform",
                 embeddings_regularizer=None, embeddings_constraint=None,
                 mask_zero: bool = False, weights=None, lora_rank=None, lora_alpha=None,
                 quantization_config=None, **kwargs):
        _check_positive("input_dim", input_dim)
        _check_positive("output_dim", output_dim)
        if lora_rank:
            raise ValueError("Embedding: LoRA (`lora_rank`) is not supported by torchkeras.")
        if quantization_config is not None:
            raise ValueError("Embedding: `quantization_config` is not supported by torchkeras.")
        kwargs.pop("input_length", None)   # deprecated in Keras 3, ignored there too
        super().__init__(**kwargs)
        self.input_dim = input_dim
        self.output_dim = output_dim
        self.embeddings_initializer = initializers.get(embeddings_initializer)
        self.embeddings_regularizer = regularizers.get(embeddings_regularizer)
        self.embeddings_constraint = constraints.get(embeddings_constraint)
        self.mask_zero = bool(mask_zero)
        self.supports_masking = self.mask_zero
        self.autocast = False
        if weights is not None:
            if not (isinstance(weights, list) and len(weights) == 1):
                weights = [weights]
            self._initial_weights = weights
            self._maybe_build(None)

    def build(self, input_shape=None) -> None:
        # torch's parameter name is nn.Embedding's `weight`; the Keras variable name stays.
        self.weight = self.add_weight(name="embeddings", shape=(self.input_dim, self.output_dim),
                                      initializer=self.embeddings_initializer,
                                      regularizer=self.embeddings_regularizer,
                                      constraint=self.embeddings_constraint)
        self.built = True

    @property
    def embeddings(self) -> torch.Tensor:
        if not self.built:
            raise AttributeError("You must build the layer before accessing `embeddings`.")
        return self.weight

    def call(self, inputs):
        if inputs.dtype not in (torch.int32, torch.int64):
            inputs = inputs.long()
        out = F.embedding(inputs, self.weight)
        compute = self._dtype_policy.torch_compute
        return out if out.dtype == compute else out.to(compute)

    def compute_mask(self, inputs, previous_mask=None):
        if not self.mask_zero:
            return None
        return inputs != 0

    def compute_output_shape(self, input_shape):
        return tuple(input_shape) + (self.output_dim,)

    def get_config(self) -> dict:
        return {
            **super().get_config(),
            "input_dim": self.input_dim,
            "output_dim": self.output_dim,
            "embeddings_initializer": initializers.serialize(self.embeddings_initializer),
            "embeddings_regularizer": regularizers.serialize(self.embeddings_regularizer),
            "activity_regularizer": regularizers.serialize(self.activity_regularizer),
            "embeddings_constraint": constraints.serialize(self.embeddings_constraint),
            "mask_zero": self.mask_zero,
            "quantization_config": None,
        }
