"""Learning-rate schedules: values against Keras 3 at many steps, configs, serialization."""
import numpy as np
import pytest
import torch

from torchkeras.optimizers import schedules

CASES = [
    ("ExponentialDecay", (0.1, 7, 0.8), {}),
    ("ExponentialDecay", (0.1, 7, 0.8), {"staircase": True}),
    ("PiecewiseConstantDecay", ([10, 25, 40], [1.0, 0.5, 0.25, 0.125]), {}),
    ("PolynomialDecay", (0.1, 30), {}),
    ("PolynomialDecay", (0.1, 30, 0.01), {"power": 0.5, "cycle": True}),
    ("InverseTimeDecay", (0.1, 5, 0.5), {}),
    ("InverseTimeDecay", (0.1, 5, 0.5), {"staircase": True}),
    ("CosineDecay", (0.1, 40), {"alpha": 0.1}),
    ("CosineDecay", (0.0, 30), {"warmup_target": 0.2, "warmup_steps": 10}),
    ("CosineDecayRestarts", (0.1, 10), {}),
    ("CosineDecayRestarts", (0.1, 10), {"t_mul": 1.0, "m_mul": 0.5, "alpha": 0.1}),
    ("CosineDecayRestarts", (0.1, 7), {"t_mul": 1.5, "m_mul": 0.9}),
]
STEPS = [0, 1, 2, 3, 5, 7, 9, 10, 11, 14, 20, 24, 25, 26, 29, 30, 31, 39, 40, 41, 55, 99]


@pytest.mark.keras_oracle
@pytest.mark.parametrize("name,args,kwargs", CASES)
def test_values_config_and_serialization_match_keras(keras, name, args, kwargs):
    theirs = getattr(keras.optimizers.schedules, name)(*args, **kwargs)
    ours = getattr(schedules, name)(*args, **kwargs)
    expected = np.array([float(keras.ops.convert_to_numpy(theirs(s))) for s in STEPS])
    got = np.array([ours(s) for s in STEPS])
    assert all(isinstance(ours(s), float) for s in (0, 7))
    np.testing.assert_allclose(got, expected, rtol=2e-6, atol=1e-9)
    # a tensor step gives the same values, as a float32 tensor
    as_tensor = ours(torch.tensor(STEPS))
    assert isinstance(as_tensor, torch.Tensor) and as_tensor.dtype == torch.float32
    np.testing.assert_allclose(as_tensor.numpy(), expected, rtol=2e-6, atol=1e-9)
    assert ours(torch.tensor(7, dtype=torch.int64)).shape == ()
    assert ours.get_config() == theirs.get_config()
    data = schedules.serialize(ours)
    assert data == keras.optimizers.schedules.serialize(theirs)
    again = schedules.deserialize(data)
    assert type(again) is type(ours) and again.get_config() == ours.get_config()


@pytest.mark.parametrize("make", [
    lambda: schedules.ExponentialDecay(0.1, 0, 0.9),
    lambda: schedules.PolynomialDecay(0.1, -1),
    lambda: schedules.InverseTimeDecay(0.1, 0, 0.5),
    lambda: schedules.CosineDecay(0.1, 0),
    lambda: schedules.CosineDecayRestarts(0.1, 0),
    lambda: schedules.PiecewiseConstantDecay([1, 2], [1.0, 0.5]),
])
def test_invalid_schedules_raise(make):
    with pytest.raises(ValueError):
        make()


def test_custom_schedule_subclass_and_base_errors():
    class Halving(schedules.LearningRateSchedule):
        def __init__(self, lr):
            self.lr = lr

        def __call__(self, step):
            return self.lr / (1 + step)

        def get_config(self):
            return {"lr": self.lr}

    sched = Halving(0.1)
    assert sched(1) == pytest.approx(0.05)
    assert Halving.from_config(sched.get_config()).lr == 0.1
    with pytest.raises(NotImplementedError):
        schedules.LearningRateSchedule()(0)
    with pytest.raises(NotImplementedError):
        schedules.LearningRateSchedule().get_config()
    with pytest.raises(TypeError):
        schedules.ExponentialDecay(0.1, 10, 0.9)("step")
