"""Kernels seen in Keras's layout: views that read, assign and carry gradients."""
import numpy as np
import pytest
import torch

import torchkeras as tk
from torchkeras.variable_view import KerasView


@pytest.mark.keras_oracle
@pytest.mark.parametrize("make,shape", [
    (lambda lib: lib.layers.Dense(3), (None, 4)),
    (lambda lib: lib.layers.Conv2D(2, 3), (None, 8, 8, 5)),
])
def test_kernel_reads_and_assigns_in_keras_layout(keras, make, shape):
    results = []
    for lib in (keras, tk):
        layer = make(lib)
        layer.build(shape)
        k = layer.kernel
        value = np.arange(np.prod(k.shape), dtype="float32").reshape(tuple(k.shape))
        k.assign(value)
        k.assign_add(np.ones(tuple(k.shape), "float32"))
        results.append((tuple(k.shape), layer.kernel.numpy().copy(), layer.get_weights()[0],
                        k.name, k.trainable))
        with pytest.raises(ValueError):
            layer.kernel.assign(np.zeros((1, 1), "float32"))
    (ks, kv, kw, kn, kt), (ts, tv, tw, tn, tt) = results
    assert ks == ts and kn == tn == "kernel" and kt == tt
    np.testing.assert_array_equal(tv, kv)
    np.testing.assert_array_equal(tw, kw)


def test_kernel_is_a_view_gradients_reach_the_parameter():
    layer = tk.layers.Dense(3)
    layer.build((None, 4))
    k = layer.kernel
    assert isinstance(k, KerasView) and k.data_ptr() == layer.weight.data_ptr()
    out = torch.matmul(torch.ones(2, 4), k).sum()
    assert type(out) is torch.Tensor
    out.backward()
    torch.testing.assert_close(layer.weight.grad, torch.full((3, 4), 2.0))
    assert np.asarray(k).shape == (4, 3)
