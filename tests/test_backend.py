import pytest

import torchkeras
from torchkeras import backend


def test_get_uid_shares_the_layer_name_counter():
    backend.clear_session()
    assert backend.get_uid("dense") == 1
    assert torchkeras.layers.Dense(2).name == "dense_1"
    assert backend.get_uid("dense") == 3   # dense, dense_1 taken: next is 3
    assert backend.get_uid("other") == 1


@pytest.mark.keras_oracle
def test_dtype_helpers_match_keras(keras):
    for args in [("int32", "float32"), ("int8", "uint8"), ("bfloat16", "float16"), ("bool", "int64")]:
        assert backend.result_type(*args) == keras.backend.result_type(*args)
    for d in ("float16", "int32", "bool", "uint8"):
        assert backend.standardize_dtype(d) == keras.backend.standardize_dtype(d)
        assert backend.is_float_dtype(d) == keras.backend.is_float_dtype(d)
        assert backend.is_int_dtype(d) == keras.backend.is_int_dtype(d)
    assert backend.is_keras_tensor(torchkeras.Input((2,)))
    assert not backend.is_keras_tensor(3)
