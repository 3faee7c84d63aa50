"""How ``keras.ops`` functions meet the functional API.

Every public op is wrapped by :func:`keras_op`. Called on tensors it is the plain torch
body (one extra Python call and a type check of the arguments, see ``fast_paths``); called with a
``KerasTensor`` anywhere in its arguments it becomes a node of the functional graph, as
Keras's ``Operation.symbolic_call`` does: an op layer with a unique automatic name
(``add``, ``add_1``, …) whose output specs come from one run on fake tensors.
"""
from __future__ import annotations

import functools
from typing import Callable

from torchkeras.layers.keras_tensor import KerasTensor
from torchkeras.ops.fast_paths import LEAF_TYPES as _LEAF_TYPES, dispatch


def _has_symbolic(values) -> bool:
    for v in values:
        if type(v) in _LEAF_TYPES:
            continue
        if isinstance(v, KerasTensor):
            return True
        if isinstance(v, (list, tuple)):
            if _has_symbolic(v):
                return True
        elif isinstance(v, dict) and _has_symbolic(v.values()):
            return True
    return False


def any_symbolic(args: tuple, kwargs: dict) -> bool:
    """Whether a ``KerasTensor`` appears anywhere in ``args``/``kwargs`` (nested too)."""
    return _has_symbolic(args) or (bool(kwargs) and _has_symbolic(kwargs.values()))


def _split(x, leaves: list):
    """Replaces each KerasTensor in ``x`` by its index in ``leaves`` (appending it)."""
    if isinstance(x, KerasTensor):
        leaves.append(x)
        return _Slot(len(leaves) - 1)
    if isinstance(x, tuple):
        return tuple(_split(v, leaves) for v in x)
    if isinstance(x, list):
        return [_split(v, leaves) for v in x]
    if isinstance(x, dict):
        return {k: _split(v, leaves) for k, v in x.items()}
    return x


def _fill(x, values):
    if isinstance(x, _Slot):
        return values[x.index]
    if isinstance(x, tuple):
        return tuple(_fill(v, values) for v in x)
    if isinstance(x, list):
        return [_fill(v, values) for v in x]
    if isinstance(x, dict):
        return {k: _fill(v, values) for k, v in x.items()}
    return x


class _Slot:
    __slots__ = ("index",)

    def __init__(self, index: int):
        self.index = index


def symbolic_op(fn: Callable, name: str, args: tuple, kwargs: dict):
    """Records ``fn(*args, **kwargs)`` on KerasTensors as a functional-graph node.

    Args:
        fn: The op's tensor body.
        name: Base of the node's automatic name (made unique per session).
        args: Positional arguments, KerasTensors among them.
        kwargs: Keyword arguments.

    Returns:
        KerasTensor(s) shaped like the op's output.
    """
    from torchkeras.layers.core.torch_op import TorchOp
    from torchkeras.layers.layer_utils import unique_name
    leaves: list = []
    template = _split((args, kwargs), leaves)

    def body(tensors):
        a, k = _fill(template, tensors if isinstance(tensors, list) else [tensors])
        return fn(*a, **k)

    layer = TorchOp(body, name=unique_name(name), autocast=False)
    return layer(leaves if len(leaves) > 1 else leaves[0])


def keras_op(fn: Callable | None = None, *, name: str | None = None) -> Callable:
    """Decorates an op's torch body so it also works on ``KerasTensor``s.

    Args:
        fn: The op function (tensors in, tensors out).
        name: Node base name for symbolic calls; the function's name by default.

    Example:
        >>> @keras_op
        ... def square(x):
        ...     return torch.square(convert_to_tensor(x))
    """
    if fn is None:
        return functools.partial(keras_op, name=name)
    op_name = name or fn.__name__.rstrip("_")

    def slow(args: tuple, kwargs: dict):
        if _has_symbolic(args) or (kwargs and _has_symbolic(kwargs.values())):
            return symbolic_op(fn, op_name, args, kwargs)
        return fn(*args, **kwargs)

    # The all-leaves case skips the scan (see fast_paths.dispatch).
    wrapper = functools.wraps(fn)(dispatch(fn, slow))
    wrapper.__wrapped_op__ = fn
    return wrapper
