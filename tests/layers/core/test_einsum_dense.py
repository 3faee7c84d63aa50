"""EinsumDense: Keras's shape rules, weights, configs and outputs."""
import numpy as np
import pytest
import torch

import torchkeras as tk
from torchkeras.layers import EinsumDense
from torchkeras.testing import run_layer_test

CASES = [
    ("ab,bc->ac", 4, None, (3, 5)),
    ("ab,bc->ac", (4,), "c", (3, 5)),
    ("abc,cd->abd", (None, 6), "d", (2, 3, 5)),
    ("abc,cde->abde", (None, 4, 8), "de", (2, 3, 5)),
    ("abc,cde->abde", (None, 4, 8), "e", (2, 3, 5)),
    ("...b,bc->...c", 7, "c", (2, 3, 4, 5)),
    ("ab...,bc->ac...", (6, None), "c", (2, 3, 4)),
    ("abcd,cde->abe", (None, 6), "e", (2, 3, 4, 5)),
]


@pytest.mark.keras_oracle
@pytest.mark.parametrize("equation,output_shape,bias_axes,in_shape", CASES)
def test_matches_keras(keras, equation, output_shape, bias_axes, in_shape):
    x = np.random.default_rng(0).normal(size=in_shape).astype("float32")
    theirs = keras.layers.EinsumDense(equation, output_shape, bias_axes=bias_axes,
                                      activation="relu", bias_initializer="ones")
    want = theirs(x)
    ours = EinsumDense(equation, output_shape, bias_axes=bias_axes, activation="relu",
                       bias_initializer="ones")
    ours.build(in_shape)
    assert [tuple(w.shape) for w in ours.get_weights()] == \
        [tuple(w.shape) for w in theirs.get_weights()]
    ours.set_weights(theirs.get_weights())
    got = ours(x)
    np.testing.assert_allclose(got.detach().numpy(), want.detach().cpu().numpy(),
                               rtol=1e-5, atol=1e-5)
    symbolic = theirs(keras.Input(in_shape[1:]))
    assert ours(tk.Input(in_shape[1:])).shape == tuple(symbolic.shape)
    cfg_ours, cfg_theirs = ours.get_config(), theirs.get_config()
    for key in ("equation", "bias_axes", "activation"):
        assert cfg_ours[key] == cfg_theirs[key]
    assert list(cfg_ours["output_shape"]) == list(cfg_theirs["output_shape"])


def test_layer_test_and_training():
    run_layer_test(EinsumDense, {"equation": "abc,cde->abde", "output_shape": (4, 2, 3),
                                 "bias_axes": "de"}, input_shape=(2, 4, 5),
                   expected_output_shape=(2, 4, 2, 3), expected_num_trainable_weights=2)
    inp = tk.Input((6, 5))
    out = tk.layers.Flatten()(EinsumDense("abc,cd->abd", (6, 2), bias_axes="d")(inp))
    model = tk.Model(inp, tk.layers.Dense(1)(out))
    model.compile("adam", "mse")
    x = np.random.default_rng(1).normal(size=(32, 6, 5)).astype("float32")
    hist = model.fit(x, x.sum(axis=(1, 2))[:, None], epochs=3, verbose=0)
    assert hist.history["loss"][-1] < hist.history["loss"][0]


def test_fans_follow_the_equation():
    layer = EinsumDense("abc,cde->abde", (None, 4, 8), kernel_initializer="glorot_uniform")
    layer.build((None, 3, 100))
    limit = np.sqrt(6.0 / (100 + 32))   # fan_in = c, fan_out = d * e
    k = layer.kernel.detach().numpy()
    assert k.shape == (100, 4, 8) and np.abs(k).max() <= limit and np.abs(k).max() > 0.8 * limit


def test_bad_equations_name_the_problem():
    with pytest.raises(ValueError, match="Invalid einsum equation"):
        EinsumDense("ab->b", 3).build((2, 3))
    with pytest.raises(ValueError, match="Bias dimension 'z'"):
        EinsumDense("ab,bc->ac", 3, bias_axes="z").build((2, 3))
    with pytest.raises(ValueError, match="do not match at shared dimension"):
        EinsumDense("abc,cd->abd", (9, 4)).build((2, 3, 5))
    with pytest.raises(ValueError, match="Weight dimension 'q'"):
        EinsumDense("ab,qc->ac", 3).build((2, 3))
