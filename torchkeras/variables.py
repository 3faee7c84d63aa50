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
    it is ``requires_grad``, which is also False when the owning layer is frozen. Its
    ``dtype`` is torch's (a ``torch.dtype``): it is a real ``nn.Parameter``.

    Args:
        initializer: Initial value (tensor, array, number) or an initializer (name,
            ``Initializer`` or callable ``(shape, dtype)``), which needs ``shape``.
        shape: Variable shape.
        dtype: Dtype name or torch dtype (default: the value's, or ``floatx()``).
        trainable: Whether training updates it.
        name: Keras variable name.

    Example:
        >>> v = Variable("zeros", (3,), trainable=False, name="count")
        >>> v.assign_add(torch.ones(3))
    """

    def __new__(cls, initializer=None, shape=None, dtype=None, trainable: bool | None = None,
                autocast: bool = True, aggregation: str = "none",
                synchronization: str = "auto", name: str | None = None,
                requires_grad: bool = True):
        # Keras's signature. ``Variable(tensor, requires_grad)``, as torch rebuilds
        # parameters, still works: a bool in the shape slot is that flag.
        if isinstance(shape, bool):
            shape, requires_grad = None, shape
        if trainable is None:
            trainable = requires_grad
        data = _initial_value(initializer, shape, dtype)
        self = super().__new__(cls, data, requires_grad=bool(trainable) and data.is_floating_point())
        self._tk_trainable = bool(trainable)
        self._tk_name = name
        return self

    def __deepcopy__(self, memo):
        if id(self) in memo:
            return memo[id(self)]
        result = type(self)(self.data.clone(memory_format=torch.preserve_format),
                            trainable=self._tk_trainable, name=self._tk_name,
                            requires_grad=self.requires_grad)
        for attr in ("regularizer", "constraint", "aggregation", "_tk_path"):
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
        """``"<layer name>/<variable name>"`` for a layer's weight (Keras's path; Keras
        also prefixes the enclosing model's name when the model built the layer)."""
        return self.__dict__.get("_tk_path") or self._tk_name

    @path.setter
    def path(self, value: str | None) -> None:
        # Set by add_weight, and kept by layers that re-lay a weight out for torch.
        self._tk_path = value

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


def _initial_value(data, shape, dtype) -> torch.Tensor:
    """The starting tensor of a Variable: a tensor/array value, or an initializer (name,
    ``Initializer`` or callable) called with ``shape``."""
    from torchkeras import config, initializers   # initializers create Variables' data
    torch_dtype = config.to_torch_dtype(dtype) if dtype is not None else None
    if data is None:
        return torch.empty(0 if shape is None else tuple(shape), dtype=torch_dtype)
    if isinstance(data, str) or (callable(data) and not isinstance(data, torch.Tensor)):
        if shape is None:
            raise ValueError("When creating a Variable from an initializer, the `shape` "
                             "argument should be specified. Received: initializer=%r and "
                             "shape=None" % (data,))
        shape = tuple(int(d) for d in shape)
        init_dtype = torch_dtype or config.to_torch_dtype(config.floatx())
        data = initializers.get(data)(shape, dtype=init_dtype)
    value = torch.as_tensor(data if isinstance(data, torch.Tensor) else np.asarray(data))
    if torch_dtype is not None:
        value = value.to(torch_dtype)
    elif value.is_floating_point() and not isinstance(data, (torch.Tensor, np.ndarray)):
        value = value.to(config.to_torch_dtype(config.floatx()))   # Python numbers/lists
    if shape is not None and tuple(value.shape) != tuple(shape):
        raise ValueError("Initial value has shape %s, but the Variable's shape is %s."
                         % (tuple(value.shape), tuple(shape)))
    return value.detach()


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
