"""KerasView: a stored weight seen as a Keras variable, over the same storage.

Layers keep their weights in torch's layouts (so ``state_dict()`` loads into
``nn.Linear``/``nn.Conv2d``). What Keras's API hands out — ``layer.weights``,
``model.trainable_weights``, ``Dense.kernel`` — are these views: Keras's layout, shape and
dtype string, ``numpy()``/``assign()``/``value``, with gradients flowing to the parameter.
``parameters()``, ``state_dict()`` and ``Layer.torch_weights()`` stay torch-native.
"""
from __future__ import annotations

from typing import Callable

import numpy as np
import torch

from torchkeras.variables import is_trainable

_CACHE_ATTR = "_tk_keras_views"


class KerasDType(str):
    """A weight's dtype as Keras spells it (``"float32"``); also equal to the torch dtype
    and answering ``is_floating_point``/``itemsize`` so torch-minded code keeps working.

    Example:
        >>> model.weights[0].dtype == "float32" == torch.float32
    """

    torch_dtype: torch.dtype

    def __new__(cls, dtype: torch.dtype) -> "KerasDType":
        out = super().__new__(cls, str(dtype).replace("torch.", ""))
        out.torch_dtype = dtype
        return out

    def __eq__(self, other) -> bool:
        if isinstance(other, torch.dtype):
            return other == self.torch_dtype
        return str.__eq__(self, other)

    def __ne__(self, other) -> bool:
        return not self.__eq__(other)

    def __hash__(self) -> int:
        # torch's hash: lookups in torch-dtype tables (sets, dicts) keep working.
        return hash(self.torch_dtype)

    @property
    def is_floating_point(self) -> bool:
        return self.torch_dtype.is_floating_point

    @property
    def is_complex(self) -> bool:
        return self.torch_dtype.is_complex

    @property
    def itemsize(self) -> int:
        return self.torch_dtype.itemsize


class KerasView(torch.Tensor):
    """A stored weight seen in Keras's layout (``Dense.kernel`` is ``(input_dim, units)``
    over a ``(units, input_dim)`` parameter): a view over the same storage, never a copy.

    Gradients flow through it to the parameter; ``.grad`` (also ``.value.grad``) is the
    parameter's gradient in Keras layout; ``assign`` writes through it; torch ops on it
    return plain tensors. Passed to ``torch.optim`` optimizers it updates the parameter
    (``model.parameters()`` is the torch-native list and the faster choice).

    Example:
        >>> layer.kernel.numpy().shape        # (input_dim, units)
        >>> layer.kernel.assign(np.zeros((4, 3)))
    """

    @classmethod
    def __torch_function__(cls, func, types, args=(), kwargs=None):
        # Plain-tensor results, and `dtype=view.dtype` arguments given back as torch dtypes.
        args = tuple(_torch_arg(a) for a in args)
        kwargs = {k: _torch_arg(v) for k, v in kwargs.items()} if kwargs else {}
        with torch._C.DisableTorchFunctionSubclass():
            return func(*args, **kwargs)

    @staticmethod
    def of(view: torch.Tensor, source: torch.Tensor,
           to_keras: Callable[[torch.Tensor], torch.Tensor] | None = None,
           from_keras: Callable[[torch.Tensor], torch.Tensor] | None = None) -> "KerasView":
        """Wraps ``view`` (``to_keras(source)``) without copying.

        Args:
            view: ``source`` in Keras layout.
            source: The stored parameter.
            to_keras: torch layout -> Keras layout (for gradients and fresh reads).
            from_keras: Keras layout -> torch layout (for assignments and gradients).
        """
        out = view.as_subclass(KerasView)
        out._tk_source = source
        out._tk_to = to_keras
        out._tk_from = from_keras
        out._tk_ptr = source.data_ptr()
        return out

    # ---------------------------------------------------------------- Keras variable API
    @property
    def value(self) -> "KerasView":
        return self

    @property
    def dtype(self) -> KerasDType:
        return KerasDType(self._tk_source.dtype)

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
        return _keras_object(getattr(self._tk_source, "regularizer", None))

    @property
    def constraint(self):
        return _keras_object(getattr(self._tk_source, "constraint", None))

    @property
    def torch_parameter(self) -> torch.Tensor:
        """The stored parameter (torch layout) behind this view."""
        return self._tk_source

    def to_torch_layout(self, value: torch.Tensor) -> torch.Tensor:
        """A Keras-layout tensor of this weight's shape, re-laid out like the parameter."""
        return value if self._tk_from is None else self._tk_from(value)

    def _keras(self, tensor: torch.Tensor) -> torch.Tensor:
        return tensor if self._tk_to is None else self._tk_to(tensor)

    # ---------------------------------------------------------------- gradients
    @property
    def grad(self) -> torch.Tensor | None:
        g = self._tk_source.grad
        return None if g is None else self._keras(g)

    @grad.setter
    def grad(self, value) -> None:
        self._tk_source.grad = None if value is None else self.to_torch_layout(value)

    @property
    def retains_grad(self) -> bool:
        # Lets torch.optim accept the view: its ``.grad`` is always the parameter's.
        return True

    # ---------------------------------------------------------------- reading/assigning
    def numpy(self, force: bool = False) -> np.ndarray:
        # Read from the parameter: right even when the layout is a copy (gate reordering).
        return self._keras(self._tk_source.detach()).cpu().numpy()

    def __array__(self, dtype=None, copy=None):
        out = self.numpy()
        return out if dtype is None else out.astype(dtype)

    def assign(self, value) -> "KerasView":
        value = _value_like(value, self)
        if isinstance(value, torch.Tensor) and value.dim() and \
                tuple(value.shape) != tuple(self.shape):
            raise ValueError("The shape of the target variable and the shape of the target "
                             "value in `variable.assign(value)` must match. "
                             "variable.shape=%s, Received: value.shape=%s"
                             % (tuple(self.shape), tuple(value.shape)))
        with torch.no_grad():
            if isinstance(value, torch.Tensor) and value.dim():
                self._tk_source.copy_(self.to_torch_layout(value))
            else:
                self._tk_source.fill_(value)
            if not self._shares_storage():
                self.as_subclass(torch.Tensor).copy_(self._keras(self._tk_source))
        return self

    def assign_add(self, value) -> "KerasView":
        return self.assign(self._keras(self._tk_source.detach()) + _value_like(value, self))

    def assign_sub(self, value) -> "KerasView":
        return self.assign(self._keras(self._tk_source.detach()) - _value_like(value, self))

    def _shares_storage(self) -> bool:
        return self.untyped_storage().data_ptr() == \
            self._tk_source.untyped_storage().data_ptr()

    def __repr__(self) -> str:
        return "<Variable path=%s, shape=%s, dtype=%s, value=%s>" % (
            self.path, tuple(self.shape), self.dtype, self.numpy())

    def __deepcopy__(self, memo):
        return self.numpy().copy()

    def __reduce_ex__(self, proto):
        return (np.array, (self.numpy(),))


def keras_variable(layer, key: str, param: torch.Tensor) -> KerasView:
    """The Keras-facing view of ``param`` (stored as ``key`` under ``layer``), cached so
    repeated reads give the same object while the parameter's storage and
    ``requires_grad`` stay the same.

    Args:
        layer: The owning layer (its layout hooks re-lay the weight out).
        key: The parameter's name in that layer's module tree.
        param: The stored parameter.

    Example:
        >>> keras_variable(dense, "weight", dense.weight).shape   # (input_dim, units)
    """
    cache = layer.__dict__.get(_CACHE_ATTR)
    if cache is None:
        cache = layer.__dict__[_CACHE_ATTR] = _ViewCache()
    view = cache.get(key)
    # A copy of a layer copies this dict too: only a live view over this very storage counts.
    if isinstance(view, KerasView) and view._tk_source is param and \
            view._tk_ptr == param.data_ptr() and view.requires_grad == param.requires_grad \
            and view._shares_storage():
        return view
    view = KerasView.of(layer.keras_layout(key, param), param,
                        lambda t: layer.keras_layout(key, t),
                        lambda t: layer.torch_layout(key, t))
    cache[key] = view
    return view


class _ViewCache(dict):
    """A layer's views by parameter key; copies and pickles of the layer start empty
    (views of the copy's own parameters are made on demand)."""

    def __deepcopy__(self, memo) -> "_ViewCache":
        return _ViewCache()

    def __reduce__(self):
        return (_ViewCache, ())


def torch_parameter(variable) -> torch.Tensor:
    """The stored parameter behind a Keras-facing weight (itself for a parameter)."""
    return variable.torch_parameter if isinstance(variable, KerasView) else variable


def torch_parameters(variables) -> list:
    """``torch_parameter`` of each item (optimizers take views or parameters alike)."""
    return [torch_parameter(v) for v in variables]


def torch_gradient(variable, grad):
    """A gradient given for ``variable`` in Keras layout, re-laid out like its parameter."""
    if isinstance(variable, KerasView) and isinstance(grad, torch.Tensor):
        return variable.to_torch_layout(grad)
    return grad


def _keras_object(fn):
    # Layers that re-lay a weight out wrap its regularizer/constraint for the torch
    # layout; the view, in Keras's layout, gives the user's own object back.
    return getattr(fn, "keras_object", fn)


def _torch_arg(value):
    if type(value) is KerasDType:
        return value.torch_dtype
    if type(value) in (list, tuple) and any(type(v) is KerasDType for v in value):
        return type(value)(_torch_arg(v) for v in value)
    return value


def _value_like(value, like: torch.Tensor):
    if isinstance(value, (int, float, bool)):
        return value
    if isinstance(value, torch.Tensor):
        return value.detach().as_subclass(torch.Tensor)
    return torch.as_tensor(np.asarray(value), dtype=like._tk_source.dtype,
                           device=like.device)
