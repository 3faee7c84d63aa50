import numpy as np
import pytest
import torch

import torchkeras
from torchkeras import random as tkr


@pytest.fixture(autouse=True)
def _cpu():
    torchkeras.config.set_device("cpu")
    yield
    torchkeras.config.set_device(None)


def test_int_seed_repeats_and_generator_advances():
    assert torch.equal(tkr.normal((4,), seed=1), tkr.normal((4,), seed=1))
    assert not torch.equal(tkr.normal((4,), seed=1), tkr.normal((4,), seed=2))
    g1, g2 = tkr.SeedGenerator(7), tkr.SeedGenerator(7)
    a, b = tkr.uniform((4,), seed=g1), tkr.uniform((4,), seed=g1)
    assert not torch.equal(a, b)
    assert torch.equal(a, tkr.uniform((4,), seed=g2)) and torch.equal(b, tkr.uniform((4,), seed=g2))
    assert g1.state.tolist() == [7, 2]
    assert g1.get_config() == {"seed": 7, "name": g1.name}


def test_none_seed_uses_global_torch_rng():
    torch.manual_seed(5)
    a = tkr.normal((3,))
    torch.manual_seed(5)
    assert torch.equal(a, tkr.normal((3,)))


def test_seeded_gamma_beta_reproducible_and_leave_global_rng_alone():
    torch.manual_seed(0)
    expected = torch.rand(2)
    torch.manual_seed(0)
    g = tkr.gamma((5,), 2.0, seed=3)
    assert torch.equal(torch.rand(2), expected)
    assert torch.equal(g, tkr.gamma((5,), 2.0, seed=3))
    assert torch.equal(tkr.beta((5,), 2.0, 3.0, seed=3), tkr.beta((5,), 2.0, 3.0, seed=3))


def _moments(x):
    x = np.asarray(x, dtype=np.float64)
    return x.mean(), x.std(), x.min(), x.max()


@pytest.mark.keras_oracle
def test_distributions_and_dtypes_match_keras(keras):
    kr = keras.random
    n = (20000,)
    pairs = [
        (tkr.normal(n, 1.0, 2.0, seed=1), kr.normal(n, 1.0, 2.0, seed=1)),  # unbounded
        (tkr.uniform(n, -1.0, 3.0, seed=1), kr.uniform(n, -1.0, 3.0, seed=1)),
        (tkr.truncated_normal(n, 0.0, 1.0, seed=1), kr.truncated_normal(n, 0.0, 1.0, seed=1)),
        (tkr.gamma(n, 2.0, seed=1), kr.gamma(n, 2.0, seed=1)),
        (tkr.beta(n, 2.0, 3.0, seed=1), kr.beta(n, 2.0, 3.0, seed=1)),
        (tkr.binomial(n, 10, 0.3, seed=1), kr.binomial(n, 10, 0.3, seed=1)),
        (tkr.randint(n, 0, 7, seed=1), kr.randint(n, 0, 7, seed=1)),
    ]
    for i, (mine, ref) in enumerate(pairs):
        ref = keras.ops.convert_to_numpy(ref)
        assert str(mine.dtype).replace("torch.", "") == str(ref.dtype)
        assert tuple(mine.shape) == ref.shape
        m, r = _moments(mine), _moments(ref)
        assert abs(m[0] - r[0]) < 0.05 * max(1.0, abs(r[0])) and abs(m[1] - r[1]) < 0.05 * r[1]
        if i not in (0, 3):  # bounded distributions (not normal, gamma): same support
            assert r[2] - 0.2 * r[1] <= m[2] and m[3] <= r[3] + 0.2 * r[1]
    for kw in ({"dtype": "float16"}, {"dtype": "bfloat16"}):
        assert str(tkr.normal((2,), **kw).dtype) == "torch." + kw["dtype"]
    cat = tkr.categorical(torch.log(torch.tensor([[0.2, 0.8]])), 5000, seed=1)
    ref = kr.categorical(keras.ops.log(keras.ops.convert_to_tensor([[0.2, 0.8]])), 5000, seed=1)
    assert cat.dtype == ref.dtype == torch.int32 and cat.shape == ref.shape
    assert abs(cat.float().mean().item() - 0.8) < 0.03
    x = torch.ones(10000)
    d = tkr.dropout(x, 0.25, seed=1)
    assert torch.allclose(d.unique(), torch.tensor([0.0, 4.0 / 3.0]))
    assert abs((d == 0).float().mean().item() - 0.25) < 0.02
    s = tkr.shuffle(torch.arange(20).reshape(10, 2), axis=0, seed=1)
    assert sorted(s[:, 0].tolist()) == list(range(0, 20, 2)) and torch.equal(s[:, 1], s[:, 0] + 1)


def test_bad_arguments():
    with pytest.raises(ValueError, match="floating point"):
        tkr.uniform((2,), dtype="int32")
    with pytest.raises(ValueError, match="integer `dtype`"):
        tkr.randint((2,), 0, 3, dtype="float32")
    with pytest.raises(ValueError, match="2-D"):
        tkr.categorical(torch.zeros(3), 2)
    with pytest.raises(ValueError, match="seed"):
        tkr.normal((2,), seed="a")
    with pytest.raises(ValueError, match="seed"):
        tkr.SeedGenerator(1.5)
    with pytest.raises(ValueError, match="rate"):
        tkr.dropout(torch.ones(2), 1.5)


class _Noise(torchkeras.layers.Layer):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.seed_generator = tkr.SeedGenerator(11)

    def call(self, x):
        return x + tkr.normal(tuple(x.shape), seed=self.seed_generator)


def test_seed_generator_state_saves_with_layer_but_is_not_a_weight():
    layer = _Noise()
    x = torch.zeros(2, 3)
    layer(x)
    assert layer.weights == []
    sd = {k: v.clone() for k, v in layer.state_dict().items()}
    assert sd["seed_generator.state"].tolist() == [11, 1]
    expected = layer(x)
    other = _Noise()
    other.load_state_dict(sd)
    assert torch.equal(other(x), expected)


def test_works_under_torch_compile():
    gen = tkr.SeedGenerator(3)

    def f(x):
        return x + tkr.normal((3,), seed=gen) + tkr.uniform((3,), seed=4)

    eager = f(torch.zeros(3))
    gen2 = tkr.SeedGenerator(3)
    gen_ref = gen
    gen = gen2
    compiled = torch.compile(f, backend="eager")
    assert torch.allclose(compiled(torch.zeros(3)), eager)
    assert not torch.allclose(compiled(torch.zeros(3)), eager)
    assert gen_ref.state.tolist() == [3, 1] and gen2.state.tolist() == [3, 2]


class _TrainNoise(torchkeras.layers.Layer):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.seed_generator = tkr.SeedGenerator(1)

    def call(self, x, training=False):
        return tkr.dropout(x, 0.5, seed=self.seed_generator) if training else x


@pytest.mark.slow  # torch.compile of a whole train step takes ~15 s on CPU
def test_seed_generator_advances_in_jit_compiled_fit():
    x = torchkeras.Input((4,))
    noise = _TrainNoise()
    y = torchkeras.layers.Dense(1)(noise(torchkeras.layers.Dense(4)(x)))
    model = torchkeras.Model(x, y)
    model.compile("sgd", "mse", jit_compile=True)
    model.fit(np.ones((16, 4), "float32"), np.ones((16, 1), "float32"), batch_size=8,
              epochs=2, verbose=0)
    assert noise.seed_generator.state.tolist() == [1, 4]   # one draw per training step
