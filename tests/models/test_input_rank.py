"""A model checks its inputs' ranks against its Inputs, as Keras does: a trailing axis of
size 1 is added or dropped, anything else is a clear ValueError naming the layer."""
import numpy as np
import pytest
import torch

import torchkeras as tk
from torchkeras import layers
from torchkeras.models.input_rank import adjust_input_rank


def _conv_models():
    seq = tk.Sequential([tk.Input((8, 8, 1)), layers.Conv2D(2, 3, name="conv_a")])
    x = tk.Input((8, 8, 1), name="img")
    fun = tk.Model(x, layers.Conv2D(2, 3, name="conv_b")(x))
    return [(seq, "conv_a"), (fun, "conv_b")]


@pytest.mark.parametrize("which", [0, 1])
def test_wrong_rank_names_layer_and_expected_rank(which):
    model, layer_name = _conv_models()[which]
    for call in (lambda: model.predict(np.ones((4,)), verbose=0),
                 lambda: model(torch.ones(2, 8, 8, 1, 1, 1))):
        with pytest.raises(ValueError, match="layer '%s'.*expected rank 4" % layer_name):
            call()
    assert model.predict(np.ones((2, 8, 8, 1)), verbose=0).shape == (2, 6, 6, 2)


@pytest.mark.parametrize("which", [0, 1])
def test_trailing_unit_axis_is_added_or_dropped(which):
    model, _ = _conv_models()[which]
    assert model.predict(np.ones((2, 8, 8)), verbose=0).shape == (2, 6, 6, 2)
    dense = tk.Sequential([tk.Input((1,)), layers.Dense(2)])
    assert dense.predict(np.ones((3,)), verbose=0).shape == (3, 2)
    flat = tk.Sequential([tk.Input((3,)), layers.Dense(2)])
    assert flat(torch.ones(5, 3, 1)).shape == (5, 2)


def test_adjust_input_rank_passes_non_tensors_and_equal_ranks():
    t = torch.ones(2, 3)
    assert adjust_input_rank(t, (None, 3), "m", "i", "d") is t
    assert adjust_input_rank([1, 2], (None, 3), "m", "i", "d") == [1, 2]
    with pytest.raises(ValueError, match="model 'm'"):
        adjust_input_rank(torch.ones(2), (None, 3, 3), "m", "i", None)


@pytest.mark.keras_oracle
def test_oracle_rank_adjustment(keras):
    kmodel = keras.Sequential([keras.Input((8, 8, 1)), keras.layers.Conv2D(2, 3)])
    assert kmodel.predict(np.ones((2, 8, 8)), verbose=0).shape == (2, 6, 6, 2)
    with pytest.raises(ValueError):
        kmodel.predict(np.ones((4,)), verbose=0)
    kdense = keras.Sequential([keras.Input((1,)), keras.layers.Dense(2)])
    assert kdense.predict(np.ones((3,)), verbose=0).shape == (3, 2)


def test_string_columns_get_their_rank_fitted_too():
    # A rank-1 column of strings (a DataFrame column) for an Input((1,), dtype="string").
    lookup = layers.StringLookup(vocabulary=["a", "b"])
    x = tk.Input((1,), dtype="string", name="s")
    model = tk.Model(x, lookup(x))
    np.testing.assert_array_equal(model(np.array(["b", "a", "z"])).numpy(), [[2], [1], [0]])
    np.testing.assert_array_equal(model(np.array([["b"]])).numpy(), [[2]])
    np.testing.assert_array_equal(model(["a", "b"]).numpy(), [[1], [2]])   # collated str
    assert adjust_input_rank(np.array([["a"], ["b"]]), (None,), "m", "s", None).shape == (2,)
    with pytest.raises(ValueError, match="expected rank 2"):
        model(np.array([[["a", "b"]]]))
