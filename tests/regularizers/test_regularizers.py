"""torchkeras.regularizers: names, configs and penalty values against Keras 3."""
import math

import numpy as np
import pytest
import torch

from torchkeras import regularizers

CASES = [
    ("L1", {}), ("L1", {"l1": 0.3}), ("L2", {}), ("L2", {"l2": 0.25}), ("L1L2", {}),
    ("L1L2", {"l1": 0.1, "l2": 0.2}), ("L1L2", {"l1": 0.05}), ("L1L2", {"l2": None}),
    ("OrthogonalRegularizer", {}), ("OrthogonalRegularizer", {"factor": 0.5, "mode": "columns"}),
    ("OrthogonalRegularizer", {"factor": 2, "mode": "rows"}),
]
IDS = [f"{n}-{k}" for n, k in CASES]


def _weights(shape=(6, 9), dtype=np.float32):
    return np.random.default_rng(3).normal(size=shape).astype(dtype)


def test_names_resolve():
    for name, cls in [("l1", regularizers.L1), ("l2", regularizers.L2),
                      ("l1_l2", regularizers.L1L2), ("l1l2", regularizers.L1L2),
                      ("L1L2", regularizers.L1L2),
                      ("orthogonal_regularizer", regularizers.OrthogonalRegularizer),
                      ("OrthogonalRegularizer", regularizers.OrthogonalRegularizer)]:
        assert type(regularizers.get(name)) is cls
    assert regularizers.get(None) is None
    reg = regularizers.L2(0.1)
    assert regularizers.get(reg) is reg
    assert isinstance(regularizers.get(regularizers.L1), regularizers.L1)
    fn = lambda w: w.sum()  # noqa: E731
    assert regularizers.get(fn) is fn
    assert regularizers.l1 is regularizers.L1 and regularizers.l1_l2 is regularizers.L1L2
    assert isinstance(regularizers.l2(0.3), regularizers.L2)


def test_invalid_arguments():
    with pytest.raises(ValueError, match="Could not interpret regularizer identifier"):
        regularizers.get("l3")
    for bad in (-0.1, float("nan"), float("inf"), "0.1"):
        with pytest.raises(ValueError, match="Invalid value for argument l1"):
            regularizers.L1(bad)
        with pytest.raises(ValueError, match="Invalid value for argument l2"):
            regularizers.L1L2(l2=bad)
    with pytest.raises(ValueError, match="factor"):
        regularizers.OrthogonalRegularizer(factor=-1)
    with pytest.raises(ValueError, match="mode"):
        regularizers.OrthogonalRegularizer(mode="diagonal")
    with pytest.raises(ValueError, match="rank 2"):
        regularizers.OrthogonalRegularizer()(torch.ones(2, 2, 2))
    with pytest.raises(NotImplementedError):
        regularizers.Regularizer().get_config()


@pytest.mark.keras_oracle
def test_names_match_keras(keras):
    from keras.src.regularizers import ALL_OBJECTS_DICT
    for name, cls in ALL_OBJECTS_DICT.items():
        assert regularizers.ALL_OBJECTS_DICT[name].__name__ == cls.__name__


@pytest.mark.keras_oracle
@pytest.mark.parametrize("name,kwargs", CASES, ids=IDS)
def test_config_and_serialization_match_keras(keras, name, kwargs):
    ours = getattr(regularizers, name)(**kwargs)
    theirs = getattr(keras.regularizers, name)(**kwargs)
    assert ours.get_config() == theirs.get_config()
    assert regularizers.serialize(ours) == keras.regularizers.serialize(theirs)
    rebuilt = regularizers.deserialize(keras.regularizers.serialize(theirs))
    assert type(rebuilt) is type(ours) and rebuilt.get_config() == ours.get_config()
    assert regularizers.get(regularizers.serialize(ours)).get_config() == ours.get_config()
    back = keras.regularizers.deserialize(regularizers.serialize(ours))
    assert back.get_config() == theirs.get_config()


@pytest.mark.keras_oracle
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("shape", [(6, 9), (9, 6)])
@pytest.mark.parametrize("name,kwargs", CASES, ids=IDS)
def test_values_match_keras(keras, name, kwargs, shape, dtype):
    w = _weights(shape, dtype)
    expected = keras.ops.convert_to_numpy(getattr(keras.regularizers, name)(**kwargs)(
        keras.ops.convert_to_tensor(w)))
    got = getattr(regularizers, name)(**kwargs)(torch.from_numpy(w))
    assert isinstance(got, torch.Tensor) and got.ndim == 0
    assert got.dtype == torch.from_numpy(w).dtype
    np.testing.assert_allclose(got.numpy(), expected, rtol=1e-6, atol=1e-9)


@pytest.mark.keras_oracle
def test_orthogonal_zero_row_matches_keras(keras):
    w = _weights((4, 5))
    w[1] = 0.0
    expected = keras.ops.convert_to_numpy(keras.regularizers.OrthogonalRegularizer(1.0)(
        keras.ops.convert_to_tensor(w)))
    got = regularizers.OrthogonalRegularizer(1.0)(torch.from_numpy(w))
    assert math.isfinite(float(got))
    np.testing.assert_allclose(got.numpy(), expected, rtol=1e-6)


def test_penalties_by_hand_and_gradients():
    w = torch.tensor([[1.0, -2.0], [0.5, 0.0]], requires_grad=True)
    torch.testing.assert_close(regularizers.L1(0.5)(w), torch.tensor(1.75))
    torch.testing.assert_close(regularizers.L2(0.5)(w), torch.tensor(2.625))
    total = regularizers.L1L2(l1=0.5, l2=0.5)(w)
    torch.testing.assert_close(total, torch.tensor(4.375))
    total.backward()
    torch.testing.assert_close(w.grad, 0.5 * torch.sign(w.detach()) + w.detach())
    assert float(regularizers.L1L2()(w)) == 0.0
    assert float(regularizers.OrthogonalRegularizer(1.0)(torch.eye(4))) == pytest.approx(0.0)
