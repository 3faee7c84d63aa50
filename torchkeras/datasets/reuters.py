"""Reuters newswires: 11,228 newswires labelled over 46 topics, as word-id sequences.

Keras's ``reuters.npz`` stores the newswires as object arrays; they are read with a
decoder that understands only plain data and never unpickles (see ``_safe_npz``).
"""
from __future__ import annotations

import json

import numpy as np

from torchkeras.datasets import _sequences
from torchkeras.datasets._common import KERAS_STORAGE, require_keys
from torchkeras.datasets._download import get_file
from torchkeras.datasets._safe_npz import load_npz

ORIGIN = KERAS_STORAGE + "reuters.npz"
SHA256 = "d6586e694ee56d7a4e65172e12b3e987c03096cb01eab99753921ef915959916"
WORD_INDEX_ORIGIN = KERAS_STORAGE + "reuters_word_index.json"
# Keras publishes only the md5 of the word index.
WORD_INDEX_MD5 = "4d44cc38712099c9e383dc6e5f11a921"

_LABEL_NAMES = (
    "cocoa", "grain", "veg-oil", "earn", "acq", "wheat", "copper", "housing", "money-supply",
    "coffee", "sugar", "trade", "reserves", "ship", "cotton", "carcass", "crude", "nat-gas",
    "cpi", "money-fx", "interest", "gnp", "meal-feed", "alum", "oilseed", "gold", "tin",
    "strategic-metal", "livestock", "retail", "ipi", "iron-steel", "rubber", "heat", "jobs",
    "lei", "bop", "zinc", "orange", "pet-chem", "dlr", "gas", "silver", "wpi", "hog", "lead",
)


def load_data(path: str = "reuters.npz", num_words: int | None = None, skip_top: int = 0,
              maxlen: int | None = None, test_split: float = 0.2, seed: int = 113,
              start_char: int | None = 1, oov_char: int | None = 2, index_from: int = 3, *,
              cache_dir: str | None = None):
    """Loads the Reuters newswire topic classification dataset.

    Args:
        path: File name of the cached copy, under ``$TORCHKERAS_HOME/datasets``.
        num_words: Keep only the ``num_words`` most frequent words.
        skip_top: Also treat the ``skip_top`` most frequent words as out of vocabulary.
        maxlen: Drop newswires with ``maxlen`` or more ids (after ``start_char``).
        test_split: Fraction of the (shuffled) data used as the test set.
        seed: Seed of the shuffle.
        start_char: Id put at the start of every sequence (``None``: nothing).
        oov_char: Id of out-of-vocabulary words (``None``: such words are removed).
        index_from: Offset added to every word id.
        cache_dir: Cache root instead of ``$TORCHKERAS_HOME`` / ``~/.torchkeras``.

    Returns:
        ``(x_train, y_train), (x_test, y_test)``: object arrays of lists of int ids and
        integer topic labels 0-45.

    Example:
        >>> (x_train, y_train), _ = reuters.load_data(num_words=10000)
    """
    path = get_file(fname=path, origin=ORIGIN, file_hash=SHA256, cache_dir=cache_dir)
    arrays = load_npz(path)
    require_keys(arrays, ("x", "y"), path)
    seqs = _sequences.Ragged.from_sequences(arrays["x"])
    labels = np.asarray(arrays["y"])
    indices = np.arange(len(seqs))
    np.random.RandomState(seed).shuffle(indices)
    seqs = _sequences.shift_ids(seqs.take(indices), start_char, index_from)
    labels = labels[indices]
    if maxlen:
        keep = seqs.lengths < maxlen
        seqs, labels = seqs.take(keep), labels[keep]
    seqs = _sequences.limit_vocabulary(seqs, num_words, skip_top, oov_char)
    x = seqs.to_object_array()
    cut = int(len(x) * (1 - test_split))
    return (x[:cut], np.array(labels[:cut])), (x[cut:], np.array(labels[cut:]))


def get_word_index(path: str = "reuters_word_index.json", *,
                   cache_dir: str | None = None) -> dict:
    """The word -> id dictionary of the Reuters dataset (ids before ``index_from``)."""
    path = get_file(path, origin=WORD_INDEX_ORIGIN, file_hash=WORD_INDEX_MD5,
                    cache_dir=cache_dir)
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def get_label_names() -> tuple:
    """The 46 topic names, indexed by label."""
    return _LABEL_NAMES
