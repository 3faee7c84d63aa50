"""Hashing: strings or integers to bucket ids with TensorFlow's (Keras's) hashes."""
from __future__ import annotations

import numpy as np
import torch

from torchkeras import config as _config
from torchkeras.layers.layer import Layer
from torchkeras.layers.preprocessing.encoding import check_output_mode, encode
from torchkeras.layers.preprocessing.host_values import (map_values, to_device_tensor,
                                                         to_host_array)
from torchkeras.utils.hashing import fingerprint64, siphash24


def _as_text(value) -> str:
    # Keras hashes the decimal text of numbers (floats truncated to int64 first).
    if isinstance(value, str):
        return value
    if isinstance(value, (float, np.floating)):
        return str(int(value))
    return str(value)


class Hashing(Layer):
    """Hashes each value into one of ``num_bins`` buckets, with the ids Keras gives.

    Unsalted, the hash is FarmHash Fingerprint64 (TensorFlow's ``to_hash_bucket_fast``);
    with a ``salt``, SipHash-2-4 keyed by it (``to_hash_bucket_strong``). Integers hash by
    their decimal text, as in Keras. Hashing runs on the host, once per distinct value.

    Args:
        num_bins: Number of buckets (including the mask bucket when ``mask_value`` is set).
        mask_value: A value that maps to bucket 0; the others then use buckets
            ``1 .. num_bins - 1``.
        salt: An int or a pair of ints keying the strong hash.
        output_mode: ``"int"`` (bucket ids, int64), ``"one_hot"``, ``"multi_hot"`` or
            ``"count"``.
        sparse: Must be ``False`` (dense outputs).

    Example:
        >>> Hashing(num_bins=3)([["a"], ["b"], ["c"]])
        tensor([[0], [1], [1]])
    """

    def __init__(self, num_bins: int, mask_value=None, salt=None, output_mode: str = "int",
                 sparse: bool = False, **kwargs):
        if kwargs.get("dtype") is None:
            kwargs["dtype"] = "int64" if output_mode == "int" else _config.floatx()
        super().__init__(**kwargs)
        if num_bins is None or num_bins <= 0:
            raise ValueError("Hashing: `num_bins` cannot be None or non-positive. "
                             "Received: num_bins=%r." % (num_bins,))
        self.output_mode = check_output_mode("Hashing", output_mode,
                                             ("int", "one_hot", "multi_hot", "count"))
        if self.output_mode == "int" and self.compute_dtype not in ("int32", "int64"):
            raise ValueError("Hashing: when output_mode='int', `dtype` must be 'int32' or "
                             "'int64'. Received: dtype=%r" % kwargs["dtype"])
        if sparse:
            raise ValueError("Hashing: `sparse=True` is not supported on torch; outputs are "
                             "dense.")
        if salt is None:
            self.salt = None
        elif isinstance(salt, (tuple, list)) and len(salt) == 2:
            self.salt = [int(s) for s in salt]
        elif isinstance(salt, int) and not isinstance(salt, bool):
            self.salt = [salt, salt]
        else:
            raise ValueError("Hashing: `salt` must be an int or a pair of ints. Received: "
                             "salt=%r." % (salt,))
        self.num_bins = int(num_bins)
        self.mask_value = mask_value
        self.sparse = False
        self._cache: dict = {}

    def hash_values(self, values: np.ndarray) -> np.ndarray:
        """Bucket ids (int64) of a host array of strings or numbers."""
        bins = self.num_bins
        masked = self.mask_value is not None and bins > 1
        if masked:
            bins -= 1
        if self.salt is None:
            def bucket(v):
                return fingerprint64(_as_text(v).encode("utf-8")) % bins
        else:
            key = tuple(self.salt)

            def bucket(v):
                return siphash24(key, _as_text(v).encode("utf-8")) % bins
        ids = map_values(values, bucket, self._cache)
        if masked:
            ids = np.where(values == self.mask_value, 0, ids + 1)
        return ids

    def call(self, inputs):
        values = to_host_array(inputs)
        if self.output_mode == "one_hot" and values.ndim and values.shape[-1] == 1:
            values = values[..., 0]
        ids = to_device_tensor(self.hash_values(values), inputs)
        dtype = _config.to_torch_dtype(self.compute_dtype)
        if self.output_mode == "int":
            return ids.to(dtype)
        return encode(ids, self.output_mode, self.num_bins, dtype)

    def compute_output_shape(self, input_shape):
        input_shape = tuple(input_shape)
        if self.output_mode == "int":
            return input_shape
        if not input_shape:
            return (self.num_bins,)
        return input_shape[:-1] + (self.num_bins,)

    def compute_output_spec(self, inputs, **kwargs):
        from torchkeras.layers.keras_tensor import KerasTensor
        return KerasTensor(self.compute_output_shape(inputs.shape), dtype=self.compute_dtype)

    def get_config(self) -> dict:
        return {**super().get_config(), "num_bins": self.num_bins, "salt": self.salt,
                "mask_value": self.mask_value, "output_mode": self.output_mode,
                "sparse": self.sparse}
