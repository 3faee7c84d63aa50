import itertools

import numpy as np
import pytest
import torch

from torchkeras.ops import dtypes

_NAMES = ["bool", "uint8", "int8", "int16", "int32", "int64", "bfloat16", "float16",
          "float32", "float64", int, float]


def test_standardize_dtype_forms():
    assert dtypes.standardize_dtype(torch.int64) == "int64"
    assert dtypes.standardize_dtype(np.float16) == "float16"
    assert dtypes.standardize_dtype(np.dtype("uint8")) == "uint8"
    assert dtypes.standardize_dtype(int) == "int32"
    assert dtypes.standardize_dtype(float) == "float32"
    assert dtypes.standardize_dtype(bool) == "bool"
    assert dtypes.standardize_dtype("float") == "float32"
    assert dtypes.standardize_dtype(None) == "float32"
    assert dtypes.standardize_dtype("half") == "float16"
    with pytest.raises(ValueError, match="Invalid dtype"):
        dtypes.standardize_dtype("nope")


def test_predicates_and_torch_dtype():
    assert dtypes.is_float_dtype("bfloat16") and not dtypes.is_float_dtype("int8")
    assert dtypes.is_int_dtype("uint8") and not dtypes.is_int_dtype("bool")
    assert dtypes.to_torch_dtype("float16") is torch.float16
    assert dtypes.to_torch_dtype(np.int32) is torch.int32


def test_result_type_rules():
    assert dtypes.result_type() == "float32"
    assert dtypes.result_type("int32", float) == "float32"
    assert dtypes.result_type("bfloat16", int) == "bfloat16"
    assert dtypes.result_type("float16", "bfloat16") == "float32"
    assert dtypes.result_type("int64", "int64") == "int32"
    assert dtypes.result_type("uint8", "int8") == "int16"
    with pytest.raises(ValueError):
        dtypes.result_type("float8_e4m3fn", "float32")


@pytest.mark.keras_oracle
def test_result_type_matches_keras_on_all_pairs(keras):
    for a, b in itertools.product(_NAMES, repeat=2):
        assert dtypes.result_type(a, b) == keras.backend.result_type(a, b), (a, b)
    for a in _NAMES:
        assert dtypes.result_type(a) == keras.backend.result_type(a), a
        assert dtypes.result_type(a, None) == keras.backend.result_type(a, None), a
    for trio in [("int8", "uint8", float), ("bool", int, "float16"), (int, float, "int16")]:
        assert dtypes.result_type(*trio) == keras.backend.result_type(*trio)
