"""StringLookup: strings to integer indices through a vocabulary."""
from __future__ import annotations

from torchkeras.layers.preprocessing.index_lookup import IndexLookup


class StringLookup(IndexLookup):
    """Maps strings to integer indices (or back, with ``invert=True``).

    Strings are looked up on the host once per call; the indices come back as an int64
    tensor. Arguments as :class:`IndexLookup`, with Keras's defaults: no mask token,
    one OOV index, OOV token ``"[UNK]"``.

    Args:
        encoding: Text encoding of byte inputs (``"utf-8"``).

    Example:
        >>> layer = StringLookup(vocabulary=["a", "b", "c", "d"])
        >>> layer([["a", "c", "d"], ["d", "z", "b"]])
        tensor([[1, 3, 4], [4, 0, 2]])
    """

    def __init__(self, max_tokens: int | None = None, num_oov_indices: int = 1,
                 mask_token: str | None = None, oov_token: str = "[UNK]", vocabulary=None,
                 idf_weights=None, invert: bool = False, output_mode: str = "int",
                 pad_to_max_tokens: bool = False, sparse: bool = False,
                 encoding: str = "utf-8", salt=None, **kwargs):
        kwargs.pop("vocabulary_dtype", None)
        self.encoding = encoding
        super().__init__(max_tokens=max_tokens, num_oov_indices=num_oov_indices,
                         mask_token=mask_token, oov_token=oov_token,
                         vocabulary_dtype="string", vocabulary=vocabulary,
                         idf_weights=idf_weights, invert=invert, output_mode=output_mode,
                         sparse=sparse, pad_to_max_tokens=pad_to_max_tokens, salt=salt,
                         **kwargs)

    def get_config(self) -> dict:
        config = {**super().get_config(), "encoding": self.encoding}
        config.pop("vocabulary_dtype", None)
        return config
