import numpy as np
import pytest
import torch

from torchkeras.ops.convert import convert_to_numpy, convert_to_tensor

_INPUTS = [1.0, 1, True, 2 ** 40, [1, 2], [1.0, 2], [[True, False]], (1, 2.5),
           np.zeros(2), np.zeros(2, "int64"), np.zeros(2, "float16"), np.zeros(2, "bool"),
           np.array(1.0), np.float64(2.0), np.int64(3), np.float32(1.5), [np.float64(1.0)],
           np.zeros(2, "uint8"), []]


def test_tensor_passes_through_without_copy():
    t = torch.ones(3, dtype=torch.float64)
    assert convert_to_tensor(t) is t
    assert convert_to_tensor(t, dtype="float32").dtype == torch.float32


def test_scalars_and_lists():
    assert convert_to_tensor(1.0).dtype == torch.float32
    assert convert_to_tensor(1).dtype == torch.int32
    assert convert_to_tensor([1, 2.0]).dtype == torch.float32
    assert convert_to_tensor([1, 2], dtype="float16").dtype == torch.float16
    assert convert_to_tensor([torch.ones(2), torch.zeros(2)]).shape == (2, 2)


def test_sparse_ragged_rejected():
    with pytest.raises(ValueError, match="sparse"):
        convert_to_tensor([1], sparse=True)
    with pytest.raises(ValueError, match="ragged"):
        convert_to_tensor([1], ragged=True)


def test_convert_to_numpy():
    a = convert_to_numpy(torch.ones(2, requires_grad=True))
    assert isinstance(a, np.ndarray) and a.dtype == np.float32
    assert convert_to_numpy(torch.ones(2, dtype=torch.bfloat16)).dtype == np.float32
    assert convert_to_numpy([torch.ones(2), torch.zeros(2)]).shape == (2, 2)


@pytest.mark.keras_oracle
@pytest.mark.parametrize("value", _INPUTS, ids=lambda v: type(v).__name__)
def test_convert_matches_keras(keras, value):
    ours = convert_to_tensor(value)
    ref = keras.ops.convert_to_tensor(value)
    assert ours.dtype == ref.dtype
    np.testing.assert_array_equal(ours.numpy(), ref.cpu().numpy())


@pytest.mark.keras_oracle
@pytest.mark.parametrize("dtype", ["float16", "int8", "bool", "float64"])
def test_convert_with_dtype_matches_keras(keras, dtype):
    for value in ([1, 0, 2], 3, np.arange(3.0)):
        assert convert_to_tensor(value, dtype).dtype == keras.ops.convert_to_tensor(value, dtype).dtype
