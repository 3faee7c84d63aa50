import pytest

from torchkeras import dtype_policies as dp


@pytest.mark.keras_oracle
def test_policies_match_keras(keras):
    for name in ("float32", "mixed_float16", "mixed_bfloat16", "bfloat16"):
        mine, ref = dp.get(name), keras.dtype_policies.get(name)
        assert (mine.name, mine.compute_dtype, mine.variable_dtype) == \
            (ref.name, ref.compute_dtype, ref.variable_dtype)
        assert dp.serialize(mine)["config"] == keras.dtype_policies.serialize(ref)["config"]
        assert dp.deserialize(keras.dtype_policies.serialize(ref)).name == name
    assert isinstance(dp.FloatDTypePolicy("float16"), dp.DTypePolicy)


def test_policy_map():
    m = dp.DTypePolicyMap("float32", {"encoder/dense": "bfloat16", "decoder/.*": "float16"})
    assert m["encoder/dense"].name == "bfloat16"
    assert m["model/decoder/x"].name == "float16"
    assert m["other"].name == "float32"
    back = dp.deserialize(dp.serialize(m))
    assert isinstance(back, dp.DTypePolicyMap) and back["decoder/y"].name == "float16"
    with pytest.raises(ValueError, match="already exists"):
        m["encoder/dense"] = "float32"


def test_quantized_policies_raise():
    with pytest.raises(NotImplementedError, match="quantization"):
        dp.QuantizedDTypePolicy("int8", "float32")
    with pytest.raises(NotImplementedError, match="quantization"):
        dp.get("int8_from_float32")
