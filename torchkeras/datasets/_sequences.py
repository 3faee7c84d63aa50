"""Word-id sequence processing shared by ``imdb`` and ``reuters`` (Keras's semantics).

The sequences are flattened into one integer array so that shifting ids, adding the
start character, dropping long reviews and replacing rare words are a few numpy
operations instead of Python loops over millions of words; the result is turned back
into Python lists, as Keras returns them.
"""
from __future__ import annotations

import itertools

import numpy as np


class Ragged:
    """Sequences as one flat int64 array plus per-sequence lengths."""

    def __init__(self, flat: np.ndarray, lengths: np.ndarray):
        self.flat = flat
        self.lengths = lengths

    @classmethod
    def from_sequences(cls, seqs) -> "Ragged":
        lengths = np.fromiter((len(s) for s in seqs), dtype=np.int64, count=len(seqs))
        flat = np.fromiter(itertools.chain.from_iterable(seqs), dtype=np.int64,
                           count=int(lengths.sum()))
        return cls(flat, lengths)

    def __len__(self) -> int:
        return len(self.lengths)

    def take(self, index: np.ndarray) -> "Ragged":
        """The sequences at ``index`` (ints or a boolean mask), in that order."""
        index = np.asarray(index)
        if index.dtype == bool:
            index = np.flatnonzero(index)
        starts = np.concatenate([[0], np.cumsum(self.lengths)[:-1]]) if len(self) else \
            np.zeros(0, np.int64)
        lengths = self.lengths[index]
        if not len(index):
            return Ragged(self.flat[:0], lengths)
        # Gather every element of the chosen sequences with one fancy-index.
        seq_of = np.repeat(np.arange(len(index)), lengths)
        first = np.concatenate([[0], np.cumsum(lengths)[:-1]])
        pos = np.arange(int(lengths.sum())) - first[seq_of] + starts[index][seq_of]
        return Ragged(self.flat[pos], lengths)

    def prepend(self, value: int) -> "Ragged":
        offsets = np.concatenate([[0], np.cumsum(self.lengths)[:-1]]).astype(np.int64)
        flat = np.insert(self.flat, offsets, value) if len(self) else self.flat
        return Ragged(flat, self.lengths + 1)

    def concat(self, other: "Ragged") -> "Ragged":
        return Ragged(np.concatenate([self.flat, other.flat]),
                      np.concatenate([self.lengths, other.lengths]))

    def to_object_array(self) -> np.ndarray:
        """A 1-D object array of Python lists of ints."""
        values = self.flat.tolist()
        out = np.empty(len(self), dtype=object)
        pos = 0
        for i, n in enumerate(self.lengths.tolist()):
            out[i] = values[pos:pos + n]
            pos += n
        return out


def shift_ids(seqs: Ragged, start_char, index_from) -> Ragged:
    """Adds ``index_from`` to every id and puts ``start_char`` first (when not None)."""
    if start_char is not None or index_from:
        seqs = Ragged(seqs.flat + int(index_from or 0), seqs.lengths)
    if start_char is not None:
        seqs = seqs.prepend(int(start_char))
    return seqs


def limit_vocabulary(seqs: Ragged, num_words, skip_top: int, oov_char) -> Ragged:
    """Keeps ids in ``[skip_top, num_words)``; others become ``oov_char`` (or are dropped)."""
    if not num_words:
        num_words = int(seqs.flat.max()) if seqs.flat.size else 0
    keep = (seqs.flat >= skip_top) & (seqs.flat < num_words)
    if oov_char is not None:
        return Ragged(np.where(keep, seqs.flat, int(oov_char)), seqs.lengths)
    seq_of = np.repeat(np.arange(len(seqs)), seqs.lengths)
    lengths = np.bincount(seq_of[keep], minlength=len(seqs)).astype(np.int64)
    return Ragged(seqs.flat[keep], lengths)


def check_sequence_args(name: str, kwargs: dict) -> None:
    if kwargs:
        raise TypeError("%s.load_data() got unexpected keyword arguments: %s"
                        % (name, sorted(kwargs)))
