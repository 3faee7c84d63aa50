import numpy as np
import pytest

from torchkeras import utils

CASES = [
    dict(sequences=[[1, 2, 3], [4], []]),
    dict(sequences=[[1, 2, 3], [4]], maxlen=2),
    dict(sequences=[[1, 2, 3], [4]], maxlen=2, padding="post", truncating="post"),
    dict(sequences=[[1, 2, 3], [4]], maxlen=4, value=-1, dtype="float32"),
    dict(sequences=[np.ones((2, 3)), np.zeros((1, 3))], padding="post"),
    dict(sequences=[["a", "b"], ["c"]], dtype=object, value="<pad>"),
]


@pytest.mark.keras_oracle
@pytest.mark.parametrize("kwargs", CASES, ids=range(len(CASES)))
def test_pad_sequences_matches_keras(keras, kwargs):
    mine = utils.pad_sequences(**kwargs)
    ref = keras.utils.pad_sequences(**kwargs)
    assert mine.dtype == ref.dtype and mine.shape == ref.shape
    np.testing.assert_array_equal(mine, ref)


@pytest.mark.keras_oracle
def test_to_categorical_matches_keras(keras):
    for args in [([0, 2, 1],), ([[1], [3]], 5), (np.array([1, 0]), None)]:
        mine, ref = utils.to_categorical(*args), keras.utils.to_categorical(*args)
        np.testing.assert_array_equal(np.asarray(mine), np.asarray(ref))
        assert np.asarray(mine).shape == np.asarray(ref).shape
        assert mine.dtype == ref.dtype              # float64, as Keras
    import torch
    mine = utils.to_categorical(torch.tensor([[1], [0]]), 3)
    ref = keras.utils.to_categorical(torch.tensor([[1], [0]]), 3)
    assert isinstance(mine, torch.Tensor) and mine.dtype == ref.dtype
    assert torch.equal(mine, ref.cpu())
    for x in ([[3, 4]], np.array([[3.0, 4.0]], "float32")):
        mine, ref = utils.normalize(x), keras.utils.normalize(np.asarray(x))
        assert mine.dtype == ref.dtype
        np.testing.assert_allclose(mine, ref)


def test_pad_sequences_errors():
    with pytest.raises(ValueError, match="Padding type"):
        utils.pad_sequences([[1]], padding="middle")
    with pytest.raises(ValueError, match="Truncating type"):
        utils.pad_sequences([[1]], truncating="middle")
    with pytest.raises(ValueError, match="non-iterable"):
        utils.pad_sequences([1, 2])
    with pytest.raises(ValueError, match="dtype=object"):
        utils.pad_sequences([["a"]], value="x")
