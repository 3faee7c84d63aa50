"""FeatureDistillation: a student layer's features follow a teacher layer's."""
from __future__ import annotations

import torch

from torchkeras import tree
from torchkeras.distillation.distillation_loss import (DistillationLoss,
                                                       deserialize_loss_structure,
                                                       loss_structure, scalar_sum,
                                                       serialize_loss_structure)


class FeatureDistillation(DistillationLoss):
    """Compares intermediate features (or the final outputs) of teacher and student.

    With layer names, the Distiller reads those layers' outputs (both models must then be
    Functional or Sequential); without, the final outputs. Each loss is applied as
    ``mean(loss(teacher_features, student_features))``; a structure of losses matches
    several outputs (``None`` skips one) and the values are summed.

    Args:
        loss: Loss name, ``Loss`` instance, function, or a structure of them. Defaults to
            ``"mse"``.
        teacher_layer_name: Teacher layer whose output is compared (None: final output).
        student_layer_name: Student layer whose output is compared (None: final output).

    Example:
        >>> FeatureDistillation(loss="mse", teacher_layer_name="dense_1",
        ...                     student_layer_name="dense_1")
    """

    def __init__(self, loss="mse", teacher_layer_name: str | None = None,
                 student_layer_name: str | None = None):
        for arg, value in (("teacher_layer_name", teacher_layer_name),
                           ("student_layer_name", student_layer_name)):
            if value is not None and not isinstance(value, str):
                raise TypeError("`%s` must be a layer name (str) or None, received %r."
                                % (arg, value))
        self.teacher_layer_name = teacher_layer_name
        self.student_layer_name = student_layer_name
        self.loss = loss_structure(loss)
        if all(fn is None for fn in tree.flatten(self.loss)):
            raise ValueError("The `loss` argument in `FeatureDistillation` must contain at "
                             "least one non-`None` value.")

    def validate_model_compatibility(self, teacher, student) -> None:
        """Named layers need models with symbolic inputs, and the layers must exist."""
        if self.teacher_layer_name is not None or self.student_layer_name is not None:
            subclassed = [role for role, model in (("teacher", teacher), ("student", student))
                          if getattr(model, "inputs", None) is None]
            if subclassed:
                raise ValueError(
                    "FeatureDistillation with specific layer names requires Functional or "
                    "Sequential models. The %s model(s) appear to be subclassed (no "
                    "symbolic inputs/outputs). Either use Functional/Sequential models, or "
                    "use FeatureDistillation without layer names (to distill final outputs "
                    "only), or use LogitsDistillation instead." % " and ".join(subclassed))
        for role, model, name in (("teacher", teacher, self.teacher_layer_name),
                                  ("student", student, self.student_layer_name)):
            if name is not None:
                try:
                    model.get_layer(name=name)
                except ValueError as e:
                    raise ValueError("In %s model: %s" % (role, e)) from e

    def validate_outputs(self, teacher_outputs, student_outputs) -> None:
        super().validate_outputs(teacher_outputs, student_outputs)
        try:
            tree.assert_same_structure(self.loss, teacher_outputs)
        except (ValueError, TypeError) as e:
            raise ValueError("Loss structure mismatch. Loss structure: %s, Output "
                             "structure: %s. Error: %s"
                             % (_shape_of(self.loss), _shape_of(teacher_outputs), e)) from e

    def compute_loss(self, teacher_outputs, student_outputs, **kwargs) -> torch.Tensor:
        """Sum over outputs of the mean loss between the features (a scalar)."""
        def apply(loss_fn, teacher_features, student_features):
            if loss_fn is None:
                return 0.0
            return loss_fn(teacher_features, student_features).mean()

        values = tree.map_structure(apply, self.loss, teacher_outputs, student_outputs)
        return scalar_sum(tree.flatten(values), student_outputs)

    def get_config(self) -> dict:
        return {"loss": serialize_loss_structure(self.loss),
                "teacher_layer_name": self.teacher_layer_name,
                "student_layer_name": self.student_layer_name}

    @classmethod
    def from_config(cls, config: dict) -> "FeatureDistillation":
        config = dict(config)
        config["loss"] = deserialize_loss_structure(config["loss"])
        return cls(**config)


def _shape_of(structure) -> str:
    return repr(tree.map_structure(lambda _: "*", structure))
