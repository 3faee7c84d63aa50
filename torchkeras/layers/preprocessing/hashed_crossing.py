"""HashedCrossing: crosses categorical features into hashed bucket ids, as Keras does."""
from __future__ import annotations

import numpy as np

from torchkeras import config as _config
from torchkeras.layers.layer import Layer
from torchkeras.layers.preprocessing.encoding import check_output_mode, encode
from torchkeras.layers.preprocessing.host_values import to_device_tensor, to_host_array
from torchkeras.utils.hashing import fingerprint64, fingerprint_cat64

# TensorFlow's default key for hashed crosses (``tf.sparse.cross_hashed``).
_CROSS_KEY = 0xDECAFCAFFE
_U64 = 0xFFFFFFFFFFFFFFFF


def _feature_hash(value) -> int:
    # Strings are fingerprinted; integers enter the cross as their 64-bit value.
    if isinstance(value, str):
        return fingerprint64(value.encode("utf-8"))
    if isinstance(value, bytes):
        return fingerprint64(value)
    return int(value) & _U64


class HashedCrossing(Layer):
    """Hashes the combination of two or more categorical features into ``num_bins`` ids.

    The crossed id of a row equals Keras's (TensorFlow's ``sparse.cross_hashed``: each
    string fingerprinted, integers taken as they are, combined with ``FingerprintCat64``).

    Args:
        num_bins: Number of hash buckets.
        output_mode: ``"int"`` (ids, int64) or ``"one_hot"``.
        sparse: Must be ``False``.

    Example:
        >>> HashedCrossing(num_bins=5)((np.array([["A"], ["B"]]), np.array([["x"], ["y"]])))
        tensor([[0], [3]])
    """

    def __init__(self, num_bins: int, output_mode: str = "int", sparse: bool = False,
                 **kwargs):
        if output_mode == "int" and kwargs.get("dtype") is None:
            kwargs["dtype"] = "int64"
        super().__init__(**kwargs)
        self.output_mode = check_output_mode("HashedCrossing", output_mode, ("int", "one_hot"))
        if sparse:
            raise ValueError("HashedCrossing: `sparse=True` is not supported on torch.")
        if num_bins is None or num_bins <= 0:
            raise ValueError("HashedCrossing: `num_bins` must be a positive integer. Received: "
                             "num_bins=%r" % (num_bins,))
        self.num_bins = int(num_bins)
        self.sparse = False

    def call(self, inputs):
        if not isinstance(inputs, (list, tuple)):
            raise ValueError("`HashedCrossing` should be called on a list or tuple of inputs. "
                             "Received: inputs of type %s" % type(inputs).__name__)
        if len(inputs) < 2:
            raise ValueError("`HashedCrossing` should be called on at least two inputs. "
                             "Received %d." % len(inputs))
        columns = [to_host_array(x) for x in inputs]
        shape = columns[0].shape
        if len(shape) > 2 or (len(shape) == 2 and shape[-1] != 1):
            raise ValueError("All `HashedCrossing` inputs should have shape `()`, `(batch_size)` "
                             "or `(batch_size, 1)`. Received shape %s." % (shape,))
        if any(c.shape != shape for c in columns[1:]):
            raise ValueError("All `HashedCrossing` inputs should have equal shape. Received "
                             "shapes %s." % [c.shape for c in columns])
        rows = zip(*[c.reshape(-1).tolist() for c in columns])
        ids = []
        for row in rows:
            h = _CROSS_KEY
            for value in row:
                h = fingerprint_cat64(h, _feature_hash(value))
            ids.append(h % self.num_bins)
        out = to_device_tensor(np.asarray(ids, dtype=np.int64).reshape(shape), inputs[0])
        if self.output_mode == "int":
            return out.to(_config.to_torch_dtype(self.compute_dtype))
        return encode(out, "one_hot", self.num_bins, _config.to_torch_dtype(self.compute_dtype))

    def compute_output_shape(self, input_shape):
        first = tuple(input_shape[0])
        if self.output_mode == "int":
            return first
        if not first or first[-1] != 1:
            return first + (self.num_bins,)
        return first[:-1] + (self.num_bins,)

    def compute_output_spec(self, inputs, **kwargs):
        from torchkeras.layers.keras_tensor import KerasTensor
        return KerasTensor(self.compute_output_shape([x.shape for x in inputs]),
                           dtype=self.compute_dtype)

    def get_config(self) -> dict:
        return {**super().get_config(), "num_bins": self.num_bins,
                "output_mode": self.output_mode, "sparse": self.sparse}
