"""Lambda layer: calls, shapes, masks and safe (de)serialization."""
import json

import numpy as np
import pytest
import torch

import torchkeras
from torchkeras import layers
from torchkeras.saving import serialization
from torchkeras.testing import run_layer_test


def _double(x):
    return x * 2


@torchkeras.saving.serialization.register_keras_serializable(package="lambda_test")
def _registered_square(x):
    return x ** 2


def test_lambda_named_function_layer_test():
    run_layer_test(layers.Lambda, {"function": _registered_square}, input_shape=(2, 3),
                   expected_output_shape=(2, 3), expected_num_trainable_weights=0)


def test_lambda_arguments_and_output_shape():
    layer = layers.Lambda(lambda x, k: x[:, :k], output_shape=(2,), arguments={"k": 2})
    assert layer(torch.ones(4, 5)).shape == (4, 2)
    assert layer.compute_output_shape((None, 5)) == (None, 2)
    sym = layers.Lambda(lambda x: x.sum(-1, keepdim=True))(layers.Input((6,)))
    assert sym.shape == (None, 1)
    fn_shape = layers.Lambda(lambda x: x, output_shape=lambda s: s)
    assert fn_shape.compute_output_shape((None, 7)) == (None, 7)


def test_lambda_training_and_mask_args():
    seen = {}

    def fn(x, mask=None, training=None):
        seen["mask"], seen["training"] = mask, training
        return x * 1.0   # a new tensor: the layer's compute_mask sets its mask

    layer = layers.Lambda(fn, mask=lambda inputs, mask: inputs[..., 0] > 0)
    assert layer.supports_masking
    x = torch.tensor([[[1.0], [-1.0]]])
    in_mask = torch.tensor([[True, True]])
    x._keras_mask = in_mask
    out = layer(x, training=True)
    assert seen["training"] is True and torch.equal(seen["mask"], in_mask)
    assert torch.equal(out._keras_mask, torch.tensor([[True, False]]))
    assert not layers.Lambda(_double).supports_masking


def test_lambda_config_lambda_needs_unsafe_mode():
    layer = layers.Lambda(lambda x, a=3: x * a, output_shape=(4,))
    config = json.loads(json.dumps(layer.get_config()))
    assert config["function"]["class_name"] == "__lambda__"
    with pytest.raises(ValueError, match="safe_mode=False"):
        layers.Lambda.from_config(config)
    with pytest.raises(ValueError, match="safe_mode=False"):
        serialization.deserialize_keras_object(serialization.serialize_keras_object(layer))
    restored = layers.Lambda.from_config(config, safe_mode=False)
    torch.testing.assert_close(restored(torch.ones(2, 4)), torch.full((2, 4), 3.0))
    with serialization.SafeModeScope(False):
        again = serialization.deserialize_keras_object(serialization.serialize_keras_object(layer))
    torch.testing.assert_close(again(torch.ones(1, 4)), torch.full((1, 4), 3.0))
    assert again.compute_output_shape((None, 4)) == (None, 4)


def test_lambda_closure_is_dumped_as_code():
    def make(k):
        def inner(x):
            return x + k
        return inner
    config = layers.Lambda(make(5)).get_config()
    assert config["function"]["class_name"] == "__lambda__"
    assert config["function"]["config"]["closure"] == (5,)
    fn = layers.Lambda.from_config(config, safe_mode=False)
    torch.testing.assert_close(fn(torch.zeros(2)), torch.full((2,), 5.0))


def test_lambda_named_functions_by_name():
    config = layers.Lambda(_registered_square).get_config()
    assert config["function"] == {"module": "builtins", "class_name": "function",
                                  "config": "lambda_test>_registered_square",
                                  "registered_name": "function"}
    assert layers.Lambda.from_config(config).function is _registered_square
    relu_cfg = layers.Lambda(torchkeras.activations.relu).get_config()
    assert layers.Lambda.from_config(relu_cfg).function is torchkeras.activations.relu
    plain = layers.Lambda(_double).get_config()
    with pytest.raises(ValueError, match="_double"):
        layers.Lambda.from_config(plain)
    assert layers.Lambda.from_config(plain, custom_objects={"_double": _double}).function \
        is _double


@pytest.mark.keras_oracle
def test_lambda_config_interchanges_with_keras(keras):
    fn = lambda x, a=2: x * a  # noqa: E731
    k = keras.layers.Lambda(fn, output_shape=(3,), arguments={"a": 4})
    ours = layers.Lambda(fn, output_shape=(3,), arguments={"a": 4})
    kc, oc = k.get_config(), ours.get_config()
    assert set(kc) == set(oc)
    assert oc["function"]["config"]["code"] == kc["function"]["config"]["code"]
    assert oc["arguments"] == kc["arguments"] and tuple(oc["output_shape"]) == (3,)
    # a Keras-written config loads here (unsafe mode) and computes the same thing
    mine = layers.Lambda.from_config(json.loads(json.dumps(kc)), safe_mode=False)
    x = np.ones((2, 3), "float32")
    np.testing.assert_allclose(mine(torch.as_tensor(x)).numpy(), np.asarray(k(x).cpu()))


def test_refusal_says_safe_mode_and_how_to_allow(tmp_path, monkeypatch):
    import torchkeras as tk
    from torchkeras.saving import serialization
    x = tk.Input((3,))
    model = tk.Model(x, layers.Lambda(lambda v: v * 2)(x))
    path = str(tmp_path / "lam.keras")
    model.save(path)
    with pytest.raises(ValueError) as info:
        tk.saving.load_model(path)
    msg = str(info.value)
    assert "Safe mode refused" in msg and "safe_mode=False" in msg
    assert "keras.config.enable_unsafe_deserialization()" in msg
    assert tk.saving.load_model(path, safe_mode=False).predict(
        np.ones((1, 3)), verbose=0).tolist() == [[2.0, 2.0, 2.0]]
    monkeypatch.setitem(tk.config._FLAGS, "unsafe_deserialization", False)
    serialization.enable_unsafe_deserialization()
    assert not serialization.in_safe_mode() and tk.config.unsafe_deserialization_enabled()
    assert tk.saving.load_model(path).predict(np.ones((1, 3)), verbose=0)[0, 0] == 2.0
