"""GroupedQueryAttention (Ainslie et al., 2023): query heads share fewer key/value heads."""
from __future__ import annotations

import math

import torch

from torchkeras import constraints, initializers, regularizers
from torchkeras.layers.attention import attention_utils as au
from torchkeras.layers.attention.head_dense import HeadDense
from torchkeras.layers.attention.multi_head_attention import clone_initializer
from torchkeras.layers.call_context import no_fake_mode
from torchkeras.layers.keras_tensor import KerasTensor
from torchkeras.layers.layer import Layer
from torchkeras.layers.regularization.seeding import SeedStream


class GroupedQueryAttention(au.ProjectionBuildConfig, Layer):
    """Grouped-query attention, exported as ``GroupQueryAttention`` too (Keras exports it
    under that name; its class, hence weight-file paths and default names, is
    ``GroupedQueryAttention``).

    ``num_query_heads`` query heads attend with ``num_key_value_heads`` key/value heads,
    each shared by ``num_query_heads // num_key_value_heads`` consecutive query heads.
    The attention runs in ``F.scaled_dot_product_attention`` with ``enable_gqa`` (no
    repeated keys/values) unless scores are requested.

    Args:
        head_dim: Size of each head.
        num_query_heads: Number of query heads.
        num_key_value_heads: Number of key and value heads (divides ``num_query_heads``).
        dropout: Dropout rate on the attention probabilities.
        use_bias: Whether the projections have biases.
        sliding_window: Attend only to keys within this distance.
        flash_attention: Accepted for Keras compatibility.
        kernel_initializer, bias_initializer, kernel_regularizer, bias_regularizer,
        activity_regularizer, kernel_constraint, bias_constraint: For the projections.
        use_gate: Multiply the attention output by a sigmoid gate projected from the query.
        seed: Seed of the attention dropout.

    Example:
        >>> gqa = GroupQueryAttention(head_dim=16, num_query_heads=8, num_key_value_heads=2)
        >>> y = gqa(torch.randn(2, 10, 64), torch.randn(2, 12, 64))   # (2, 10, 64)
    """

    _keras_class_name = "GroupQueryAttention"   # the name Keras writes in configs

    def __init__(self, head_dim: int, num_query_heads: int, num_key_value_heads: int,
                 dropout: float = 0.0, use_bias: bool = True, sliding_window=None,
                 flash_attention=None, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", kernel_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, kernel_constraint=None, bias_constraint=None,
                 use_gate: bool = False, seed=None, **kwargs):
        if num_query_heads % num_key_value_heads != 0:
            raise ValueError("`num_query_heads` must be divisible by `num_key_value_heads`.")
        if sliding_window is not None and (isinstance(sliding_window, bool) or not isinstance(
                sliding_window, int) or sliding_window <= 0):
            raise ValueError("`sliding_window` must be `None` or a positive integer. "
                             "Received: sliding_window=%r" % (sliding_window,))
        if flash_attention and dropout > 0.0:
            raise ValueError("Dropout is not supported when flash attention is enabled. "
                             "Please set dropout to 0.0 to use flash attention.")
        super().__init__(**kwargs)
        self.supports_masking = True
        self.head_dim = head_dim
        self.num_query_heads = num_query_heads
        self.num_key_value_heads = num_key_value_heads
        self.num_repeats = num_query_heads // num_key_value_heads
        self.dropout = dropout
        self.use_bias = bool(use_bias)
        self.use_gate = bool(use_gate)
        self.sliding_window = sliding_window
        self._flash_attention = flash_attention
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self._activity_regularizer = regularizers.get(activity_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self.seed = seed
        self._rng = SeedStream(seed)
        self._scale = 1.0 / math.sqrt(float(head_dim))
        self._projections_built = False
        self._build_shapes = None

    def build(self, query_shape, value_shape=None, key_shape=None) -> None:
        if value_shape is not None:
            self._build_projections(query_shape, value_shape, key_shape)
        self.built = True

    def _common(self) -> dict:
        return dict(kernel_initializer=clone_initializer(self.kernel_initializer),
                    bias_initializer=clone_initializer(self.bias_initializer),
                    kernel_regularizer=self.kernel_regularizer,
                    bias_regularizer=self.bias_regularizer,
                    activity_regularizer=self._activity_regularizer,
                    kernel_constraint=self.kernel_constraint,
                    bias_constraint=self.bias_constraint, use_bias=self.use_bias,
                    dtype=self.dtype_policy)

    def _build_projections(self, query_shape, value_shape, key_shape=None) -> None:
        if self._projections_built:
            return
        query_shape, value_shape = tuple(query_shape), tuple(value_shape)
        key_shape = value_shape if key_shape is None else tuple(key_shape)
        self.feature_dim = query_shape[-1]
        hq, hkv, hd = self.num_query_heads, self.num_key_value_heads, self.head_dim
        device = getattr(self, "_build_device", None) or self._weight_device()
        with no_fake_mode():
            subs = [("query_dense", HeadDense((query_shape[-1],), (hq, hd), name="query",
                                              **self._common()), query_shape),
                    ("key_dense", HeadDense((key_shape[-1],), (hkv, hd), name="key",
                                            **self._common()), key_shape)]
            if self.use_gate:
                subs.append(("gate_dense", HeadDense((query_shape[-1],), (hq, hd), name="gate",
                                                     activation="sigmoid", **self._common()),
                             query_shape))
            subs += [("value_dense", HeadDense((value_shape[-1],), (hkv, hd), name="value",
                                               **self._common()), value_shape),
                     ("output_dense", HeadDense((hq, hd), (self.feature_dim,),
                                                name="attention_output", **self._common()),
                      None)]
            for attr, layer, shape in subs:
                layer._maybe_build(shape, device)
                setattr(self, attr, layer)
        self._build_shapes = {"query_shape": list(query_shape), "value_shape": list(value_shape),
                              "key_shape": list(key_shape)}
        self._projections_built = True

    def call(self, query, value, key=None, query_mask=None, value_mask=None, key_mask=None,
             attention_mask=None, return_attention_scores: bool = False, training=None,
             use_causal_mask: bool = False):
        if key is None:
            key = value
        elif key_mask is None:
            key_mask = au.keras_mask_of(key)
        self._build_projections(query.shape, value.shape, key.shape)
        if query_mask is None:
            query_mask = au.keras_mask_of(query)
        if value_mask is None:
            value_mask = au.keras_mask_of(value)
        causal_only = (use_causal_mask and query_mask is None and value_mask is None
                       and key_mask is None and attention_mask is None
                       and self.sliding_window is None)
        mask = None if causal_only else au.merge_masks(
            query.shape[1], value.shape[1], query.device, query_mask, value_mask, key_mask,
            attention_mask, use_causal_mask, self.sliding_window)
        gate = self.gate_dense(query) if self.use_gate else None
        q, k, v = self.query_dense(query), self.key_dense(key), self.value_dense(value)
        if mask is not None:
            for _ in range(4 - mask.dim()):
                mask = mask.unsqueeze(-3)
        training = bool(training)
        if not return_attention_scores and (self.dropout == 0 or mask is None):
            p = self.dropout if training else 0.0
            out = au.sdpa(q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2), mask,
                          scale=self._scale, dropout_p=p, is_causal=causal_only,
                          enable_gqa=self.num_repeats > 1).transpose(1, 2)
            scores = None
        else:
            if causal_only:
                mask = au.causal_mask(q.shape[1], v.shape[1], q.device).unsqueeze(1)
            k = k.repeat_interleave(self.num_repeats, dim=2)
            v = v.repeat_interleave(self.num_repeats, dim=2)
            scores = torch.einsum("bquh,bkuh->buqk", q * self._scale, k)
            scores = au.masked_softmax(scores, mask)
            dropped = au.dropout(scores, self.dropout, self._rng) if training else scores
            out = torch.einsum("buqk,bkuh->bquh", dropped, v)
        if gate is not None:
            out = out * gate
        out = self.output_dense(out)
        return (out, scores) if return_attention_scores else out

    def compute_output_shape(self, query_shape, value_shape=None, key_shape=None):
        if value_shape is not None:
            key_shape = value_shape if key_shape is None else key_shape
            if query_shape[-1] != value_shape[-1]:
                raise ValueError("The last dimension of `query_shape` and `value_shape` must "
                                 "be equal, but are %s, %s. Received: query_shape=%s, "
                                 "value_shape=%s" % (query_shape[-1], value_shape[-1],
                                                     tuple(query_shape), tuple(value_shape)))
            if tuple(value_shape[1:-1]) != tuple(key_shape[1:-1]):
                raise ValueError("All dimensions of `value` and `key`, except the last one, "
                                 "must be equal. Received: value_shape=%s and key_shape=%s"
                                 % (tuple(value_shape), tuple(key_shape)))
        return tuple(query_shape)

    def compute_output_spec(self, query, value, key=None, query_mask=None, value_mask=None,
                            key_mask=None, attention_mask=None,
                            return_attention_scores: bool = False, training=None,
                            use_causal_mask: bool = False):
        key_shape = key.shape if key is not None else None
        self._build_projections(query.shape, value.shape, key_shape)
        out = KerasTensor(self.compute_output_shape(query.shape, value.shape, key_shape),
                          dtype=self.compute_dtype)
        if not return_attention_scores:
            return out
        kv_len = (key if key is not None else value).shape[1]
        return out, KerasTensor((query.shape[0], self.num_query_heads, query.shape[1], kv_len),
                                dtype=self.compute_dtype)

    def get_config(self) -> dict:
        return {
            **super().get_config(),
            "head_dim": self.head_dim,
            "num_query_heads": self.num_query_heads,
            "num_key_value_heads": self.num_key_value_heads,
            "use_bias": self.use_bias,
            "use_gate": self.use_gate,
            "sliding_window": self.sliding_window,
            "dropout": self.dropout,
            "kernel_initializer": initializers.serialize(self.kernel_initializer),
            "bias_initializer": initializers.serialize(self.bias_initializer),
            "kernel_regularizer": regularizers.serialize(self.kernel_regularizer),
            "bias_regularizer": regularizers.serialize(self.bias_regularizer),
            "activity_regularizer": regularizers.serialize(self._activity_regularizer),
            "kernel_constraint": constraints.serialize(self.kernel_constraint),
            "bias_constraint": constraints.serialize(self.bias_constraint),
            "seed": self.seed,
        }


GroupQueryAttention = GroupedQueryAttention
