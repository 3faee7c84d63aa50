"""Checks made once per ``fit`` before training starts, each with an error naming the fix,
and the signature probe behind ``compute_loss`` overrides written without ``training``."""
from __future__ import annotations

import inspect

import torch

_TAKES_TRAINING: dict = {}   # class -> whether its compute_loss accepts `training`


def _weight_name(model, weight) -> str:
    for key, p in model.named_parameters():
        if p is weight:
            return key
    return str(tuple(weight.shape))


def check_torch_optimizer_covers_weights(model, optimizer) -> None:
    """Refuses a torch optimizer that misses some of the model's trainable weights.

    A ``torch.optim`` optimizer created from ``model.parameters()`` before the model was
    built holds only the weights that existed then: the others would never train.

    Args:
        model: The model about to train.
        optimizer: Its compiled optimizer (a ``TorchOptimizer`` wrapper, else ignored).

    Example:
        >>> check_torch_optimizer_covers_weights(model, model.optimizer)
    """
    torch_opt = getattr(optimizer, "optimizer", None)
    if not isinstance(torch_opt, torch.optim.Optimizer):
        return
    held = {id(p) for group in torch_opt.param_groups for p in group["params"]}
    weights = model.torch_weights(trainable=True)
    missing = [w for w in weights if id(w) not in held]
    if missing:
        cls = type(torch_opt).__name__
        raise ValueError(
            "The torch optimizer %s was created before the model was built: %d of its %d "
            "trainable weights (e.g. %s) are not in its parameter groups and would never "
            "train. Build the model first (`model.build(input_shape)` or call it on a "
            "batch) and then create the optimizer from `model.parameters()`, or pass the "
            "optimizer class (`compile(optimizer=torch.optim.%s)`) or a Keras optimizer "
            "(`compile(optimizer=\"adam\")`), which are built on the first batch."
            % (cls, len(missing), len(weights), _weight_name(model, missing[0]), cls))


def check_no_new_trainable_weights(model, weights: list, known_ids: set) -> None:
    """Refuses weights made trainable after the optimizer was built.

    The optimizer's slots and step cover the list it was built on, so such weights would
    never be updated; Keras refuses too and asks to compile again.

    Args:
        model: The model about to train.
        weights: Its trainable weights now.
        known_ids: ``id``s of the weights the optimizer was built on.

    Example:
        >>> check_no_new_trainable_weights(model, model.trainable_weights, ids)
    """
    new = [w for w in weights if id(w) not in known_ids]
    if new:
        raise ValueError(
            "%d weight(s) became trainable after the optimizer was built (e.g. %s): the "
            "optimizer only updates the weights it was built with. Call `compile()` again "
            "after changing `trainable`, as Keras requires."
            % (len(new), _weight_name(model, new[0])))


def compute_loss_takes_training(cls: type) -> bool:
    """Whether ``cls.compute_loss`` accepts ``training`` (Keras added it in 3.3; older
    overrides, e.g. the knowledge-distillation example's, leave it out).

    Args:
        cls: A model class.

    Example:
        >>> compute_loss_takes_training(type(model))
        True
    """
    takes = _TAKES_TRAINING.get(cls)
    if takes is None:
        try:
            params = inspect.signature(cls.compute_loss).parameters
            takes = "training" in params or any(
                p.kind is inspect.Parameter.VAR_KEYWORD for p in params.values())
        except (TypeError, ValueError):
            takes = True
        _TAKES_TRAINING[cls] = takes
    return takes
