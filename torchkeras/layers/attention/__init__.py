"""torchkeras.layers.attention: attention layers on F.scaled_dot_product_attention."""
from torchkeras.layers.attention.additive_attention import AdditiveAttention
from torchkeras.layers.attention.attention import Attention
from torchkeras.layers.attention.grouped_query_attention import (GroupedQueryAttention,
                                                                 GroupQueryAttention)
from torchkeras.layers.attention.multi_head_attention import MultiHeadAttention

__all__ = ["Attention", "AdditiveAttention", "MultiHeadAttention", "GroupQueryAttention",
           "GroupedQueryAttention"]
