"""Masks as Keras carries them: a layer that writes compute_mask propagates masks without
setting supports_masking, and symbolic tensors carry ``_keras_mask`` through the graph."""
import numpy as np
import pytest
import torch

import torchkeras as tk
from torchkeras import layers
from torchkeras.layers.keras_tensor import KerasTensor


class _NonZeroMask(layers.Layer):
    """Only compute_mask is written: Keras then supports masking by default."""

    def call(self, x):
        return x * 2

    def compute_mask(self, x, mask=None):
        return x != 0


class _Pass(layers.Layer):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True

    def call(self, x):
        return x + 1


class _MaskedSum(layers.Layer):
    """Reads the mask; does not propagate it (no supports_masking, no compute_mask)."""

    def call(self, x, mask=None):
        if mask is None:
            return x.sum(-1)
        return (x.sum(-1) * mask.to(x.dtype)).sum(-1, keepdims=True)


def test_compute_mask_override_turns_masking_on():
    layer = _NonZeroMask()
    assert layer.supports_masking
    out = layer(torch.tensor([[1.0, 0.0, 2.0]]))
    assert out._keras_mask.tolist() == [[True, False, True]]
    assert not _MaskedSum().supports_masking


def test_explicit_supports_masking_false_wins():
    class Off(_NonZeroMask):
        supports_masking = False
    assert not Off().supports_masking
    out = Off()(torch.tensor([[1.0, 0.0]]))
    assert getattr(out, "_keras_mask", None) is None


def test_symbolic_tensors_carry_masks():
    x = tk.Input((3,))
    y = _NonZeroMask()(x)
    assert isinstance(y._keras_mask, KerasTensor)
    assert y._keras_mask.shape == (None, 3) and y._keras_mask.dtype == "bool"
    assert x._keras_mask is None
    ids = tk.Input((None,), dtype="int32")
    emb = layers.Embedding(10, 4, mask_zero=True)(ids)
    assert emb._keras_mask.shape == (None, None)
    passed = _Pass()(emb)                        # fake-run path: the same mask goes on
    assert passed._keras_mask is emb._keras_mask
    dense = layers.Dense(2)(emb)                 # output-shape path: default compute_mask
    assert dense._keras_mask is emb._keras_mask
    assert getattr(_MaskedSum()(emb), "_keras_mask", None) is None


def test_mask_flows_through_functional_model():
    ids = tk.Input((None,), dtype="int32")
    emb = layers.Embedding(10, 4, mask_zero=True)(ids)
    out = _MaskedSum()(_Pass()(emb))
    model = tk.Model(ids, out)
    data = np.array([[1, 2, 0, 0], [3, 0, 0, 0]])
    got = model.predict(data, verbose=0)
    table = model.layers[1].get_weights()[0]
    # _Pass adds 1 to each of the 4 features; masked steps count for nothing.
    expected = [[table[1].sum() + 4 + table[2].sum() + 4], [table[3].sum() + 4]]
    np.testing.assert_allclose(got, np.array(expected, dtype="float32"), rtol=1e-5)


@pytest.mark.keras_oracle
def test_oracle_masks(keras):
    class KNonZero(keras.layers.Layer):
        def call(self, x):
            return x * 2

        def compute_mask(self, x, mask=None):
            return x != 0

    kx = keras.Input((3,))
    ky = KNonZero()(kx)
    assert KNonZero().supports_masking
    assert tuple(ky._keras_mask.shape) == _NonZeroMask()(tk.Input((3,)))._keras_mask.shape
    keager = KNonZero()(torch.tensor([[1.0, 0.0, 2.0]]))
    assert keager._keras_mask.tolist() == [[True, False, True]]
    kids = keras.Input((None,), dtype="int32")
    kemb = keras.layers.Embedding(10, 4, mask_zero=True)(kids)
    assert tuple(kemb._keras_mask.shape) == (None, None)
    assert tuple(keras.layers.Dense(2)(kemb)._keras_mask.shape) == (None, None)
