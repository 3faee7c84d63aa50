"""Metric: the Keras metric contract on top of ``torch.nn.Module``.

A metric keeps running state in ``Variable``s (non-trainable ``nn.Parameter``s) that
live on the metric's device, so ``metric.to("cuda")`` moves its state and
``update_state`` accumulates without any host round trip. ``result()`` reads the state
into a fresh tensor; nothing is materialised on the host until someone asks for it.
"""
from __future__ import annotations

from typing import Any

import numpy as np
import torch
from torch import nn

from torchkeras import config as _config
from torchkeras.variables import Variable

_AGGREGATIONS = ("none", "mean", "sum", "only_first_replica")


def _standardize_dtype(dtype) -> str:
    """Keras metric dtype: a dtype name, or the compute dtype of a policy."""
    if dtype is None:
        return _config.floatx()
    compute = getattr(dtype, "compute_dtype", None)
    if compute is not None:
        return compute
    if isinstance(dtype, dict):
        from torchkeras.mixed_precision.policy import get_policy
        return get_policy(dtype).compute_dtype
    name = getattr(dtype, "name", None) if not isinstance(dtype, str) else dtype
    if name in ("mixed_float16", "mixed_bfloat16"):
        return name.split("_", 1)[1]
    if name == "int":
        return "int32"  # Keras's "int" is int32 (torch's would be int64)
    return _config.dtype_name(dtype)


def _free_key(module: nn.Module, name: str) -> str:
    key = "".join(c if (c.isalnum() or c == "_") else "_" for c in name) or "variable"
    base, i = key, 1
    while key in module._parameters or key in module._modules or key in module._buffers \
            or key in module.__dict__ or hasattr(type(module), key):
        key = "%s_%d" % (base, i)
        i += 1
    return key


class Metric(nn.Module):
    """Base class of every torchkeras metric: state, ``update_state`` and ``result``.

    Subclasses create their state in ``__init__`` with ``add_variable``, accumulate in
    ``update_state`` and read it in ``result``. State tensors live on the metric's
    device (``metric.to(device)`` moves them) and are never trained.

    Args:
        dtype: dtype of the metric's computations (default: ``floatx()``); a
            ``DTypePolicy`` contributes its compute dtype.
        name: Metric name (default: the snake-cased class name, made unique).

    Example:
        >>> class BinaryTruePositives(Metric):
        ...     def __init__(self, name="binary_true_positives", **kwargs):
        ...         super().__init__(name=name, **kwargs)
        ...         self.tp = self.add_variable(shape=(), initializer="zeros", name="tp")
        ...     def update_state(self, y_true, y_pred, sample_weight=None):
        ...         hits = (torch.as_tensor(y_true) > 0) & (torch.as_tensor(y_pred) > 0.5)
        ...         self.tp.assign_add(hits.sum())
        ...     def result(self):
        ...         return self.tp * 1.0
    """

    def __new__(cls, *args, **kwargs):
        obj = super().__new__(cls)
        # Module state first, so subclasses may set attributes before super().__init__().
        nn.Module.__init__(obj)
        obj._device = torch.empty(0, device=_config.get_device()).device
        return obj

    def __init__(self, dtype=None, name: str | None = None):
        if name is not None and not isinstance(name, str):
            raise ValueError("%s name must be a string, got %r" % (type(self).__name__, name))
        if name is None:
            from torchkeras.layers.layer import to_snake_case, unique_name
            name = unique_name(to_snake_case(type(self).__name__))
        self.name = name
        self._dtype = _standardize_dtype(dtype)
        self._super_called = True

    # ------------------------------------------------------------------ attributes
    def __setattr__(self, name: str, value: Any) -> None:
        params = self.__dict__.get("_parameters")
        if isinstance(value, nn.Parameter) and params is not None and name not in params:
            # add_variable registered it under its own key: rename it, keeping order.
            for key, p in list(params.items()):
                if p is value:
                    self._parameters = {(name if k == key else k): v for k, v in params.items()}
                    return
        super().__setattr__(name, value)

    @property
    def dtype(self) -> str:
        return self._dtype

    @property
    def device(self) -> torch.device:
        """Where the metric's state lives (and where inputs are moved to)."""
        return self._device

    def _apply(self, fn, recurse=True):
        before = dict(self._parameters)
        out = super()._apply(fn, recurse)
        for key, old in before.items():
            new = self._parameters.get(key)
            if isinstance(old, Variable) and new is not None and not isinstance(new, Variable):
                # Some moves (e.g. to "meta") rebuild plain Parameters: keep the Variable API.
                var = Variable(new.data, trainable=False, name=old.name)
                var.aggregation = getattr(old, "aggregation", "sum")
                self._parameters[key] = var
        # Track the device through .to()/.cuda()/.cpu() even for metrics without state.
        self._device = fn(torch.empty(0, device=self._device)).device
        return out

    # ------------------------------------------------------------------ state
    def add_variable(self, shape=(), initializer="zeros", dtype=None, aggregation: str = "sum",
                     name: str | None = None) -> Variable:
        """Creates a non-trainable state variable on the metric's device.

        Args:
            shape: Variable shape (``()`` for a scalar).
            initializer: ``"zeros"``, ``"ones"``, an initializer object or a callable
                ``(shape, dtype) -> tensor``.
            dtype: Variable dtype (default: ``floatx()``).
            aggregation: How replicas combine it: ``"sum"``, ``"mean"``, ``"none"`` or
                ``"only_first_replica"``.
            name: Variable name.

        Returns:
            The ``Variable``, registered on this module.
        """
        if not getattr(self, "_super_called", False):
            raise RuntimeError("You forgot to call `super().__init__()` in the `__init__()` "
                               "method of %s. Go add it!" % type(self).__name__)
        if aggregation not in _AGGREGATIONS:
            raise ValueError("Invalid aggregation %r for variable %r: expected one of %s"
                             % (aggregation, name, _AGGREGATIONS))
        shape = () if shape is None else tuple(int(s) for s in shape)
        torch_dtype = _config.to_torch_dtype(dtype or _config.floatx())
        data = _initial_value(initializer, shape, torch_dtype, self._device)
        var = Variable(data, trainable=False, name=name or "variable")
        var.aggregation = aggregation
        self.register_parameter(_free_key(self, name or "variable"), var)
        return var

    def add_weight(self, shape=(), initializer=None, dtype=None, name: str | None = None,
                   **kwargs) -> Variable:
        """Alias of ``add_variable`` (Keras 2 spelling)."""
        return self.add_variable(shape=shape, initializer=initializer or "zeros", dtype=dtype,
                                 name=name, **kwargs)

    @property
    def variables(self) -> list:
        out = list(self._parameters.values())
        for m in self._modules.values():
            if isinstance(m, Metric):
                out.extend(m.variables)
        return out

    weights = variables

    def reset_state(self) -> None:
        """Zeroes every state variable in place."""
        with torch.no_grad():
            for v in self.variables:
                v.zero_()

    def reset_states(self) -> None:
        self.reset_state()

    def update_state(self, *args, **kwargs):
        """Accumulates statistics for the metric."""
        raise NotImplementedError

    def result(self):
        """The current value: a 0-d tensor (or a tensor / dict for multi-valued metrics)."""
        raise NotImplementedError

    def __call__(self, *args, **kwargs):
        self.update_state(*args, **kwargs)
        return self.result()

    def forward(self, *args, **kwargs):
        return self(*args, **kwargs)

    # ------------------------------------------------------------------ inputs
    def _convert(self, x, dtype=None) -> torch.Tensor:
        """An input on the metric's device, detached from autograd (and cast to ``dtype``)."""
        from torchkeras.metrics.metrics_utils import to_tensor
        return to_tensor(x, self._device, dtype)

    # ------------------------------------------------------------------ config
    def get_config(self) -> dict:
        return {"name": self.name, "dtype": self.dtype}

    @classmethod
    def from_config(cls, config: dict):
        return cls(**config)

    def __repr__(self) -> str:
        return "<%s name=%s>" % (type(self).__name__, self.name)

    __str__ = __repr__


def _initial_value(initializer, shape: tuple, dtype: torch.dtype, device) -> torch.Tensor:
    if isinstance(initializer, str):
        key = initializer.lower()
        if key in ("zeros", "zero"):
            initializer = None
        elif key in ("ones", "one"):
            return torch.ones(shape, dtype=dtype, device=device)
        else:
            from torchkeras import initializers
            initializer = initializers.get(initializer)
    if initializer is None or type(initializer).__name__ == "Zeros":
        return torch.zeros(shape, dtype=dtype, device=device)
    if type(initializer).__name__ == "Ones":
        return torch.ones(shape, dtype=dtype, device=device)
    if isinstance(initializer, (int, float, np.ndarray, torch.Tensor)):
        value = initializer
    elif callable(initializer):
        value = initializer(shape, dtype=dtype)
    else:
        raise ValueError("Cannot use %r as a metric variable initializer" % (initializer,))
    return torch.as_tensor(value, dtype=dtype).expand(shape).clone().to(device)
