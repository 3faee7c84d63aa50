"""torchkeras.activations: names, (de)serialization and values against Keras 3."""
import numpy as np
import pytest
import torch

from torchkeras import activations

KERAS_NAMES = [
    "celu", "elu", "exponential", "gelu", "glu", "hard_shrink", "hard_sigmoid", "hard_silu",
    "hard_swish", "hard_tanh", "leaky_relu", "linear", "log_sigmoid", "log_softmax", "mish",
    "relu", "relu6", "selu", "sigmoid", "silu", "soft_shrink", "softmax", "softplus",
    "softsign", "sparse_plus", "sparse_sigmoid", "sparsemax", "squareplus", "swish", "tanh",
    "tanh_shrink", "threshold",
]

# (name, kwargs) pairs compared with Keras; inputs cover every branch of each function.
CASES = [
    ("relu", {}), ("relu", {"negative_slope": 0.1}), ("relu", {"max_value": 6.0}),
    ("relu", {"max_value": 1.5}), ("relu", {"threshold": 0.5}),
    ("relu", {"threshold": -0.5, "max_value": 2.0}),
    ("relu", {"negative_slope": 0.2, "max_value": 1.0, "threshold": 0.3}),
    ("relu", {"negative_slope": 0.3, "threshold": -0.4}),
    ("leaky_relu", {}), ("leaky_relu", {"negative_slope": 0.05}), ("relu6", {}),
    ("softmax", {}), ("softmax", {"axis": 1}), ("softmax", {"axis": (1, 2)}),
    ("softmax", {"axis": None}), ("log_softmax", {}), ("log_softmax", {"axis": 0}),
    ("log_softmax", {"axis": (0, 2)}),
    ("elu", {}), ("elu", {"alpha": 0.5}), ("selu", {}), ("celu", {}), ("celu", {"alpha": 2.0}),
    ("softplus", {}), ("softsign", {}), ("silu", {}), ("swish", {}),
    ("gelu", {}), ("gelu", {"approximate": True}), ("glu", {}), ("glu", {"axis": 0}),
    ("tanh", {}), ("tanh_shrink", {}), ("hard_tanh", {}), ("soft_shrink", {}),
    ("soft_shrink", {"threshold": 1.0}), ("hard_shrink", {}), ("hard_shrink", {"threshold": 1.0}),
    ("threshold", {"threshold": 0.2, "default_value": -3.0}), ("sigmoid", {}),
    ("log_sigmoid", {}), ("hard_sigmoid", {}), ("hard_silu", {}), ("hard_swish", {}),
    ("sparse_sigmoid", {}), ("sparse_plus", {}), ("squareplus", {}), ("squareplus", {"b": 1.0}),
    ("exponential", {}), ("linear", {}), ("mish", {}),
]


def _inputs(dtype=np.float32):
    rng = np.random.default_rng(42)
    x = rng.normal(scale=3.0, size=(4, 6, 8)).astype(dtype)
    # exact branch points: 0, +-1, +-3, thresholds
    x[0, 0, :8] = [0.0, 1.0, -1.0, 3.0, -3.0, 6.0, 0.5, -0.5]
    return x


def test_every_keras_name_resolves():
    x = torch.from_numpy(_inputs())
    for name in KERAS_NAMES:
        fn = activations.get(name)
        assert callable(fn), name
        out = fn(x, 0.0, 1.0) if name == "threshold" else fn(x)
        assert isinstance(out, torch.Tensor)
        expected = (4, 6, 4) if name == "glu" else (4, 6, 8)
        assert tuple(out.shape) == expected, name


@pytest.mark.keras_oracle
def test_names_match_keras(keras):
    from keras.src.activations import ALL_OBJECTS_DICT
    assert set(ALL_OBJECTS_DICT) == set(KERAS_NAMES)
    assert set(activations.ALL_OBJECTS_DICT) == set(ALL_OBJECTS_DICT)


@pytest.mark.keras_oracle
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name,kwargs", CASES, ids=[f"{n}-{k}" for n, k in CASES])
def test_values_match_keras(keras, name, kwargs, dtype):
    x = _inputs(dtype)
    expected = keras.ops.convert_to_numpy(
        getattr(keras.activations, name)(keras.ops.convert_to_tensor(x), **kwargs))
    got = getattr(activations, name)(torch.from_numpy(x), **kwargs)
    assert got.dtype == torch.from_numpy(x).dtype
    np.testing.assert_allclose(got.numpy(), expected, rtol=1e-6, atol=1e-7)


@pytest.mark.keras_oracle
@pytest.mark.parametrize("name", KERAS_NAMES)
def test_serialize_matches_keras(keras, name):
    ours = activations.serialize(activations.get(name))
    theirs = keras.activations.serialize(keras.activations.get(name))
    assert ours == theirs
    assert activations.deserialize(theirs) is activations.get(name)


@pytest.mark.keras_oracle
def test_deserialize_keras_dict(keras):
    from keras.src.saving import serialization_lib
    config = serialization_lib.serialize_keras_object(keras.activations.gelu)
    assert isinstance(config, dict)
    assert activations.deserialize(config) is activations.gelu
    assert activations.get(config) is activations.gelu


def test_relu_legacy_alpha():
    x = torch.tensor([-2.0, -0.5, 0.5, 3.0])
    expected = activations.relu(x, negative_slope=0.1, max_value=2.0, threshold=0.0)
    torch.testing.assert_close(activations.relu(x, alpha=0.1, max_value=2.0), expected)
    torch.testing.assert_close(activations.relu(x, 0.1, 2.0, 0.0), expected)
    torch.testing.assert_close(expected, torch.tensor([-0.2, -0.05, 0.5, 2.0]))


def test_get_none_and_callables():
    assert activations.get(None) is activations.linear
    assert activations.get(torch.tanh) is torch.tanh
    module = torch.nn.ReLU()
    assert activations.get(module) is module
    assert activations.get("swish") is activations.silu
    assert activations.get("hard_swish") is activations.hard_silu


def test_unknown_name_raises():
    with pytest.raises(ValueError, match="Could not interpret activation function identifier"):
        activations.get("not_an_activation")
    with pytest.raises(ValueError, match="Could not interpret"):
        activations.get(3)


def test_serialize_registered_custom():
    from torchkeras.saving.serialization import register_keras_serializable

    @register_keras_serializable(package="TestAct")
    def my_act(x):
        return x * 2

    config = activations.serialize(my_act)
    assert config["config"] == "TestAct>my_act"
    assert activations.deserialize(config) is my_act


def test_accepts_numpy_and_lists():
    out = activations.relu(np.array([-1.0, 2.0], dtype=np.float32))
    torch.testing.assert_close(out, torch.tensor([0.0, 2.0]))
    torch.testing.assert_close(activations.sigmoid([0.0]), torch.tensor([0.5]))


def test_gradients_flow():
    x = torch.randn(5, 8, requires_grad=True)
    total = sum(activations.get(n)(x).sum() for n in KERAS_NAMES
                if n not in ("threshold", "linear", "exponential"))
    total.backward()
    assert torch.isfinite(x.grad).all()


def test_sparsemax_is_a_distribution():
    x = torch.randn(16, 10) * 3
    out = activations.sparsemax(x)
    torch.testing.assert_close(out.sum(-1), torch.ones(16))
    assert (out >= 0).all() and (out == 0).any()


def _sparsemax_reference(x, axis):
    """Textbook sparsemax (Martins & Astudillo, 2016) in numpy."""
    x = np.moveaxis(x, axis, -1)
    z = -np.sort(-x, axis=-1)
    k = np.arange(1, x.shape[-1] + 1)
    cumsum = np.cumsum(z, axis=-1)
    support = 1 + k * z > cumsum
    k_max = support.sum(-1, keepdims=True)
    tau = (np.take_along_axis(cumsum, k_max - 1, -1) - 1) / k_max
    return np.moveaxis(np.maximum(x - tau, 0), -1, axis)


@pytest.mark.parametrize("axis", [-1, 0, 1])
def test_sparsemax_matches_reference(axis):
    x = _inputs(np.float64)
    got = activations.sparsemax(torch.from_numpy(x), axis=axis).numpy()
    np.testing.assert_allclose(got, _sparsemax_reference(x, axis), rtol=1e-12, atol=1e-12)


@pytest.mark.keras_oracle
def test_sparsemax_matches_keras_on_single_support(keras):
    # Keras 3.15 sums the cumulative sums over the whole support when computing tau,
    # which only equals the correct threshold when one entry is selected: compare there.
    x = np.array([[5.0, 1.0, 0.0, -2.0], [0.0, 3.0, 1.5, 0.1]], dtype=np.float32)
    expected = keras.ops.convert_to_numpy(keras.activations.sparsemax(x))
    np.testing.assert_allclose(activations.sparsemax(torch.from_numpy(x)).numpy(), expected)
