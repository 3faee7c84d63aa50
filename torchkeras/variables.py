"""Variable: an ``nn.Parameter`` that also speaks the Keras variable API.

Layers and metrics create their state with ``add_weight`` / ``add_variable``; what they
get back is a real ``torch.nn.Parameter`` (so ``state_dict()``, ``.to()`` and
``torch.optim`` work as usual) with Keras's ``assign``/``assign_add``/``numpy()`` on top.
"""
from __future__ import annotations

import numpy as np
import torch


class Variable(torch.nn.Parameter):
    """A named tensor of layer or metric state.

    ``trainable`` is the variable's own flag (Keras semantics); whether autograd tracks
    it is ``requires_grad``, which is also False when the owning layer is frozen.

    Example:
        >>> v = Variable(torch.zeros(3), trainable=False, name="count")
        >>> v.assign_add(torch.ones(3))
    """

    def __new__(cls, data=None, requires_grad: bool = True, trainable: bool | None = None,
                name: str | None = None):
        if trainable is None:
            trainable = requires_grad
        if data is None:
            data = torch.empty(0)
        self = super().__new__(cls, data, requires_grad=bool(trainable) and data.is_floating_point())
        self._tk_trainable = bool(trainable)
        self._tk_name = name
        return self

    def __deepcopy__(self, memo):
        if id(self) in memo:
            return memo[id(self)]
        result = type(self)(self.data.clone(memory_format=torch.preserve_format),
                            self.requires_grad, trainable=self._tk_trainable, name=self._tk_name)
        for attr in ("regularizer", "constraint", "aggregation"):
            if attr in self.__dict__:
                setattr(result, attr, self.__dict__[attr])
        memo[id(self)] = result
        return result

    def __reduce_ex__(self, proto):
        # Keep torch.save/deepcopy of whole modules working: rebuild as a plain Parameter.
        return (torch.nn.Parameter, (self.data, self.requires_grad))

    @property
    def trainable(self) -> bool:
        return self._tk_trainable

    @trainable.setter
    def trainable(self, value: bool) -> None:
        self._tk_trainable = bool(value)
        self.requires_grad_(bool(value) and self.is_floating_point())

    @property
    def name(self) -> str | None:
        return self._tk_name

    @property
    def path(self) -> str | None:
        return self._tk_name

    @property
    def value(self) -> "Variable":
        return self

    def numpy(self, force: bool = False) -> np.ndarray:
        return self.detach().cpu().numpy()

    def assign(self, value) -> "Variable":
        with torch.no_grad():
            self.copy_(_as_tensor(value, self))
        return self

    def assign_add(self, value) -> "Variable":
        with torch.no_grad():
            self.add_(_as_tensor(value, self))
        return self

    def assign_sub(self, value) -> "Variable":
        with torch.no_grad():
            self.sub_(_as_tensor(value, self))
        return self

    def __repr__(self) -> str:
        return "<Variable %s shape=%s dtype=%s>" % (
            self._tk_name, tuple(self.shape), str(self.dtype).replace("torch.", ""))


def _as_tensor(value, like: torch.Tensor):
    if isinstance(value, (int, float, bool)):
        return value
    if isinstance(value, torch.Tensor):
        return value.detach()
    return torch.as_tensor(np.asarray(value), dtype=like.dtype, device=like.device)


def is_trainable(param: torch.Tensor) -> bool:
    """A weight's own Keras trainable flag: plain ``nn.Parameter``s count as trainable,
    buffers (running statistics of wrapped torch modules) do not."""
    return getattr(param, "_tk_trainable", isinstance(param, torch.nn.Parameter))
