"""KerasView: a stored weight seen in Keras's layout, over the same storage.

Dense and convolution layers keep their kernels in torch's layouts (so ``state_dict()``
loads into ``nn.Linear``/``nn.Conv2d``); their ``kernel`` property returns this view, which
reads and assigns like a Keras variable.
"""
from __future__ import annotations

import numpy as np
import torch

from torchkeras.variables import is_trainable


class KerasView(torch.Tensor):
    """A stored weight seen in Keras's layout (``Dense.kernel`` is ``(input_dim, units)``
    over a ``(units, input_dim)`` parameter): a view over the same storage, never a copy.

    Gradients flow through it to the parameter, ``assign`` writes through it, and torch
    ops on it return plain tensors (no subclass overhead downstream).

    Example:
        >>> layer.kernel.numpy().shape        # (input_dim, units)
        >>> layer.kernel.assign(np.zeros((4, 3)))
    """

    __torch_function__ = torch._C._disabled_torch_function_impl

    @staticmethod
    def of(view: torch.Tensor, source: torch.Tensor) -> "KerasView":
        """Wraps ``view`` (a view of ``source``) without copying."""
        out = view.as_subclass(KerasView)
        out._tk_source = source
        return out

    @property
    def value(self) -> "KerasView":
        return self

    @property
    def name(self) -> str | None:
        return getattr(self._tk_source, "name", None)

    @property
    def path(self) -> str | None:
        return getattr(self._tk_source, "path", None)

    @property
    def trainable(self) -> bool:
        return is_trainable(self._tk_source)

    @property
    def regularizer(self):
        return getattr(self._tk_source, "regularizer", None)

    @property
    def constraint(self):
        return getattr(self._tk_source, "constraint", None)

    def numpy(self, force: bool = False) -> np.ndarray:
        return self.detach().cpu().numpy()

    def __array__(self, dtype=None, copy=None):
        out = self.numpy()
        return out if dtype is None else out.astype(dtype)

    def assign(self, value) -> "KerasView":
        value = _value_like(value, self)
        if isinstance(value, torch.Tensor) and tuple(value.shape) != tuple(self.shape):
            raise ValueError("The shape of the target variable and the shape of the target "
                             "value in `variable.assign(value)` must match. "
                             "variable.shape=%s, Received: value.shape=%s"
                             % (tuple(self.shape), tuple(value.shape)))
        with torch.no_grad():
            self.copy_(value)
        return self

    def assign_add(self, value) -> "KerasView":
        with torch.no_grad():
            self.add_(_value_like(value, self))
        return self

    def assign_sub(self, value) -> "KerasView":
        with torch.no_grad():
            self.sub_(_value_like(value, self))
        return self


def _value_like(value, like: torch.Tensor):
    if isinstance(value, (int, float, bool)):
        return value
    if isinstance(value, torch.Tensor):
        return value.detach()
    return torch.as_tensor(np.asarray(value), dtype=like.dtype, device=like.device)
