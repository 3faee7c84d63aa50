"""``LossFunctionWrapper``: a per-sample loss function as a ``Loss`` object."""
from __future__ import annotations

from typing import Callable

import torch

from torchkeras.losses.loss import Loss, squeeze_or_expand_to_same_rank


class LossFunctionWrapper(Loss):
    """Turns ``fn(y_true, y_pred, **kwargs) -> per-sample losses`` into a ``Loss``.

    Ranks of ``y_true`` and ``y_pred`` that differ by a trailing axis of size 1 are
    aligned before ``fn`` runs, as Keras does.

    Args:
        fn: The loss function.
        reduction: See ``Loss``.
        name: Name of the loss.
        dtype: See ``Loss``.
        **kwargs: Keyword arguments passed to ``fn`` on every call.

    Example:
        >>> loss = LossFunctionWrapper(huber, delta=2.0)
        >>> loss(torch.zeros(4, 3), torch.ones(4, 3))
    """

    def __init__(self, fn: Callable, reduction: str | None = "sum_over_batch_size",
                 name: str | None = None, dtype=None, **kwargs):
        if not callable(fn):
            raise ValueError("LossFunctionWrapper expects a callable `fn`, got %r" % (fn,))
        super().__init__(name=name, reduction=reduction, dtype=dtype)
        self.fn = fn
        self._fn_kwargs = kwargs

    def call(self, y_true: torch.Tensor, y_pred: torch.Tensor) -> torch.Tensor:
        if isinstance(y_true, torch.Tensor) and isinstance(y_pred, torch.Tensor):
            y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
        return self.fn(y_true, y_pred, **self._fn_kwargs)

    def get_config(self) -> dict:
        from torchkeras.losses import serialize
        from torchkeras.saving.serialization import serialize_keras_object
        config = super().get_config()
        config["fn"] = serialize(self.fn)
        config.update(serialize_keras_object(self._fn_kwargs))
        return config

    @classmethod
    def from_config(cls, config: dict) -> "LossFunctionWrapper":
        from torchkeras.losses import deserialize
        config = dict(config)
        if "fn" in config:
            config["fn"] = deserialize(config["fn"])
        return cls(**config)

    def __repr__(self) -> str:
        return "<LossFunctionWrapper(%s, kwargs=%s)>" % (self.fn, self._fn_kwargs)
