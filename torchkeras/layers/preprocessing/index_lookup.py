"""IndexLookup: the vocabulary machinery shared by StringLookup and IntegerLookup.

The vocabulary is a Python dict on the host (token -> index). Index layout, as in Keras:
``[mask] + [oov] * num_oov_indices + tokens`` in ``"int"`` mode; the mask slot is dropped
in the other output modes, where masked values encode to nothing.
"""
from __future__ import annotations

import collections
import itertools
import math
import os

import numpy as np
import torch

from torchkeras import config as _config
from torchkeras.layers.layer import Layer
from torchkeras.layers.preprocessing.encoding import check_output_mode, encode
from torchkeras.layers.preprocessing.host_values import (map_values, to_device_tensor,
                                                         to_host_array)
from torchkeras.utils.hashing import fingerprint64, siphash24


class IndexLookup(Layer):
    """Maps tokens to integer indices through a fixed or adapted vocabulary.

    Args:
        max_tokens: Largest vocabulary size, special tokens included (``None``: no limit).
        num_oov_indices: Indices reserved for out-of-vocabulary tokens (hashed among them).
        mask_token: Token mapped to index 0 (``None``: no mask index).
        oov_token: Token returned for OOV indices when ``invert=True``.
        vocabulary_dtype: ``"string"`` or ``"int64"``/``"int32"``.
        vocabulary: A list/array of tokens or the path of a text file (one per line).
        idf_weights: Inverse document frequencies, with ``output_mode="tf_idf"``.
        invert: Map indices back to tokens.
        output_mode: ``"int"``, ``"one_hot"``, ``"multi_hot"``, ``"count"`` or ``"tf_idf"``.
        sparse: Must be ``False``.
        pad_to_max_tokens: Encode to ``max_tokens`` wide vectors.
        oov_method: ``"floormod"`` (integers) or ``"farmhash"`` for spreading OOV values.
        salt: Key of the strong hash for OOV values (an int or two).
    """

    def __init__(self, max_tokens, num_oov_indices, mask_token, oov_token, vocabulary_dtype,
                 vocabulary=None, idf_weights=None, invert: bool = False,
                 output_mode: str = "int", sparse: bool = False,
                 pad_to_max_tokens: bool = False, oov_method: str = "floormod",
                 salt=None, **kwargs):
        frozen = kwargs.pop("vocabulary_size", None)
        has_vocab = kwargs.pop("has_input_vocabulary", vocabulary is not None)
        kwargs.pop("dtype", None)
        super().__init__(**kwargs)
        name = type(self).__name__
        if max_tokens is not None and max_tokens <= 1:
            raise ValueError("%s: if set, `max_tokens` must be greater than 1. Received: "
                             "max_tokens=%r" % (name, max_tokens))
        if pad_to_max_tokens and max_tokens is None:
            raise ValueError("%s: pad_to_max_tokens=True needs `max_tokens`." % name)
        if num_oov_indices < 0:
            raise ValueError("%s: `num_oov_indices` must be >= 0. Received: %r"
                             % (name, num_oov_indices))
        if oov_method not in ("floormod", "farmhash"):
            raise ValueError("%s: `oov_method` must be 'floormod' or 'farmhash'. Received: %r"
                             % (name, oov_method))
        if output_mode == "tf-idf":
            output_mode = "tf_idf"
        self.output_mode = check_output_mode(name, output_mode)
        if invert and self.output_mode != "int":
            raise ValueError("%s: `output_mode` must be 'int' when `invert` is true. "
                             "Received: output_mode=%r" % (name, output_mode))
        if sparse:
            raise ValueError("%s: `sparse=True` is not supported on torch." % name)
        if idf_weights is not None and self.output_mode != "tf_idf":
            raise ValueError("%s: `idf_weights` should only be set if `output_mode` is "
                             "'tf_idf'. Received: output_mode=%r" % (name, output_mode))
        if self.output_mode == "tf_idf" and vocabulary is not None and idf_weights is None:
            raise ValueError("%s: with a `vocabulary` in 'tf_idf' mode, `idf_weights` must "
                             "also be given." % name)
        if salt is not None:
            if vocabulary_dtype != "string" and oov_method != "farmhash":
                raise ValueError("%s: `salt` can only be used when oov_method='farmhash'."
                                 % name)
            if isinstance(salt, (tuple, list)) and len(salt) == 2:
                salt = [int(s) for s in salt]
            elif isinstance(salt, int):
                salt = [salt, salt]
            else:
                raise ValueError("%s: `salt` must be an int or a pair of ints. Received: %r"
                                 % (name, salt))
        self.invert = invert
        self.max_tokens = max_tokens
        self.num_oov_indices = num_oov_indices
        self.mask_token = mask_token
        self.oov_token = oov_token
        self.sparse = False
        self.pad_to_max_tokens = pad_to_max_tokens
        self.vocabulary_dtype = vocabulary_dtype
        self.oov_method = oov_method
        self.salt = salt
        self.input_vocabulary = vocabulary if not isinstance(vocabulary, str) else None
        self.input_idf_weights = idf_weights
        self._has_input_vocabulary = has_vocab
        self._frozen_vocab_size = frozen
        self._tokens: list = []
        self._index: dict = {}
        self.idf_weights = None
        self._counts = collections.Counter()
        self._doc_counts = collections.Counter()
        self._num_documents = 0
        if vocabulary is not None:
            self.set_vocabulary(vocabulary, idf_weights)

    # ------------------------------------------------------------------ vocabulary
    def _oov_start_index(self) -> int:
        return 1 if self.mask_token is not None and self.output_mode == "int" else 0

    def _token_start_index(self) -> int:
        return self._oov_start_index() + self.num_oov_indices

    def _token(self, value):
        return str(value) if self.vocabulary_dtype == "string" else int(value)

    def vocabulary_size(self) -> int:
        """Vocabulary size with the mask and OOV indices."""
        return len(self._tokens) + self._token_start_index()

    def get_vocabulary(self, include_special_tokens: bool = True) -> list:
        """The tokens in index order (mask and OOV tokens first when included)."""
        vocab = [self.oov_token] * self._token_start_index() + list(self._tokens)
        if self.mask_token is not None and self.output_mode == "int":
            vocab[0] = self.mask_token
        return vocab if include_special_tokens else vocab[self._token_start_index():]

    def set_vocabulary(self, vocabulary, idf_weights=None) -> None:
        """Sets the vocabulary (and idf weights) directly, replacing any present.

        Args:
            vocabulary: A list, tuple, array or tensor of tokens, or a text file's path.
            idf_weights: Inverse document frequencies (``"tf_idf"`` mode only).
        """
        name = type(self).__name__
        if self.output_mode == "tf_idf" and idf_weights is None:
            raise ValueError("%s: `idf_weights` must be set if output_mode is 'tf_idf'."
                             % name)
        if self.output_mode != "tf_idf" and idf_weights is not None:
            raise ValueError("%s: `idf_weights` should only be set if output_mode is "
                             "'tf_idf'. Received: output_mode=%r" % (name, self.output_mode))
        if isinstance(vocabulary, (str, os.PathLike)):
            vocabulary = self._read_vocabulary_file(os.fspath(vocabulary))
        values = to_host_array(vocabulary).reshape(-1).tolist()
        if not values:
            raise ValueError("%s: cannot set an empty vocabulary." % name)
        values = [self._token(v) for v in values]
        start = self._token_start_index()
        specials = [self.mask_token] * self._oov_start_index() + \
            [self.oov_token] * self.num_oov_indices
        found_specials = bool(specials) and values[:start] == specials
        tokens = values[start:] if found_specials else values
        repeated = [t for t, n in collections.Counter(tokens).items() if n > 1]
        if repeated:
            raise ValueError("%s: the vocabulary has repeated terms %r; uniquify it."
                             % (name, repeated))
        if self.mask_token is not None and self.mask_token in tokens:
            raise ValueError("%s: found the mask token %r inside `vocabulary`; include "
                             "special tokens only at its start, in this order: %r"
                             % (name, self.mask_token, specials))
        if self.invert and self.oov_token is not None and self.oov_token in tokens:
            raise ValueError("%s: found the OOV token %r inside `vocabulary`; include "
                             "special tokens only at its start, in this order: %r"
                             % (name, self.oov_token, specials))
        if self.max_tokens is not None and start + len(tokens) > self.max_tokens:
            raise ValueError("%s: vocabulary size %d is larger than `max_tokens` (%d)."
                             % (name, start + len(tokens), self.max_tokens))
        if idf_weights is not None:
            idf = np.asarray(idf_weights.detach().cpu() if isinstance(idf_weights, torch.Tensor)
                             else idf_weights, dtype="float64")
            if idf.ndim != 1 or len(idf) != len(values):
                raise ValueError("%s: `idf_weights` must be 1-D with one weight per "
                                 "vocabulary term (%d); got shape %s"
                                 % (name, len(values), idf.shape))
            front = 0 if found_specials else start
            idf = np.concatenate([np.full(front, idf.mean() if front else 0.0), idf])
            self._set_idf(idf)
        self._set_tokens(tokens)
        self._has_input_vocabulary = True

    def _read_vocabulary_file(self, path: str) -> list:
        from torchkeras.saving.serialization import in_safe_mode
        if in_safe_mode():
            raise ValueError("Requested the loading of a vocabulary file outside of the model "
                             "archive (%s) in safe mode; pass safe_mode=False if you trust it."
                             % path)
        if not os.path.exists(path):
            raise ValueError("Vocabulary file %s does not exist." % path)
        if self.output_mode == "tf_idf":
            raise ValueError("output_mode 'tf_idf' does not support loading a vocabulary "
                             "from file.")
        with open(path, encoding="utf-8") as f:
            lines = f.read().splitlines()
        while lines and lines[-1] == "":
            lines.pop()
        return lines

    def _set_tokens(self, tokens: list) -> None:
        self._tokens = list(tokens)
        start = self._token_start_index()
        self._index = {t: start + i for i, t in enumerate(self._tokens)}
        self._frozen_vocab_size = self.vocabulary_size()

    def _set_idf(self, idf: np.ndarray) -> None:
        if self.pad_to_max_tokens and self.max_tokens is not None:
            idf = np.pad(idf, (0, self.max_tokens - len(idf)))
        self.idf_weights = torch.as_tensor(idf, dtype=_config.to_torch_dtype(None))

    # ------------------------------------------------------------------ adapt
    def adapt(self, data, steps: int | None = None) -> None:
        """Builds the vocabulary from ``data``: tokens by descending frequency.

        Args:
            data: An array, a list of tokens, or an iterable of batches.
            steps: Number of batches to read from an iterable.
        """
        self.reset_state()
        if isinstance(data, (np.ndarray, torch.Tensor, list, tuple)) or \
                not hasattr(data, "__iter__"):
            batches = [data]
        else:
            batches = data
        for i, batch in enumerate(batches):
            if steps is not None and i >= steps:
                break
            self.update_state(batch)
        self.finalize_state()

    def update_state(self, data) -> None:
        if self._has_input_vocabulary:
            raise ValueError("Cannot adapt layer '%s' after setting a static vocabulary via "
                             "`vocabulary` or `set_vocabulary()`." % self.name)
        if isinstance(data, tuple) and data and not isinstance(data[0], (str, int)):
            data = data[0]
        arr = to_host_array(data)
        if arr.ndim < 2:
            arr = arr.reshape(1, -1)
        self.count_tokens([[self._token(v) for v in row]
                           for row in arr.reshape(arr.shape[0], -1).tolist()])

    def count_tokens(self, documents: list) -> None:
        """Adds the tokens of ``documents`` (lists of tokens) to the adapt statistics."""
        if self._has_input_vocabulary:
            raise ValueError("Cannot adapt layer '%s' after setting a static vocabulary via "
                             "`vocabulary` or `set_vocabulary()`." % self.name)
        self._counts.update(itertools.chain.from_iterable(documents))
        if self.output_mode == "tf_idf":
            for doc in documents:
                self._doc_counts.update(set(doc))
            self._num_documents += len(documents)

    def finalize_state(self) -> None:
        if self._has_input_vocabulary or not self._counts:
            return
        counts = dict(self._counts)
        counts.pop(self.mask_token, None)
        counts.pop(self.oov_token, None)
        # Most frequent first; ties broken by the token, larger first (as Keras's lexsort).
        tokens = sorted(counts, key=lambda t: (counts[t], t), reverse=True)
        if self.max_tokens:
            tokens = tokens[:self.max_tokens - self._token_start_index()]
        if self.output_mode == "tf_idf":
            idf = np.array([math.log(1 + self._num_documents / (1 + self._doc_counts[t]))
                            for t in tokens], dtype="float32")
            start = self._token_start_index()
            self._set_idf(np.concatenate([np.full(start, idf.mean() if len(idf) else 0.0),
                                          idf]).astype("float32"))
        self._set_tokens(tokens)
        self.reset_state()

    def reset_state(self) -> None:
        if self._has_input_vocabulary:
            return
        self._counts = collections.Counter()
        self._doc_counts = collections.Counter()
        self._num_documents = 0

    # ------------------------------------------------------------------ call
    def _oov_index(self, value) -> int:
        n = self.num_oov_indices
        if n == 0:
            raise ValueError("When `num_oov_indices=0` all inputs should be in vocabulary; "
                             "found OOV value %r. Consider setting `num_oov_indices=1`."
                             % (value,))
        start = self._oov_start_index()
        if n == 1:
            return start
        if self.vocabulary_dtype != "string" and self.oov_method != "farmhash":
            return start + int(value) % n
        data = str(value).encode("utf-8")
        h = siphash24(tuple(self.salt), data) if self.salt is not None else fingerprint64(data)
        return start + h % n

    def lookup_tokens(self, tokens: list) -> list:
        """Indices of ``tokens`` (a flat list of tokens), OOV and mask rules applied."""
        index = self._index
        mask = self.mask_token
        out = []
        for t in tokens:
            i = index.get(t)
            if i is None:
                i = (0 if self.output_mode == "int" else -1) if mask is not None and t == mask \
                    else self._oov_index(t)
            out.append(i)
        return out

    def _lookup_ids(self, values: np.ndarray) -> np.ndarray:
        index = self._index
        mask = self.mask_token
        # Outside "int" mode a masked value gets an id past the encoded width: dropped.
        mask_id = 0 if self.output_mode == "int" else -1

        def lookup(v):
            t = self._token(v)
            if mask is not None and t == mask:
                return mask_id
            i = index.get(t)
            return i if i is not None else self._oov_index(t)
        return map_values(values, lookup)

    def call(self, inputs):
        values = to_host_array(inputs)
        if self.invert:
            return self._invert(values, inputs)
        if self.output_mode != "int" and not self.pad_to_max_tokens and \
                self._frozen_vocab_size is None:
            raise RuntimeError("When using output_mode=%r and pad_to_max_tokens=False, set "
                               "the layer's vocabulary (the `vocabulary` argument or "
                               "`adapt`) before calling it." % self.output_mode)
        ids = self._lookup_ids(values)
        if self.output_mode == "int":
            return to_device_tensor(ids, inputs)
        depth = self.max_tokens if self.pad_to_max_tokens else self._frozen_vocab_size
        # Masked values (-1) go to one extra column, cut off after encoding.
        ids_t = to_device_tensor(np.where(ids < 0, depth, ids), inputs)
        mode = "count" if self.output_mode == "tf_idf" else self.output_mode
        out = encode(ids_t, mode, depth + 1, _config.to_torch_dtype(None))[..., :depth]
        if self.output_mode == "tf_idf":
            out = out * self.idf_weights.to(out.device)
        return out

    def _invert(self, values: np.ndarray, inputs):
        vocab = self.get_vocabulary()
        size = len(vocab)

        def token(i):
            i = int(i)
            return vocab[i] if 0 <= i < size else self.oov_token
        out = np.vectorize(token, otypes=[object])(values) if values.size else \
            values.astype(object)
        if self.vocabulary_dtype == "string":
            return out
        return to_device_tensor(out.astype(np.int64), inputs)

    def compute_output_shape(self, input_shape):
        input_shape = tuple(input_shape)
        if self.output_mode == "int":
            return input_shape
        depth = self.max_tokens if self.pad_to_max_tokens else self._frozen_vocab_size
        if self.output_mode == "one_hot" and (not input_shape or input_shape[-1] != 1):
            return input_shape + (depth,)
        return input_shape[:-1] + (depth,)

    def compute_output_spec(self, inputs, **kwargs):
        from torchkeras.layers.keras_tensor import KerasTensor
        if self.output_mode == "int":
            dtype = self.vocabulary_dtype if self.invert else "int64"
        else:
            dtype = _config.floatx()
        return KerasTensor(self.compute_output_shape(inputs.shape), dtype=dtype)

    # ------------------------------------------------------------------ saving
    def save_assets(self, dir_path: str) -> None:
        if self.input_vocabulary is not None:
            return
        with open(os.path.join(dir_path, "vocabulary.txt"), "w", encoding="utf-8") as f:
            f.write("\n".join(str(w) for w in self.get_vocabulary()))

    def load_assets(self, dir_path: str) -> None:
        if self.input_vocabulary is not None:
            return
        path = os.path.join(dir_path, "vocabulary.txt")
        with open(path, encoding="utf-8") as f:
            lines = f.read().splitlines()
        while lines and lines[-1] == "":
            lines.pop()
        if lines:
            values = [self._token(v) for v in lines]
            start = self._token_start_index()
            self._has_input_vocabulary = False
            self._set_tokens(values[start:])
            self._has_input_vocabulary = True

    def get_config(self) -> dict:
        def listify(v):
            if isinstance(v, (np.ndarray, torch.Tensor)):
                return to_host_array(v).tolist()
            return list(v) if isinstance(v, tuple) else v
        return {**super().get_config(), "invert": self.invert, "max_tokens": self.max_tokens,
                "num_oov_indices": self.num_oov_indices, "oov_token": self.oov_token,
                "mask_token": self.mask_token, "output_mode": self.output_mode,
                "sparse": self.sparse, "pad_to_max_tokens": self.pad_to_max_tokens,
                "vocabulary_dtype": self.vocabulary_dtype,
                "idf_weights": listify(self.input_idf_weights),
                "vocabulary": listify(self.input_vocabulary),
                "vocabulary_size": self._frozen_vocab_size, "oov_method": self.oov_method,
                "salt": self.salt}
