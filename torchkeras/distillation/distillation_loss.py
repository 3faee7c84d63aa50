"""DistillationLoss: how a teacher's outputs are compared with a student's.

Also the loss helpers the distillation losses and the Distiller share: turning loss
identifiers into loss functions and back from their serialized form.
"""
from __future__ import annotations

import torch

from torchkeras import losses as losses_module
from torchkeras import tree


class DistillationLoss:
    """Base class of distillation losses (Keras 3 ``keras.distillation.DistillationLoss``).

    Subclasses implement ``compute_loss(teacher_outputs, student_outputs)`` returning a
    scalar; ``validate_outputs`` and ``validate_model_compatibility`` may add checks
    (the Distiller calls them before using the loss).

    Example:
        >>> class L1Distillation(DistillationLoss):
        ...     def compute_loss(self, teacher_outputs, student_outputs, **kwargs):
        ...         return (teacher_outputs - student_outputs).abs().mean()
    """

    def compute_loss(self, teacher_outputs, student_outputs, **kwargs) -> torch.Tensor:
        """The scalar loss between teacher and student outputs (tensors or structures).

        Args:
            teacher_outputs: The teacher's outputs or features.
            student_outputs: The student's, in the same structure.
            **kwargs: Extra arguments for custom losses.
        """
        raise NotImplementedError("Subclasses must implement compute_loss")

    def validate_outputs(self, teacher_outputs, student_outputs) -> None:
        """Raises ``ValueError`` unless both outputs have the same structure."""
        tree.assert_same_structure(teacher_outputs, student_outputs)

    def validate_model_compatibility(self, teacher, student) -> None:
        """Raises ``ValueError`` if this loss cannot compare the two models (default: ok)."""


def to_loss_function(loss_item):
    """A loss identifier (name, ``Loss``, function or None) -> a callable loss or None.

    Args:
        loss_item: ``"mse"``, ``"kl_divergence"``, ... , a ``Loss`` instance, a function
            ``(y_true, y_pred)``, or ``None``.

    Example:
        >>> to_loss_function("mse").__name__
        'mean_squared_error'
    """
    if loss_item is None:
        return None
    if isinstance(loss_item, str):
        fn = losses_module.get(loss_item)
        if fn is None:
            raise ValueError("Unknown loss function: '%s'." % (loss_item,))
        return fn
    if not callable(loss_item):
        raise TypeError("A distillation loss must be a loss name, a Loss or a function; "
                        "received %r." % (loss_item,))
    return loss_item


def loss_structure(loss) -> object:
    """``loss`` (a loss identifier or a list/tuple/dict of them) with every leaf resolved."""
    return map_losses(to_loss_function, loss)


def serialize_loss_structure(loss):
    """Keras's serialized form of a resolved loss structure (leaves become dicts)."""
    if isinstance(loss, (list, tuple)):
        return [serialize_loss_structure(x) for x in loss]
    if isinstance(loss, dict):
        return {k: serialize_loss_structure(v) for k, v in loss.items()}
    return None if loss is None else losses_module.serialize(loss)


def deserialize_loss_structure(config):
    """Inverse of :func:`serialize_loss_structure` (also accepts plain loss names)."""
    if config is None:
        return None
    if isinstance(config, (list, tuple)):
        return [deserialize_loss_structure(x) for x in config]
    if isinstance(config, dict) and "class_name" not in config:
        return {k: deserialize_loss_structure(v) for k, v in config.items()}
    if isinstance(config, str):
        return to_loss_function(config)
    return losses_module.deserialize(config)


def scalar_sum(values: list, like) -> torch.Tensor:
    """Sum of a list of scalars (tensors or Python numbers) as a tensor on ``like``'s device."""
    tensors = [v for v in values if isinstance(v, torch.Tensor)]
    device = tensors[0].device if tensors else _device_of(like)
    total = torch.zeros((), device=device)
    for v in values:
        total = total + v
    return total


def _device_of(structure) -> torch.device:
    for leaf in tree.flatten(structure):
        if isinstance(leaf, torch.Tensor):
            return leaf.device
    return torch.device("cpu")


def map_losses(fn, structure):
    """``fn`` applied to every leaf of a list/tuple/dict structure (``None`` is a leaf)."""
    if isinstance(structure, (list, tuple)):
        return type(structure)(map_losses(fn, x) for x in structure)
    if isinstance(structure, dict):
        return {k: map_losses(fn, v) for k, v in structure.items()}
    return fn(structure)
