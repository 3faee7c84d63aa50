"""``keras.preprocessing.sequence``: sequence padding."""
from torchkeras.utils.sequence_utils import pad_sequences

__all__ = ["pad_sequences"]
