"""torchkeras.initializers: names, configs, fans and values against Keras 3."""
import math

import numpy as np
import pytest
import torch

from torchkeras import initializers
from torchkeras.initializers.variance_scaling import compute_fans

KERAS_NAMES = [
    "Constant", "GlorotNormal", "GlorotUniform", "HeNormal", "HeUniform", "Identity",
    "IdentityInitializer", "Initializer", "LecunNormal", "LecunUniform", "Ones", "Orthogonal",
    "OrthogonalInitializer", "RandomNormal", "RandomUniform", "STFT", "STFTInitializer",
    "TruncatedNormal", "VarianceScaling", "Zeros", "constant", "glorot_normal",
    "glorot_uniform", "he_normal", "he_uniform", "identity", "initializer", "lecun_normal",
    "lecun_uniform", "normal", "one", "ones", "orthogonal", "random_normal", "random_uniform",
    "stft", "truncated_normal", "uniform", "variance_scaling", "zero", "zeros",
]

# class name -> constructor kwargs exercising non-default settings
CONFIG_CASES = [
    ("Zeros", {}), ("Ones", {}), ("Constant", {}), ("Constant", {"value": 3}),
    ("Constant", {"value": -0.5}), ("Identity", {}),
    ("RandomNormal", {}), ("RandomNormal", {"mean": 1.0, "stddev": 0.3, "seed": 7}),
    ("RandomUniform", {}), ("RandomUniform", {"minval": -2, "maxval": 3, "seed": 1}),
    ("TruncatedNormal", {}), ("TruncatedNormal", {"mean": 0.5, "stddev": 2.0, "seed": 3}),
    ("VarianceScaling", {}),
    ("VarianceScaling", {"scale": 2.0, "mode": "fan_out", "distribution": "uniform", "seed": 2}),
    ("VarianceScaling", {"mode": "fan_avg", "distribution": "normal"}),
    ("VarianceScaling", {"distribution": "untruncated_normal", "input_axes": [0],
                         "output_axes": [1, 2]}),
    ("GlorotUniform", {}), ("GlorotUniform", {"seed": 5}), ("GlorotNormal", {"seed": 5}),
    ("HeNormal", {}), ("HeUniform", {"seed": 9}), ("LecunNormal", {}), ("LecunUniform", {}),
    ("Orthogonal", {}), ("Orthogonal", {"gain": 0.5, "seed": 11}),
]

PRESETS = {  # name -> (scale, mode, distribution)
    "glorot_uniform": (1.0, "fan_avg", "uniform"),
    "glorot_normal": (1.0, "fan_avg", "truncated_normal"),
    "he_normal": (2.0, "fan_in", "truncated_normal"),
    "he_uniform": (2.0, "fan_in", "uniform"),
    "lecun_normal": (1.0, "fan_in", "truncated_normal"),
    "lecun_uniform": (1.0, "fan_in", "uniform"),
}


def _np(keras, value):
    return keras.ops.convert_to_numpy(value)


def test_every_name_resolves():
    for name in KERAS_NAMES:
        init = initializers.get(name)
        assert callable(init), name
        if name in ("Initializer", "initializer"):
            with pytest.raises(NotImplementedError):
                init((2, 2))
            continue
        shape = (8, 1, 5) if name.lower().startswith("stft") else (6, 6)
        out = init(shape)
        assert isinstance(out, torch.Tensor) and out.device.type == "cpu", name
        assert tuple(out.shape) == shape and out.dtype == torch.float32, name


def test_get_identifiers():
    assert initializers.get(None) is None
    init = initializers.RandomNormal(seed=1)
    assert initializers.get(init) is init
    assert isinstance(initializers.get(initializers.HeNormal), initializers.HeNormal)

    def fn(shape, dtype=None):
        return torch.full(shape, 2.0)
    assert initializers.get(fn) is fn
    values = torch.arange(6.0).reshape(2, 3)
    direct = initializers.get(values)
    torch.testing.assert_close(direct((2, 3)), values)
    assert direct((2, 3), dtype="float64").dtype == torch.float64
    with pytest.raises(ValueError, match="Expected `shape` to be"):
        direct((3, 2))
    got = initializers.get({"class_name": "RandomUniform",
                            "config": {"minval": 0.0, "maxval": 1.0, "seed": 4}})
    assert isinstance(got, initializers.RandomUniform) and got.seed == 4


def test_unknown_and_invalid_arguments():
    with pytest.raises(ValueError, match="Could not interpret initializer identifier"):
        initializers.get("glorot_uniformm")
    with pytest.raises(ValueError, match="Could not interpret"):
        initializers.get(42)
    with pytest.raises(ValueError, match="`scale` must be positive"):
        initializers.VarianceScaling(scale=-1.0)
    with pytest.raises(ValueError, match="Invalid `mode`"):
        initializers.VarianceScaling(mode="fan_sum")
    with pytest.raises(ValueError, match="Invalid `distribution`"):
        initializers.VarianceScaling(distribution="cauchy")
    with pytest.raises(ValueError, match="`seed`"):
        initializers.RandomNormal(seed="abc")
    with pytest.raises(ValueError, match="2D matrices"):
        initializers.Identity()((2, 2, 2))
    with pytest.raises(ValueError, match="at least two-dimensional"):
        initializers.Orthogonal()((4,))
    with pytest.raises(ValueError, match="side should be"):
        initializers.STFT(side="both")
    with pytest.raises(ValueError, match="floating dtype"):
        initializers.RandomNormal()((2,), dtype="int32")


@pytest.mark.keras_oracle
def test_names_match_keras(keras):
    from keras.src.initializers import ALL_OBJECTS_DICT
    assert set(ALL_OBJECTS_DICT) == set(KERAS_NAMES)
    for name in KERAS_NAMES:
        assert initializers.ALL_OBJECTS_DICT[name].__name__ == ALL_OBJECTS_DICT[name].__name__
        assert getattr(keras.initializers, name, None) is None or hasattr(initializers, name)


@pytest.mark.keras_oracle
@pytest.mark.parametrize("name,kwargs", CONFIG_CASES, ids=[f"{n}-{k}" for n, k in CONFIG_CASES])
def test_config_and_serialization_match_keras(keras, name, kwargs):
    ours = getattr(initializers, name)(**kwargs)
    theirs = getattr(keras.initializers, name)(**kwargs)
    assert ours.get_config() == theirs.get_config()
    assert initializers.serialize(ours) == keras.initializers.serialize(theirs)
    rebuilt = initializers.deserialize(keras.initializers.serialize(theirs))
    assert type(rebuilt) is type(ours) and rebuilt.get_config() == ours.get_config()
    back = keras.initializers.deserialize(initializers.serialize(ours))
    assert back.get_config() == theirs.get_config()


@pytest.mark.keras_oracle
def test_compute_fans_matches_keras(keras):
    from keras.src.initializers.random_initializers import compute_fans as keras_fans
    shapes = [(), (7,), (5, 9), (3, 4, 6), (3, 3, 16, 32), (2, 3, 4, 5, 6), (1, 1, 1, 1)]
    for shape in shapes:
        assert compute_fans(shape) == keras_fans(shape), shape
    assert compute_fans((4, 5, 6), [0], [1, 2]) == keras_fans((4, 5, 6), [0], [1, 2]) == (4, 30)


@pytest.mark.keras_oracle
@pytest.mark.parametrize("name,kwargs,shape", [
    ("Zeros", {}, (3, 4)), ("Ones", {}, (2, 5)), ("Constant", {"value": 1.5}, (4, 3)),
    ("Constant", {"value": 7}, (2, 2, 2)), ("Identity", {}, (4, 4)),
    ("Identity", {"gain": 3.0}, (3, 5)), ("Identity", {}, (5, 2)),
])
def test_deterministic_values_match_keras(keras, name, kwargs, shape):
    expected = _np(keras, getattr(keras.initializers, name)(**kwargs)(shape))
    got = getattr(initializers, name)(**kwargs)(shape)
    np.testing.assert_array_equal(got.numpy(), expected)
    assert got.dtype == torch.float32


def test_stft_matches_numpy_formula():
    frame, bins = 16, 9
    n = np.arange(frame)[:, None, None]
    k = np.arange(bins)[None, None, :]
    angle = -2 * np.pi * n * k / ((bins - 1) * 2)
    hann = np.hanning(frame)[:, None, None]
    for side, fn in (("real", np.cos), ("imag", np.sin)):
        for scaling, norm in (("density", np.sqrt((hann ** 2).sum())), ("spectrum", hann.sum()),
                              (None, 1.0)):
            got = initializers.STFT(side, "hann", scaling)((frame, 1, bins), dtype="float64")
            np.testing.assert_allclose(got.numpy(), fn(angle) * hann / norm, atol=1e-12)
    plain = initializers.STFT("real", None)((frame, 1, bins))
    np.testing.assert_allclose(plain.numpy(), np.cos(angle), atol=1e-6)


@pytest.mark.keras_oracle
@pytest.mark.parametrize("name", sorted(PRESETS))
@pytest.mark.parametrize("shape", [(300, 200), (3, 3, 32, 64)])
def test_variance_scaling_statistics_match_keras(keras, name, shape):
    scale, mode, dist = PRESETS[name]
    fan_in, fan_out = compute_fans(shape)
    n = {"fan_in": fan_in, "fan_avg": (fan_in + fan_out) / 2}[mode]
    target_std = math.sqrt(scale / n)
    ours = initializers.get(name)(shape).numpy()
    theirs = _np(keras, keras.initializers.get(name)(shape))
    for values in (ours, theirs):
        assert values.shape == shape
        assert abs(values.mean()) < 0.05 * target_std
        assert abs(values.std() / target_std - 1) < 0.03
    if dist == "uniform":
        limit = math.sqrt(3 * scale / n)
        assert np.abs(ours).max() <= limit and np.abs(ours).max() > 0.99 * limit
    else:  # truncated at 2 stddev of the untruncated distribution
        assert np.abs(ours).max() <= 2 * target_std / 0.87962566103423978 + 1e-6


@pytest.mark.keras_oracle
@pytest.mark.parametrize("name,kwargs,mean,std,bound", [
    ("RandomNormal", {"mean": 0.5, "stddev": 0.2}, 0.5, 0.2, None),
    ("RandomUniform", {"minval": -1.0, "maxval": 3.0}, 1.0, 4 / math.sqrt(12), (-1.0, 3.0)),
    ("TruncatedNormal", {"mean": 1.0, "stddev": 0.5}, 1.0, 0.5 * 0.87962566103423978,
     (0.0, 2.0)),
    ("VarianceScaling", {"scale": 3.0, "mode": "fan_out", "distribution": "untruncated_normal"},
     0.0, math.sqrt(3.0 / 200), None),
])
def test_random_statistics_match_keras(keras, name, kwargs, mean, std, bound):
    shape = (300, 200)
    ours = getattr(initializers, name)(**kwargs)(shape).numpy()
    theirs = _np(keras, getattr(keras.initializers, name)(**kwargs)(shape))
    for values in (ours, theirs):
        assert abs(values.mean() - mean) < 0.02 * max(std, abs(mean))
        assert abs(values.std() / std - 1) < 0.02
    if bound is not None:
        assert ours.min() >= bound[0] and ours.max() <= bound[1]


@pytest.mark.parametrize("shape", [(6, 6), (10, 4), (4, 10), (3, 3, 4, 8)])
def test_orthogonal(shape):
    w = initializers.Orthogonal(gain=2.0, seed=3)(shape)
    assert tuple(w.shape) == shape
    m = w.reshape(-1, shape[-1]) / 2.0
    small = min(m.shape)
    gram = m.T @ m if m.shape[0] >= m.shape[1] else m @ m.T
    torch.testing.assert_close(gram, torch.eye(small), atol=1e-5, rtol=0)


@pytest.mark.parametrize("name", ["random_normal", "random_uniform", "truncated_normal",
                                  "glorot_uniform", "he_normal", "orthogonal",
                                  "variance_scaling"])
def test_seeding(name):
    cls = initializers.ALL_OBJECTS_DICT[name]
    a, b = cls(seed=123)((20, 30)), cls(seed=123)((20, 30))
    torch.testing.assert_close(a, b, rtol=0, atol=0)
    init = cls(seed=123)
    torch.testing.assert_close(init((20, 30)), init((20, 30)), rtol=0, atol=0)
    assert not torch.equal(a, cls(seed=124)((20, 30)))
    # seeded draws leave the global generator untouched
    torch.manual_seed(0)
    cls(seed=5)((4, 4))
    after = torch.rand(3)
    torch.manual_seed(0)
    torch.testing.assert_close(after, torch.rand(3))
    # unseeded draws follow torch.manual_seed
    torch.manual_seed(7)
    c = cls()((20, 30))
    torch.manual_seed(7)
    torch.testing.assert_close(c, cls()((20, 30)), rtol=0, atol=0)
    assert not torch.equal(c, cls()((20, 30)))


@pytest.mark.parametrize("dtype,expected", [
    (None, torch.float32), ("float64", torch.float64), (torch.float16, torch.float16),
    ("bfloat16", torch.bfloat16), (np.float64, torch.float64),
])
def test_dtypes(dtype, expected):
    for name in ("glorot_uniform", "he_normal", "orthogonal", "zeros", "ones", "identity"):
        out = initializers.get(name)((8, 8), dtype=dtype)
        assert out.dtype == expected, name
        assert torch.isfinite(out.float()).all()
    if expected in (torch.float16, torch.bfloat16):
        # half types sample in float32, so a seed gives the same (rounded) values
        seeded = initializers.GlorotUniform(seed=1)
        torch.testing.assert_close(seeded((8, 8), dtype=dtype).float(),
                                   seeded((8, 8)).to(expected).float(), rtol=0, atol=0)


def test_integer_zeros_ones():
    assert initializers.get("zeros")((3,), dtype="int64").dtype == torch.int64
    assert initializers.get("ones")((2,), dtype="bool").all()
    torch.testing.assert_close(initializers.Constant(4)((2,), dtype="int32"),
                               torch.tensor([4, 4], dtype=torch.int32))


def test_identity_gain_round_trip():
    # Keras drops `gain` from the config; torchkeras keeps a non-default one.
    init = initializers.deserialize(initializers.serialize(initializers.Identity(gain=2.5)))
    torch.testing.assert_close(init((2, 2)), 2.5 * torch.eye(2))


def test_clone_and_repr():
    init = initializers.VarianceScaling(2.0, "fan_out", "uniform", seed=3)
    twin = init.clone()
    assert twin is not init and twin.get_config() == init.get_config()
    assert "fan_out" in repr(init)
