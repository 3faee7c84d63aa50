"""Keras's Variable API: standalone construction, add_variable."""
import numpy as np
import pytest
import torch

import torchkeras as tk
from torchkeras.variables import Variable


@pytest.mark.keras_oracle
def test_standalone_variable_like_keras(keras):
    for lib in (keras, tk):
        v = lib.Variable("ones", (2, 3), "float32", False, name="v")
        assert (tuple(v.shape), v.trainable, v.name) == ((2, 3), False, "v")
        np.testing.assert_array_equal(v.numpy(), np.ones((2, 3), "float32"))
        v.assign_add(np.full((2, 3), 2.0, "float32"))
        v.assign_sub(np.ones((2, 3), "float32"))
        np.testing.assert_array_equal(v.numpy(), np.full((2, 3), 2.0))
        w = lib.Variable(initializer=lib.initializers.Constant(3.0), shape=(4,), name="w")
        assert w.trainable and float(np.asarray(w.numpy()).sum()) == 12.0
        assert str(lib.Variable(np.zeros(2)).numpy().dtype) == "float64"
    with pytest.raises(ValueError, match="shape"):
        tk.Variable("ones")


def test_torch_rebuild_signature_still_works():
    p = Variable(torch.ones(2), False)
    assert not p.requires_grad and not p.trainable
    import copy
    q = copy.deepcopy(Variable(torch.ones(2), name="q"))
    assert q.name == "q" and q.requires_grad


def test_add_variable_trains_in_a_custom_layer():
    class Scale(tk.layers.Layer):
        def build(self, input_shape):
            self.w = self.add_variable((input_shape[-1], 1), "zeros", name="w")

        def call(self, x):
            return torch.matmul(x, self.w)

    model = tk.Sequential([tk.Input((3,)), Scale()])
    x = np.random.default_rng(0).normal(size=(64, 3)).astype("float32")
    y = x @ np.array([[1.0], [-2.0], [0.5]], "float32")
    model.compile(optimizer=tk.optimizers.SGD(0.1), loss="mse")
    model.fit(x, y, epochs=20, verbose=0)
    np.testing.assert_allclose(model.layers[0].w.numpy().ravel(), [1.0, -2.0, 0.5], atol=0.05)
    assert model.layers[0].w.name == "w"


@pytest.mark.keras_oracle
def test_paths_name_the_layer(keras):
    for lib in (keras, tk):
        dense = lib.layers.Dense(3, name="d")
        dense.build((None, 4))
        assert dense.kernel.path == "d/kernel" and dense.bias.path == "d/bias"
        assert lib.Variable(1.0, name="v").path == "v"

