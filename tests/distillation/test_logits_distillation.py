"""LogitsDistillation against real Keras 3: values per loss kind, structures, config."""
import numpy as np
import pytest
import torch

import torchkeras as tk
from torchkeras import distillation


def _logits(seed, shape=(6, 4)):
    return torch.tensor(np.random.default_rng(seed).normal(size=shape).astype("float32") * 3)


CASES = {
    "default_kl_function": lambda lib: {},
    "kl_instance_softmax_t2": lambda lib: {"temperature": 2.5, "loss": lib.losses.KLDivergence()},
    "cce_name": lambda lib: {"temperature": 4, "loss": "categorical_crossentropy"},
    "cce_from_logits": lambda lib: {
        "loss": lib.losses.CategoricalCrossentropy(from_logits=True)},
    "mse": lambda lib: {"temperature": 1.0, "loss": "mse"},
}


@pytest.mark.keras_oracle
@pytest.mark.parametrize("case", list(CASES))
def test_values_match_keras(keras, case):
    t, s = _logits(0), _logits(1)
    theirs = keras.distillation.LogitsDistillation(**CASES[case](keras)).compute_loss(t, s)
    ours = distillation.LogitsDistillation(**CASES[case](tk)).compute_loss(t, s)
    assert ours.shape == ()
    assert float(ours) == pytest.approx(float(theirs), rel=1e-5, abs=1e-7)
    assert float(ours) != 0.0


@pytest.mark.keras_oracle
def test_structured_outputs_with_skipped_entry_match_keras(keras):
    t = [_logits(0), _logits(1, (6, 2)), _logits(2)]
    s = [_logits(3), _logits(4, (6, 2)), _logits(5)]
    theirs = keras.distillation.LogitsDistillation(
        loss=[keras.losses.KLDivergence(), None, "mse"]).compute_loss(t, s)
    ours = distillation.LogitsDistillation(
        loss=[tk.losses.KLDivergence(), None, "mse"]).compute_loss(t, s)
    assert float(ours) == pytest.approx(float(theirs), rel=1e-5)
    t_d, s_d = {"a": t[0], "b": t[2]}, {"a": s[0], "b": s[2]}
    theirs = keras.distillation.LogitsDistillation(
        loss={"a": "kl_divergence", "b": None}).compute_loss(t_d, s_d)
    ours = distillation.LogitsDistillation(loss={"a": "kl_divergence", "b": None}).compute_loss(
        t_d, s_d)
    assert float(ours) == pytest.approx(float(theirs), rel=1e-5)


@pytest.mark.keras_oracle
@pytest.mark.parametrize("case", list(CASES))
def test_config_matches_keras_and_round_trips(keras, case):
    theirs = keras.distillation.LogitsDistillation(**CASES[case](keras)).get_config()
    ours_obj = distillation.LogitsDistillation(**CASES[case](tk))
    ours = ours_obj.get_config()
    assert ours == theirs
    again = distillation.LogitsDistillation.from_config(ours)
    t, s = _logits(0), _logits(1)
    assert float(again.compute_loss(t, s)) == float(ours_obj.compute_loss(t, s))
    assert type(again.loss) is type(ours_obj.loss)


def test_gradient_reaches_the_student_logits():
    s = _logits(1).requires_grad_()
    distillation.LogitsDistillation(loss=tk.losses.KLDivergence()).compute_loss(
        _logits(0), s).backward()
    assert s.grad is not None and float(s.grad.abs().sum()) > 0


@pytest.mark.parametrize("kwargs,match", [
    ({"temperature": 0.0}, "positive"), ({"temperature": "3"}, "must be a number"),
    ({"loss": None}, "non-`None`"), ({"loss": [None, None]}, "non-`None`"),
    ({"loss": "no_such_loss"}, "no_such_loss")])
def test_bad_arguments_raise(kwargs, match):
    with pytest.raises(ValueError, match=match):
        distillation.LogitsDistillation(**kwargs)
