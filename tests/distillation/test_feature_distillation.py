"""FeatureDistillation against real Keras 3: values, structures, validation, config."""
import numpy as np
import pytest
import torch

import torchkeras as tk
from torchkeras import distillation


def _features(seed, shape=(6, 5)):
    return torch.tensor(np.random.default_rng(seed).normal(size=shape).astype("float32"))


CASES = {
    "mse_default": lambda lib: {},
    "cosine": lambda lib: {"loss": "cosine_similarity"},
    "mae_instance": lambda lib: {"loss": lib.losses.MeanAbsoluteError()},
    "structure_with_none": lambda lib: {"loss": ["mse", None, "mae"]},
}


@pytest.mark.keras_oracle
@pytest.mark.parametrize("case", list(CASES))
def test_values_and_config_match_keras(keras, case):
    if case == "structure_with_none":
        t = [_features(0), _features(1), _features(2)]
        s = [_features(3), _features(4), _features(5)]
    else:
        t, s = _features(0), _features(1)
    k_loss = keras.distillation.FeatureDistillation(**CASES[case](keras))
    o_loss = distillation.FeatureDistillation(**CASES[case](tk))
    k_loss.validate_outputs(t, s)
    o_loss.validate_outputs(t, s)
    assert float(o_loss.compute_loss(t, s)) == pytest.approx(
        float(k_loss.compute_loss(t, s)), rel=1e-5, abs=1e-7)
    assert o_loss.get_config() == k_loss.get_config()
    again = distillation.FeatureDistillation.from_config(o_loss.get_config())
    assert float(again.compute_loss(t, s)) == float(o_loss.compute_loss(t, s))


def test_structure_mismatch_raises():
    loss = distillation.FeatureDistillation(loss=["mse", "mse"])
    with pytest.raises(ValueError, match="Loss structure mismatch"):
        loss.validate_outputs(_features(0), _features(1))
    with pytest.raises((ValueError, TypeError)):
        distillation.FeatureDistillation().validate_outputs([_features(0)], _features(1))


def test_model_compatibility_checks_layer_names():
    teacher = tk.Sequential([tk.Input((5,)), tk.layers.Dense(4, name="h")])
    student = tk.Sequential([tk.Input((5,)), tk.layers.Dense(4, name="g")])
    distillation.FeatureDistillation(teacher_layer_name="h",
                                     student_layer_name="g").validate_model_compatibility(
        teacher, student)
    with pytest.raises(ValueError, match="In student model"):
        distillation.FeatureDistillation(
            teacher_layer_name="h", student_layer_name="h").validate_model_compatibility(
            teacher, student)


def test_bad_arguments_raise():
    with pytest.raises(ValueError, match="non-`None`"):
        distillation.FeatureDistillation(loss=None)
    with pytest.raises(TypeError, match="teacher_layer_name"):
        distillation.FeatureDistillation(teacher_layer_name=3)
