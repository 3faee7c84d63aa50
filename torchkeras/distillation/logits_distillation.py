"""LogitsDistillation: the student's outputs follow the teacher's softened outputs."""
from __future__ import annotations

import numbers

import torch

from torchkeras import losses as losses_module
from torchkeras import tree
from torchkeras.distillation.distillation_loss import (DistillationLoss,
                                                       deserialize_loss_structure,
                                                       loss_structure, scalar_sum,
                                                       serialize_loss_structure)


class LogitsDistillation(DistillationLoss):
    """Compares teacher and student logits, both divided by ``temperature``.

    Each loss is applied as ``mean(loss(teacher / T, student / T))``. A
    ``keras.losses.KLDivergence`` *instance* compares the two softmax distributions and is
    scaled by ``T**2`` (Hinton et al.); any other loss — including the default name
    ``"kl_divergence"``, which resolves to the plain function, as in Keras — sees the
    scaled logits directly. Several outputs take a list/dict of losses (``None`` skips
    one); their values are summed.

    Args:
        temperature: Softening temperature, > 0. Defaults to 3.0.
        loss: Loss name, ``Loss`` instance, function, or a structure of them matching the
            model outputs. Defaults to ``"kl_divergence"``.

    Example:
        >>> LogitsDistillation(temperature=4.0, loss=keras.losses.KLDivergence())
    """

    def __init__(self, temperature: float = 3.0, loss="kl_divergence"):
        self.temperature = temperature
        self.loss = loss_structure(loss)
        if all(fn is None for fn in tree.flatten(self.loss)):
            raise ValueError("At least one loss must be non-`None`.")
        if isinstance(temperature, bool) or not isinstance(temperature, numbers.Real):
            raise ValueError("temperature must be a number, got %s" % (type(temperature),))
        if temperature <= 0.0:
            raise ValueError("temperature must be positive.")

    def compute_loss(self, teacher_outputs, student_outputs, **kwargs) -> torch.Tensor:
        """Sum over outputs of the loss between temperature-scaled logits (a scalar)."""
        temperature = self.temperature

        def apply(loss_fn, teacher_logits, student_logits):
            if loss_fn is None:
                return 0.0
            teacher_logits = teacher_logits / temperature
            student_logits = student_logits / temperature
            if isinstance(loss_fn, losses_module.KLDivergence):
                value = loss_fn(torch.softmax(teacher_logits, dim=-1),
                                torch.softmax(student_logits, dim=-1)).mean()
                return value * (temperature ** 2)
            return loss_fn(teacher_logits, student_logits).mean()

        values = tree.map_structure(apply, self.loss, teacher_outputs, student_outputs)
        return scalar_sum(tree.flatten(values), student_outputs)

    def get_config(self) -> dict:
        return {"temperature": self.temperature,
                "loss": serialize_loss_structure(self.loss)}

    @classmethod
    def from_config(cls, config: dict) -> "LogitsDistillation":
        config = dict(config)
        config["loss"] = deserialize_loss_structure(config["loss"])
        return cls(**config)
