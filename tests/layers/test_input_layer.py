"""Input / InputLayer: shapes are checked and named in errors; Keras oracle."""
import numpy as np
import pytest
import torch

import torchkeras as tk


@pytest.mark.parametrize("shape", ["32x32", (32.5,), ("a", 3), (3, -1), (True,), 3.0])
def test_bad_shape_names_the_argument(shape):
    with pytest.raises(ValueError, match="`shape`"):
        tk.Input(shape=shape)


def test_bad_batch_shape_names_the_argument():
    with pytest.raises(ValueError, match="`batch_shape`"):
        tk.Input(batch_shape="None,3")


@pytest.mark.parametrize("shape,expected", [
    ((3,), (None, 3)), ([None, 4], (None, None, 4)), (5, (None, 5)),
    (np.array([2, 3]), (None, 2, 3)), (torch.Size([2, 3]), (None, 2, 3)),
    ((np.int64(7),), (None, 7))])
def test_shape_forms_keras_accepts(shape, expected):
    assert tk.Input(shape=shape).shape == expected


@pytest.mark.keras_oracle
def test_oracle_shapes(keras):
    for shape in [(3,), [None, 4], np.array([2, 3])]:
        assert tuple(keras.Input(shape=shape).shape) == tk.Input(shape=shape).shape
    with pytest.raises(ValueError):
        keras.Input(shape="32x32")
