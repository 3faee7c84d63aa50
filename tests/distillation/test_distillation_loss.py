"""DistillationLoss: the base contract, and a custom subclass trained by a Distiller."""
import numpy as np
import pytest
import torch

import torchkeras as tk
from torchkeras import distillation


class L1Distillation(distillation.DistillationLoss):
    def compute_loss(self, teacher_outputs, student_outputs, **kwargs):
        return (teacher_outputs - student_outputs).abs().mean()


def test_base_requires_compute_loss_and_checks_structure():
    base = distillation.DistillationLoss()
    with pytest.raises(NotImplementedError):
        base.compute_loss(torch.ones(2), torch.ones(2))
    base.validate_outputs([torch.ones(2)], [torch.zeros(2)])
    with pytest.raises((ValueError, TypeError)):
        base.validate_outputs([torch.ones(2), torch.ones(2)], [torch.zeros(2)])
    assert base.validate_model_compatibility(None, None) is None


@pytest.mark.keras_oracle
def test_exported_like_keras(keras):
    assert sorted(n for n in dir(keras.distillation) if not n.startswith("_")) == \
        sorted(distillation.__all__)
    assert tk.distillation is distillation


def test_custom_loss_trains_student_towards_teacher():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(32, 4)).astype("float32")
    teacher = tk.Sequential([tk.Input((4,)), tk.layers.Dense(2)])
    student = tk.Sequential([tk.Input((4,)), tk.layers.Dense(2)])
    d = distillation.Distiller(teacher, student, L1Distillation(), student_loss_weight=0.0)
    d.compile(optimizer=tk.optimizers.SGD(0.1), loss="mse")
    history = d.fit(x, np.zeros((32, 2), "float32"), epochs=5, batch_size=8,
                    verbose=0).history
    assert history["distillation_loss"][-1] < 0.5 * history["distillation_loss"][0]
    assert history["student_loss"] == [0.0] * 5
