"""MultiHeadAttention (Vaswani et al., 2017) on ``F.scaled_dot_product_attention``."""
from __future__ import annotations

import math
import string

import torch

from torchkeras import constraints, initializers, regularizers
from torchkeras.layers.attention import attention_utils as au
from torchkeras.layers.attention.head_dense import HeadDense
from torchkeras.layers.call_context import no_fake_mode
from torchkeras.layers.keras_tensor import KerasTensor
from torchkeras.layers.layer import Layer
from torchkeras.layers.regularization.seeding import SeedStream


def _positive_int(value, name: str, allow_none: bool = False) -> None:
    if value is None and allow_none:
        return
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise ValueError("Received an invalid value for argument `%s`, expected a positive "
                         "integer%s. Received: %s=%r"
                         % (name, " or `None`" if allow_none else "", name, value))


def clone_initializer(init):
    """A fresh copy, as Keras gives each projection its own initializer object."""
    try:
        return initializers.get(initializers.serialize(init))
    except Exception:
        return init


def attention_equations(rank: int, axes: tuple):
    """Einsum equations (key·query -> scores, scores·value -> output) for projected
    tensors of ``rank`` with attention over ``axes``; batch dims are all the others."""
    letters = string.ascii_lowercase
    target = letters[:rank]
    batch = [i for i in range(rank) if i not in axes and i != rank - 1]
    source, nxt = "", rank
    for i in range(rank):
        if i in batch or i == rank - 1:
            source += target[i]
        else:
            source += letters[nxt]
            nxt += 1
    product = "".join([target[i] for i in batch] + [target[i] for i in axes]
                      + [source[i] for i in axes])
    return "%s,%s->%s" % (source, target, product), "%s,%s->%s" % (product, source, target)


class MultiHeadAttention(au.ProjectionBuildConfig, Layer):
    """Multi-head attention with Keras's weight layout.

    ``query``, ``key`` and ``value`` are projected by per-head kernels of shape ``(dim,
    num_heads, key_dim)`` (output kernel ``(num_heads, value_dim, dim)``), stored as
    ``nn.Linear`` weights. Without returned scores the attention itself is one
    ``F.scaled_dot_product_attention`` call (flash/memory-efficient kernels).

    Args:
        num_heads: Number of heads.
        key_dim: Size of each query/key head.
        value_dim: Size of each value head (default ``key_dim``).
        dropout: Dropout rate on the attention probabilities.
        use_bias: Whether the projections have biases.
        output_shape: Trailing output shape (default: the query's last dimension).
        attention_axes: Axes attended over (default: all but batch, heads, features).
        sliding_window: Attend only to keys within this distance.
        flash_attention: Accepted for Keras compatibility (torch picks the kernel).
        kernel_initializer, bias_initializer, kernel_regularizer, bias_regularizer,
        activity_regularizer, kernel_constraint, bias_constraint: For the projections.
        use_gate: Multiply the attention output by a sigmoid gate projected from the query.
        seed: Seed of the attention dropout.

    Example:
        >>> mha = MultiHeadAttention(num_heads=4, key_dim=16)
        >>> y = mha(torch.randn(2, 8, 32), torch.randn(2, 10, 32))   # (2, 8, 32)
    """

    def __init__(self, num_heads: int, key_dim: int, value_dim=None, dropout: float = 0.0,
                 use_bias: bool = True, output_shape=None, attention_axes=None,
                 sliding_window=None, flash_attention=None, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", kernel_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, kernel_constraint=None, bias_constraint=None,
                 use_gate: bool = False, seed=None, **kwargs):
        _positive_int(num_heads, "num_heads")
        _positive_int(key_dim, "key_dim")
        _positive_int(value_dim, "value_dim", allow_none=True)
        if sliding_window is not None and (isinstance(sliding_window, bool) or not isinstance(
                sliding_window, int) or sliding_window <= 0):
            raise ValueError("`sliding_window` must be `None` or a positive integer. "
                             "Received: sliding_window=%r" % (sliding_window,))
        if isinstance(attention_axes, int):
            attention_axes = (attention_axes,)
        elif attention_axes and not isinstance(attention_axes, (list, tuple)):
            raise ValueError("`attention_axes` must be an int, list, or tuple.Received: "
                             "attention_axes=%r" % (attention_axes,))
        if output_shape:
            if isinstance(output_shape, int):
                output_shape = (output_shape,)
            try:
                output_shape = tuple(output_shape)
            except TypeError:
                raise ValueError("Invalid `output_shape`: %r. When specified, the "
                                 "`output_shape` should be of type tuple, list, or int."
                                 % (output_shape,)) from None
        if flash_attention and dropout > 0.0:
            raise ValueError("Dropout is not supported when flash attention is enabled. "
                             "Please set dropout to 0.0 to use flash attention.")
        super().__init__(**kwargs)
        self.supports_masking = True
        self._num_heads = num_heads
        self._key_dim = key_dim
        self._value_dim = value_dim if value_dim else key_dim
        self._dropout = dropout
        self._use_bias = bool(use_bias)
        self._use_gate = bool(use_gate)
        self._output_shape = output_shape or None
        self._attention_axes = tuple(attention_axes) if attention_axes else attention_axes
        self._sliding_window = sliding_window
        self._flash_attention = flash_attention
        self._kernel_initializer = initializers.get(kernel_initializer)
        self._bias_initializer = initializers.get(bias_initializer)
        self._kernel_regularizer = regularizers.get(kernel_regularizer)
        self._bias_regularizer = regularizers.get(bias_regularizer)
        self._activity_regularizer = regularizers.get(activity_regularizer)
        self._kernel_constraint = constraints.get(kernel_constraint)
        self._bias_constraint = constraints.get(bias_constraint)
        self.seed = seed
        self._rng = SeedStream(seed)
        self._scale = 1.0 / math.sqrt(float(key_dim))
        self._projections_built = False
        self._build_shapes = None

    num_heads = property(lambda self: self._num_heads)
    key_dim = property(lambda self: self._key_dim)
    value_dim = property(lambda self: self._value_dim)
    dropout = property(lambda self: self._dropout)
    use_bias = property(lambda self: self._use_bias)
    attention_axes = property(lambda self: self._attention_axes)

    # ------------------------------------------------------------ build
    def build(self, query_shape, value_shape=None, key_shape=None) -> None:
        # Layer.__call__ only knows the query's shape: the projections wait for the value.
        if value_shape is not None:
            self._build_projections(query_shape, value_shape, key_shape)
        self.built = True

    def _common(self) -> dict:
        return dict(kernel_initializer=clone_initializer(self._kernel_initializer),
                    bias_initializer=clone_initializer(self._bias_initializer),
                    kernel_regularizer=self._kernel_regularizer,
                    bias_regularizer=self._bias_regularizer,
                    activity_regularizer=self._activity_regularizer,
                    kernel_constraint=self._kernel_constraint,
                    bias_constraint=self._bias_constraint, use_bias=self._use_bias,
                    dtype=self.dtype_policy)

    def _build_projections(self, query_shape, value_shape, key_shape=None) -> None:
        if self._projections_built:
            return
        query_shape, value_shape = tuple(query_shape), tuple(value_shape)
        key_shape = value_shape if key_shape is None else tuple(key_shape)
        if value_shape[1:-1] != key_shape[1:-1]:
            raise ValueError("All dimensions of `value` and `key`, except the last one, must "
                             "be equal. Received: value_shape=%s and key_shape=%s"
                             % (value_shape, key_shape))
        n, kd, vd = self._num_heads, self._key_dim, self._value_dim
        device = getattr(self, "_build_device", None) or self._weight_device()
        with no_fake_mode():
            subs = [("query_dense", HeadDense((query_shape[-1],), (n, kd), name="query",
                                              **self._common()), query_shape),
                    ("key_dense", HeadDense((key_shape[-1],), (n, kd), name="key",
                                            **self._common()), key_shape)]
            if self._use_gate:
                subs.append(("gate_dense", HeadDense((query_shape[-1],), (n, vd), name="gate",
                                                     activation="sigmoid", **self._common()),
                             query_shape))
            subs.append(("value_dense", HeadDense((value_shape[-1],), (n, vd), name="value",
                                                  **self._common()), value_shape))
            out_shape = self._output_shape or (query_shape[-1],)
            subs.append(("output_dense", HeadDense((n, vd), out_shape, name="attention_output",
                                                   **self._common()), None))
            for attr, layer, shape in subs:
                layer._maybe_build(shape, device)
                setattr(self, attr, layer)
        rank = len(query_shape) + 1
        if self._attention_axes is None:
            self._attention_axes = tuple(range(1, rank - 2))
        else:
            self._attention_axes = tuple(a if a >= 0 else (rank - 1) + a
                                         for a in self._attention_axes)
        self._equations = attention_equations(rank, self._attention_axes)
        self._build_shapes = {"query_shape": list(query_shape), "value_shape": list(value_shape),
                              "key_shape": list(key_shape)}
        self._projections_built = True

    # ------------------------------------------------------------ call
    def call(self, query, value, key=None, query_mask=None, value_mask=None, key_mask=None,
             attention_mask=None, return_attention_scores: bool = False, training=None,
             use_causal_mask: bool = False):
        if key is None:
            key = value
        elif key_mask is None:
            key_mask = au.keras_mask_of(key)
        self._build_projections(query.shape, value.shape, key.shape)
        own = au.keras_mask_of(query)
        query_mask = own if own is not None else query_mask
        if value_mask is None:
            value_mask = au.keras_mask_of(value)
        causal_only = (use_causal_mask and query_mask is None and value_mask is None
                       and key_mask is None and attention_mask is None
                       and self._sliding_window is None)
        mask = None if causal_only else au.merge_masks(
            query.shape[1], value.shape[1], query.device, query_mask, value_mask, key_mask,
            attention_mask, use_causal_mask, self._sliding_window)
        gate = self.gate_dense(query) if self._use_gate else None
        q, k, v = self.query_dense(query), self.key_dense(key), self.value_dense(value)
        out, scores = self._compute_attention(q, k, v, mask, bool(training),
                                              return_attention_scores, causal_only)
        if gate is not None:
            out = out * gate
        out = self.output_dense(out)
        if query_mask is not None:
            out._keras_mask = query_mask
        return (out, scores) if return_attention_scores else out

    def _compute_attention(self, q, k, v, mask, training, return_scores, causal_only):
        n_axes = len(self._attention_axes)
        if mask is not None:
            for _ in range(q.dim() - mask.dim()):
                mask = mask.unsqueeze(-2 * n_axes - 1)
        fast = (not return_scores and q.dim() == 4 and self._attention_axes == (1,)
                and (self._dropout == 0 or mask is None))
        if fast:
            p = self._dropout if training else 0.0
            out = au.sdpa(q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2), mask,
                          scale=self._scale, dropout_p=p, is_causal=causal_only)
            return out.transpose(1, 2), None
        if causal_only:
            mask = au.causal_mask(q.shape[1], v.shape[1], q.device)
            for _ in range(q.dim() - mask.dim()):
                mask = mask.unsqueeze(-2 * n_axes - 1)
        dot_eq, combine_eq = self._equations
        scores = torch.einsum(dot_eq, k, q * self._scale)
        probs = au.masked_softmax(scores, mask, n_axes)
        dropped = au.dropout(probs, self._dropout, self._rng) if training else probs
        return torch.einsum(combine_eq, dropped, v), probs

    # ------------------------------------------------------------ shapes & config
    def compute_output_shape(self, query_shape, value_shape=None, key_shape=None):
        query_shape = tuple(query_shape)
        if value_shape is not None:
            value_shape = tuple(value_shape)
            key_shape = value_shape if key_shape is None else tuple(key_shape)
            if value_shape[1:-1] != key_shape[1:-1]:
                raise ValueError("All dimensions of `value` and `key`, except the last one, "
                                 "must be equal. Received: value_shape=%s and key_shape=%s"
                                 % (value_shape, key_shape))
        if self._output_shape:
            return query_shape[:-1] + tuple(self._output_shape)
        return query_shape

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
        rank = len(query.shape) + 1
        axes = self._attention_axes
        batch = [i for i in range(rank) if i not in axes and i != rank - 1]
        qs = tuple(query.shape[:-1]) + (self._num_heads,)
        ks = tuple((key if key is not None else value).shape[:-1]) + (self._num_heads,)
        shape = [qs[i] for i in batch] + [qs[i] for i in axes] + [ks[i] for i in axes]
        return out, KerasTensor(shape, dtype=self.compute_dtype)

    def get_config(self) -> dict:
        return {
            **super().get_config(),
            "num_heads": self._num_heads,
            "key_dim": self._key_dim,
            "value_dim": self._value_dim,
            "dropout": self._dropout,
            "use_bias": self._use_bias,
            "use_gate": self._use_gate,
            "output_shape": self._output_shape,
            "attention_axes": self._attention_axes,
            "sliding_window": self._sliding_window,
            "kernel_initializer": initializers.serialize(self._kernel_initializer),
            "bias_initializer": initializers.serialize(self._bias_initializer),
            "kernel_regularizer": regularizers.serialize(self._kernel_regularizer),
            "bias_regularizer": regularizers.serialize(self._bias_regularizer),
            "activity_regularizer": regularizers.serialize(self._activity_regularizer),
            "kernel_constraint": constraints.serialize(self._kernel_constraint),
            "bias_constraint": constraints.serialize(self._bias_constraint),
            "seed": self.seed,
        }
