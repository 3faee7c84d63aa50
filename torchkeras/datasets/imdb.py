"""IMDB movie reviews: 25,000 training and 25,000 test reviews labelled by sentiment.

Each review is a list of word ids; id ``i`` is the ``i``-th most frequent word.
Keras's ``imdb.npz`` stores the reviews as object arrays; they are read with a decoder
that understands only plain data and never unpickles (see ``_safe_npz``).
"""
from __future__ import annotations

import json

import numpy as np

from torchkeras.datasets import _sequences
from torchkeras.datasets._common import KERAS_STORAGE, require_keys
from torchkeras.datasets._download import get_file
from torchkeras.datasets._safe_npz import load_npz

ORIGIN = KERAS_STORAGE + "imdb.npz"
SHA256 = "69664113be75683a8fe16e3ed0ab59fda8886cb3cd7ada244f7d9544e4676b9f"
WORD_INDEX_ORIGIN = KERAS_STORAGE + "imdb_word_index.json"
# Keras publishes only the md5 of the word index.
WORD_INDEX_MD5 = "bfafd718b763782e994055a2d397834f"


def load_data(path: str = "imdb.npz", num_words: int | None = None, skip_top: int = 0,
              maxlen: int | None = None, seed: int = 113, start_char: int | None = 1,
              oov_char: int | None = 2, index_from: int = 3, *,
              cache_dir: str | None = None, **kwargs):
    """Loads the IMDB sentiment dataset.

    Args:
        path: File name of the cached copy, under ``$TORCHKERAS_HOME/datasets``.
        num_words: Keep only the ``num_words`` most frequent words (others become
            ``oov_char``); ``None`` keeps all.
        skip_top: Also treat the ``skip_top`` most frequent words as out of vocabulary.
        maxlen: Drop reviews with ``maxlen`` or more ids (after ``start_char``).
        seed: Seed of the shuffle of each split.
        start_char: Id put at the start of every review (``None``: nothing).
        oov_char: Id of out-of-vocabulary words (``None``: such words are removed).
        index_from: Offset added to every word id.
        cache_dir: Cache root instead of ``$TORCHKERAS_HOME`` / ``~/.torchkeras``.

    Returns:
        ``(x_train, y_train), (x_test, y_test)``: object arrays of lists of int ids and
        integer label arrays (0 negative, 1 positive).

    Example:
        >>> (x_train, y_train), _ = imdb.load_data(num_words=10000)
    """
    _sequences.check_sequence_args("imdb", kwargs)
    path = get_file(fname=path, origin=ORIGIN, file_hash=SHA256, cache_dir=cache_dir)
    arrays = load_npz(path)
    require_keys(arrays, ("x_train", "y_train", "x_test", "y_test"), path)
    rng = np.random.RandomState(seed)
    splits = []
    for x_key, y_key in (("x_train", "y_train"), ("x_test", "y_test")):
        seqs = _sequences.Ragged.from_sequences(arrays[x_key])
        labels = np.asarray(arrays[y_key])
        indices = np.arange(len(seqs))
        rng.shuffle(indices)
        seqs = _sequences.shift_ids(seqs.take(indices), start_char, index_from)
        labels = labels[indices]
        if maxlen:
            keep = seqs.lengths < maxlen
            seqs, labels = seqs.take(keep), labels[keep]
        splits.append((seqs, labels))
    (train, labels_train), (test, labels_test) = splits
    if maxlen and (not len(train) or not len(test)):
        raise ValueError("After filtering for sequences shorter than maxlen=%s, no sequence "
                         "was kept. Increase maxlen." % maxlen)
    both = _sequences.limit_vocabulary(train.concat(test), num_words, skip_top, oov_char)
    labels = np.concatenate([labels_train, labels_test])
    cut = len(train)
    x = both.to_object_array()
    return (x[:cut], labels[:cut]), (x[cut:], labels[cut:])


def get_word_index(path: str = "imdb_word_index.json", *, cache_dir: str | None = None) -> dict:
    """The word -> id dictionary of the IMDB dataset (ids before ``index_from``).

    Example:
        >>> index = imdb.get_word_index()
        >>> words = {i + 3: w for w, i in index.items()}
    """
    path = get_file(fname=path, origin=WORD_INDEX_ORIGIN, file_hash=WORD_INDEX_MD5,
                    cache_dir=cache_dir)
    with open(path, encoding="utf-8") as f:
        return json.load(f)
