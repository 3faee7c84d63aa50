"""Checks on ``fit(class_weight=...)``: every key must name a class the model has."""
from __future__ import annotations

import numbers


def validate_class_weight(class_weight, num_classes: int | None) -> None:
    """Raises a ValueError for a ``class_weight`` entry that could never apply.

    Keras 3 silently ignores a key that is no class (a typo, a string, a class past the
    last one); torchkeras refuses it before any training so the weighting the user asked
    for is really applied.

    Args:
        class_weight: The ``{class_index: weight}`` dict given to ``fit``.
        num_classes: Classes the labels/model output have (a one-unit output has two:
            0 and 1), or ``None`` when unknown (then only the keys' form is checked).

    Example:
        >>> validate_class_weight({0: 1.0, 1: 3.0}, num_classes=2)       # fine
        >>> validate_class_weight({0: 1.0, 2: 3.0}, num_classes=2)       # ValueError
    """
    if not isinstance(class_weight, dict):
        raise ValueError("class_weight must be a dict {class_index: weight}, got %s"
                         % type(class_weight).__name__)
    if not class_weight:
        raise ValueError("class_weight must be a non-empty dict {class_index: weight}")
    for key, weight in class_weight.items():
        if isinstance(key, bool) or not isinstance(key, numbers.Real) or \
                int(key) != key or key < 0:
            raise ValueError("class_weight key %r is not a class index: keys must be "
                             "non-negative integers (the label values)." % (key,))
        if isinstance(weight, bool) or not isinstance(weight, numbers.Real):
            raise ValueError("class_weight[%r] must be a number, got %r" % (key, weight))
        if num_classes is not None and int(key) >= num_classes:
            raise ValueError(
                "class_weight names class %r, but the model has %d classes (0 to %d): "
                "no sample has that label, so its weight would be silently ignored."
                % (key, num_classes, num_classes - 1))
