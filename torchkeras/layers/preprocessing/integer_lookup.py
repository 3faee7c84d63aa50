"""IntegerLookup: integer values to contiguous indices through a vocabulary."""
from __future__ import annotations

from torchkeras.layers.preprocessing.index_lookup import IndexLookup


class IntegerLookup(IndexLookup):
    """Maps integer values (e.g. ids from a large range) to contiguous indices.

    Arguments as :class:`IndexLookup`, with Keras's defaults: no mask token, one OOV
    index, OOV token ``-1``; OOV values spread over several OOV indices by ``floormod``
    (or ``oov_method="farmhash"``).

    Example:
        >>> IntegerLookup(vocabulary=[12, 36, 1138, 42])([[12, 1138, 42], [42, 1000, 36]])
        tensor([[1, 3, 4], [4, 0, 2]])
    """

    def __init__(self, max_tokens: int | None = None, num_oov_indices: int = 1,
                 mask_token: int | None = None, oov_token: int = -1, vocabulary=None,
                 vocabulary_dtype: str = "int64", idf_weights=None, invert: bool = False,
                 output_mode: str = "int", sparse: bool = False,
                 pad_to_max_tokens: bool = False, oov_method: str = "floormod", salt=None,
                 **kwargs):
        if vocabulary_dtype not in ("int32", "int64"):
            raise ValueError("IntegerLookup: `vocabulary_dtype` must be 'int32' or 'int64'. "
                             "Received: %r" % (vocabulary_dtype,))
        super().__init__(max_tokens=max_tokens, num_oov_indices=num_oov_indices,
                         mask_token=mask_token, oov_token=oov_token,
                         vocabulary_dtype=vocabulary_dtype, vocabulary=vocabulary,
                         idf_weights=idf_weights, invert=invert, output_mode=output_mode,
                         sparse=sparse, pad_to_max_tokens=pad_to_max_tokens,
                         oov_method=oov_method, salt=salt, **kwargs)
