"""Functional models survive pickling and deepcopy, and cast inputs to their Input dtype."""
import copy
import pickle

import numpy as np
import torch

import torchkeras as tk


def _model():
    inp = tk.Input((3,))
    h = tk.layers.Dense(4, activation="relu")(inp)
    out = tk.layers.Dense(2)(tk.layers.Concatenate()([h, inp]))
    model = tk.Model(inp, out)
    model.compile("rmsprop", "mse")
    model.fit(np.ones((8, 3), "float32"), np.ones((8, 2), "float32"), verbose=0)
    return model


def test_pickle_and_deepcopy_keep_a_working_model():
    model = _model()
    x = torch.randn(5, 3)
    for clone in (pickle.loads(pickle.dumps(model)), copy.deepcopy(model)):
        torch.testing.assert_close(clone(x), model(x))
        clone.fit(np.ones((8, 3), "float32"), np.zeros((8, 2), "float32"), verbose=0)
        assert not torch.allclose(clone(x), model(x))   # independent weights


def test_integer_inputs_take_the_input_dtype():
    model = _model()
    ints = np.arange(6).reshape(2, 3)
    out = model.predict(ints, verbose=0)
    np.testing.assert_allclose(out, model.predict(ints.astype("float32"), verbose=0))
    assert model(torch.tensor(ints)).dtype == torch.float32
