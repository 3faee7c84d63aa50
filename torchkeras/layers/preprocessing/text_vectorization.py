"""TextVectorization: raw strings to token ids or bag-of-words vectors, on the host."""
from __future__ import annotations

import re

import numpy as np

from torchkeras.layers.layer import Layer
from torchkeras.layers.preprocessing.encoding import check_output_mode
from torchkeras.layers.preprocessing.host_values import to_device_tensor, to_host_array
from torchkeras.layers.preprocessing.string_lookup import StringLookup

# TensorFlow's (hence Keras's) punctuation class and its ASCII-only lowercasing.
_PUNCTUATION = re.compile(r'[!"#$%&()\*\+,-\./:;<=>?@\[\\\]^_`{|}~\']')
_WHITESPACE = re.compile(r"[ \t\n\r\v\f]+")
_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")
_STANDARDIZE = ("lower_and_strip_punctuation", "lower", "strip_punctuation")


class TextVectorization(Layer):
    """Standardizes, splits, n-grams and indexes strings, as Keras's layer does.

    The text work happens once per call on the host, in plain Python (no TensorFlow);
    the result is an int64 tensor of token ids (``"int"``) or a float tensor of
    multi-hot, count or tf-idf vectors. The vocabulary comes from ``vocabulary`` or
    :meth:`adapt` and is saved with the model.

    Args:
        max_tokens: Vocabulary size limit (padding and OOV tokens included).
        standardize: ``"lower_and_strip_punctuation"``, ``"lower"``, ``"strip_punctuation"``,
            ``None`` or a callable on a numpy array of strings.
        split: ``"whitespace"``, ``"character"``, ``None`` or a callable (string -> list).
        ngrams: ``None``, an int ``n`` (1..n-grams) or a tuple of widths.
        output_mode: ``"int"``, ``"multi_hot"``, ``"count"`` or ``"tf_idf"``.
        output_sequence_length: In ``"int"`` mode, pad or truncate to this length.
        pad_to_max_tokens: Encode to ``max_tokens`` wide vectors.
        vocabulary: Tokens (list/array) or the path of a vocabulary file.
        idf_weights: Inverse document frequencies, with ``"tf_idf"``.
        sparse: Must be ``False``. ragged: Must be ``False``.
        encoding: Text encoding of byte inputs.

    Example:
        >>> layer = TextVectorization(output_sequence_length=4)
        >>> layer.adapt(["The cat sat.", "The dog ran!"])
        >>> layer(["the cat ran"])
        tensor([[2, 6, 4, 0]])
    """

    def __init__(self, max_tokens: int | None = None,
                 standardize="lower_and_strip_punctuation", split="whitespace", ngrams=None,
                 output_mode: str = "int", output_sequence_length: int | None = None,
                 pad_to_max_tokens: bool = False, vocabulary=None, idf_weights=None,
                 sparse: bool = False, ragged: bool = False, encoding: str = "utf-8",
                 **kwargs):
        has_vocab = kwargs.pop("has_input_vocabulary", vocabulary is not None)
        vocabulary_size = kwargs.pop("vocabulary_size", None)
        kwargs.pop("dtype", None)
        super().__init__(**kwargs)
        if not (standardize is None or callable(standardize) or standardize in _STANDARDIZE):
            raise ValueError("TextVectorization: unknown `standardize` %r; expected one of %s, "
                             "None or a callable." % (standardize, _STANDARDIZE))
        if not (split is None or callable(split) or split in ("whitespace", "character")):
            raise ValueError("TextVectorization: unknown `split` %r; expected 'whitespace', "
                             "'character', None or a callable." % (split,))
        self._output_mode = check_output_mode("TextVectorization", output_mode,
                                              ("int", "multi_hot", "count", "tf_idf"))
        if not (ngrams is None or (isinstance(ngrams, int) and not isinstance(ngrams, bool))
                or (isinstance(ngrams, tuple) and all(isinstance(n, int) for n in ngrams))):
            raise ValueError("TextVectorization: `ngrams` must be None, an integer or a tuple "
                             "of integers. Received: ngrams=%r" % (ngrams,))
        if self._output_mode == "int" and not (output_sequence_length is None or isinstance(
                output_sequence_length, int)):
            raise ValueError("TextVectorization: `output_sequence_length` must be None or an "
                             "int. Received: %r" % (output_sequence_length,))
        if self._output_mode != "int" and output_sequence_length is not None:
            raise ValueError("TextVectorization: `output_sequence_length` is only for "
                             "output_mode='int'. Received: output_mode=%r" % output_mode)
        if sparse or ragged:
            raise ValueError("TextVectorization: `sparse` and `ragged` outputs need "
                             "TensorFlow; torch outputs are dense (padded).")
        self._max_tokens = max_tokens
        self._standardize = standardize
        self._split = split
        self._ngrams_arg = ngrams
        self._ngrams = tuple(range(1, ngrams + 1)) if isinstance(ngrams, int) else ngrams
        self._output_sequence_length = output_sequence_length
        self._encoding = encoding
        self._lookup_layer = StringLookup(
            max_tokens=max_tokens, vocabulary=vocabulary, idf_weights=idf_weights,
            pad_to_max_tokens=pad_to_max_tokens, mask_token="", output_mode=self._output_mode,
            has_input_vocabulary=has_vocab, encoding=encoding,
            vocabulary_size=vocabulary_size)

    # ------------------------------------------------------------------ text
    def _standardize_all(self, texts: np.ndarray) -> list:
        s = self._standardize
        if callable(s):
            out = s(texts.astype(str))
            return [str(v) for v in to_host_array(out).reshape(-1).tolist()]
        values = [str(v) for v in texts.reshape(-1).tolist()]
        if s == "lower_and_strip_punctuation":
            sub = _PUNCTUATION.sub
            return [sub("", v.translate(_ASCII_LOWER)) for v in values]
        if s == "lower":
            return [v.translate(_ASCII_LOWER) for v in values]
        if s == "strip_punctuation":
            return [_PUNCTUATION.sub("", v) for v in values]
        return values

    def _tokens(self, text: str) -> list:
        if self._split == "whitespace":
            # str.split() also splits on non-ASCII spaces, which TensorFlow keeps.
            tokens = text.split() if text.isascii() else \
                [t for t in _WHITESPACE.split(text) if t]
        elif self._split == "character":
            tokens = list(text)
        elif callable(self._split):
            tokens = [str(t) for t in to_host_array(self._split(text)).reshape(-1).tolist()]
        else:
            tokens = [text]
        if self._ngrams is None:
            return tokens
        grams = []
        for n in self._ngrams:
            grams.extend(" ".join(tokens[i:i + n]) for i in range(len(tokens) - n + 1))
        return grams

    def _preprocess(self, inputs) -> list:
        texts = to_host_array(inputs)
        if texts.ndim > 1:
            if texts.shape[-1] != 1 and self._split is not None:
                raise ValueError("TextVectorization: to tokenize strings the input rank must "
                                 "be 1 or the last dimension 1. Received: inputs.shape=%s"
                                 % (texts.shape,))
            texts = texts.reshape(texts.shape[0], -1)[:, 0] if self._split is not None \
                else texts.reshape(-1)
        elif texts.ndim == 0:
            texts = texts.reshape(1)
        return [self._tokens(t) for t in self._standardize_all(texts)]

    @staticmethod
    def _pad(rows: list, length: int | None) -> np.ndarray:
        width = max((len(r) for r in rows), default=0) if length is None else length
        out = np.full((len(rows), width), "", dtype=object)
        for i, r in enumerate(rows):
            r = r[:width]
            out[i, :len(r)] = r
        return out

    # ------------------------------------------------------------------ vocabulary
    def adapt(self, data, batch_size: int | None = None, steps: int | None = None) -> None:
        """Learns the vocabulary (and document frequencies for tf-idf) from ``data``.

        Args:
            data: A list or array of strings, or an iterable of such batches.
            batch_size: Unused (Keras's argument for datasets).
            steps: Number of batches to read from an iterable.
        """
        self.reset_state()
        if isinstance(data, (list, tuple, np.ndarray, str)) or not hasattr(data, "__iter__"):
            batches = [data]
        else:
            batches = data
        for i, batch in enumerate(batches):
            if steps is not None and i >= steps:
                break
            self.update_state(batch)
        self.finalize_state()

    def update_state(self, data) -> None:
        if isinstance(data, tuple) and data and not isinstance(data[0], str):
            data = data[0]
        self._lookup_layer.count_tokens([[t for t in row if t]
                                         for row in self._preprocess(data)])

    def finalize_state(self) -> None:
        self._lookup_layer.finalize_state()

    def reset_state(self) -> None:
        self._lookup_layer.reset_state()

    def get_vocabulary(self, include_special_tokens: bool = True) -> list:
        """The vocabulary in index order (``""`` padding and ``"[UNK]"`` first)."""
        return self._lookup_layer.get_vocabulary(include_special_tokens)

    def vocabulary_size(self) -> int:
        return self._lookup_layer.vocabulary_size()

    def set_vocabulary(self, vocabulary, idf_weights=None) -> None:
        """Sets the vocabulary (and idf weights) directly."""
        self._lookup_layer.set_vocabulary(vocabulary, idf_weights=idf_weights)

    # ------------------------------------------------------------------ call
    def call(self, inputs):
        if self._split is None and self._output_mode == "int" and self._ngrams is None:
            # Whole strings are the tokens: ids keep the input's shape, as in Keras.
            texts = to_host_array(inputs)
            values = np.array(self._standardize_all(texts), dtype=object)
            return self._lookup_layer(values.reshape(texts.shape))
        rows = self._preprocess(inputs)
        if self._output_mode != "int":
            return self._lookup_layer(self._pad(rows, None))
        width = self._output_sequence_length
        if width is None:
            width = max((len(r) for r in rows), default=0)
        ids = np.zeros((len(rows), width), dtype=np.int64)
        lookup = self._lookup_layer.lookup_tokens
        for i, row in enumerate(rows):
            if row:
                row = lookup(row[:width])
                ids[i, :len(row)] = row
        return to_device_tensor(ids, inputs)

    def compute_output_shape(self, input_shape):
        batch = tuple(input_shape)[:1] or (None,)
        if self._output_mode == "int":
            return batch + (self._output_sequence_length,)
        return self._lookup_layer.compute_output_shape(batch + (None,))

    def compute_output_spec(self, inputs, **kwargs):
        from torchkeras import config as _config
        from torchkeras.layers.keras_tensor import KerasTensor
        dtype = "int64" if self._output_mode == "int" else _config.floatx()
        return KerasTensor(self.compute_output_shape(inputs.shape), dtype=dtype)

    def save_assets(self, dir_path: str) -> None:
        self._lookup_layer.save_assets(dir_path)

    def load_assets(self, dir_path: str) -> None:
        self._lookup_layer.load_assets(dir_path)

    def get_config(self) -> dict:
        from torchkeras.saving.serialization import serialize_keras_object
        lookup = self._lookup_layer.get_config()
        return {**super().get_config(), "max_tokens": lookup["max_tokens"],
                "standardize": self._standardize if not callable(self._standardize)
                else serialize_keras_object(self._standardize),
                "split": self._split if not callable(self._split)
                else serialize_keras_object(self._split),
                "ngrams": self._ngrams_arg, "output_mode": self._output_mode,
                "output_sequence_length": self._output_sequence_length,
                "pad_to_max_tokens": lookup["pad_to_max_tokens"], "sparse": False,
                "ragged": False, "vocabulary": lookup["vocabulary"],
                "idf_weights": lookup["idf_weights"], "encoding": self._encoding,
                "vocabulary_size": lookup["vocabulary_size"]}

    @classmethod
    def from_config(cls, config: dict, custom_objects=None):
        from torchkeras.saving.serialization import deserialize_keras_object
        config = dict(config)
        for key in ("standardize", "split"):
            if isinstance(config.get(key), dict):
                config[key] = deserialize_keras_object(config[key], custom_objects)
        if isinstance(config.get("ngrams"), list):
            config["ngrams"] = tuple(config["ngrams"])
        return cls(**config)
