"""torchkeras.constraints: names, configs and projections against Keras 3."""
import numpy as np
import pytest
import torch

from torchkeras import constraints

CASES = [
    ("MaxNorm", {}), ("MaxNorm", {"max_value": 1.5, "axis": 1}),
    ("MaxNorm", {"max_value": 0.8, "axis": [0, 1, 2]}), ("NonNeg", {}), ("UnitNorm", {}),
    ("UnitNorm", {"axis": -1}), ("UnitNorm", {"axis": [0, 1, 2]}), ("MinMaxNorm", {}),
    ("MinMaxNorm", {"min_value": 0.5, "max_value": 1.2, "rate": 0.7, "axis": 0}),
    ("MinMaxNorm", {"min_value": 1.0, "max_value": 3.0, "axis": [0, 1, 2]}),
]
IDS = [f"{n}-{k}" for n, k in CASES]


def _weights(shape, scale=1.0):
    return (np.random.default_rng(5).normal(size=shape) * scale).astype(np.float32)


def test_names_resolve():
    for name, cls in [("max_norm", constraints.MaxNorm), ("non_neg", constraints.NonNeg),
                      ("unit_norm", constraints.UnitNorm),
                      ("min_max_norm", constraints.MinMaxNorm),
                      ("MaxNorm", constraints.MaxNorm), ("Constraint", constraints.Constraint)]:
        assert type(constraints.get(name)) is cls
    assert constraints.get(None) is None
    c = constraints.MaxNorm(3)
    assert constraints.get(c) is c
    assert isinstance(constraints.get(constraints.NonNeg), constraints.NonNeg)
    fn = lambda w: w.clamp(-1, 1)  # noqa: E731
    assert constraints.get(fn) is fn
    assert constraints.max_norm is constraints.MaxNorm
    with pytest.raises(ValueError, match="Could not interpret constraint identifier"):
        constraints.get("maxnorm2")
    with pytest.raises(ValueError, match="Could not interpret"):
        constraints.get(1.0)


@pytest.mark.keras_oracle
def test_names_match_keras(keras):
    from keras.src.constraints import ALL_OBJECTS_DICT
    assert set(ALL_OBJECTS_DICT) == set(constraints.ALL_OBJECTS_DICT)
    for name, cls in ALL_OBJECTS_DICT.items():
        assert constraints.ALL_OBJECTS_DICT[name].__name__ == cls.__name__


@pytest.mark.keras_oracle
@pytest.mark.parametrize("name,kwargs", CASES, ids=IDS)
def test_config_and_serialization_match_keras(keras, name, kwargs):
    ours = getattr(constraints, name)(**kwargs)
    theirs = getattr(keras.constraints, name)(**kwargs)
    assert ours.get_config() == theirs.get_config()
    assert constraints.serialize(ours) == keras.constraints.serialize(theirs)
    rebuilt = constraints.deserialize(keras.constraints.serialize(theirs))
    assert type(rebuilt) is type(ours) and rebuilt.get_config() == ours.get_config()
    back = keras.constraints.deserialize(constraints.serialize(ours))
    assert back.get_config() == theirs.get_config()


@pytest.mark.keras_oracle
@pytest.mark.parametrize("scale", [0.3, 3.0])
@pytest.mark.parametrize("name,kwargs", CASES, ids=IDS)
def test_values_match_keras(keras, name, kwargs, scale):
    # a Conv2D kernel in Keras layout (h, w, in, out); Dense-style axes apply too
    w = _weights((3, 3, 4, 5), scale)
    w[..., 0] = 0.0  # a zero filter must stay finite
    expected = keras.ops.convert_to_numpy(getattr(keras.constraints, name)(**kwargs)(
        keras.ops.convert_to_tensor(w)))
    got = getattr(constraints, name)(**kwargs)(torch.from_numpy(w))
    np.testing.assert_allclose(got.numpy(), expected, rtol=1e-6, atol=1e-7)


@pytest.mark.keras_oracle
def test_dense_kernel_matches_keras(keras):
    w = _weights((10, 4), 2.0)
    for cls, kwargs in (("MaxNorm", {"max_value": 1.0}), ("UnitNorm", {}),
                        ("MinMaxNorm", {"min_value": 0.5, "max_value": 1.0})):
        expected = keras.ops.convert_to_numpy(getattr(keras.constraints, cls)(**kwargs)(
            keras.ops.convert_to_tensor(w)))
        got = getattr(constraints, cls)(**kwargs)(torch.from_numpy(w))
        np.testing.assert_allclose(got.numpy(), expected, rtol=1e-6)


def test_projections_by_hand():
    w = torch.tensor([[3.0, 0.1], [4.0, 0.0]])
    out = constraints.MaxNorm(max_value=2.0)(w)
    torch.testing.assert_close(out[:, 0], torch.tensor([1.2, 1.6]), rtol=1e-6, atol=1e-6)
    torch.testing.assert_close(out[:, 1], w[:, 1], rtol=1e-5, atol=1e-6)
    unit = constraints.UnitNorm(axis=0)(w)
    torch.testing.assert_close(unit.norm(dim=0), torch.ones(2), rtol=1e-5, atol=1e-5)
    torch.testing.assert_close(constraints.NonNeg()(torch.tensor([-1.0, 0.0, 2.0])),
                               torch.tensor([0.0, 0.0, 2.0]))
    assert constraints.Constraint()(w) is w
