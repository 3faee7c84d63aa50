"""Element-wise binary ops of ``keras.ops.numpy`` (broadcasting, Keras promotion).

Python numbers act as weak scalars: ``int8_tensor + 1`` stays ``int8`` and
``int32_tensor * 0.5`` is floatx, as in Keras.

Example:
    >>> from torchkeras import ops
    >>> ops.add(x, 1.0)
"""
from __future__ import annotations

from typing import Any, Callable

import torch

from torchkeras.ops.numpy.common import (pair, pair_tensors, promote, promote_narrow,
                                         tensor, to_float)
from torchkeras.ops.symbolic import keras_op

_Tensor = torch.Tensor
# Dtypes Keras narrows to 32 bits in result_type (so a same-dtype pair still needs a cast).
_WIDE_DTYPES = (torch.float64, torch.int64, torch.uint64, torch.complex128)

_DOC = ("``%s`` of ``x1`` and ``x2``, element-wise with broadcasting.\n\n    Args:\n"
        "        x1: First operand (tensor, array or scalar).\n        x2: Second operand.\n\n"
        "    Returns:\n        A tensor of the broadcast shape.\n\n    Example:\n"
        "        >>> ops.%s(x1, x2)\n")

# torch functions with a Scalar overload: a Python number goes straight in (weak).
_PLAIN: dict[str, Callable] = {
    "add": torch.add, "multiply": torch.mul,
    "equal": torch.eq, "not_equal": torch.ne, "greater": torch.gt,
    "greater_equal": torch.ge, "less": torch.lt, "less_equal": torch.le,
    "bitwise_and": torch.bitwise_and,
    "bitwise_or": torch.bitwise_or, "bitwise_xor": torch.bitwise_xor,
    "bitwise_left_shift": torch.bitwise_left_shift, "left_shift": torch.bitwise_left_shift,
    "bitwise_right_shift": torch.bitwise_right_shift,
    "right_shift": torch.bitwise_right_shift,
    "mod": torch.remainder, "fmod": torch.fmod,
    "power": torch.pow,
}

# torch functions that take tensors only: numbers become 0-d tensors first (as in Keras).
_TENSOR: dict[str, Callable] = {
    "logical_and": torch.logical_and,
    "logical_or": torch.logical_or, "logical_xor": torch.logical_xor, "gcd": torch.gcd,
    "lcm": torch.lcm,
}

# Ops whose Keras result is result_type of the inputs, 64-bit narrowing included.
_NARROW: dict[str, Callable] = {
    "maximum": torch.maximum, "minimum": torch.minimum, "floor_divide": torch.floor_divide,
}

_FLOAT: dict[str, Callable] = {
    "divide": torch.true_divide, "true_divide": torch.true_divide,
}

_FLOAT_NARROW: dict[str, Callable] = {
    "arctan2": torch.atan2, "hypot": torch.hypot, "logaddexp": torch.logaddexp,
    "logaddexp2": torch.logaddexp2, "nextafter": torch.nextafter,
}


def _make(name: str, fn: Callable, mode: str) -> Callable:
    if mode == "plain":
        def op(x1: Any, x2: Any) -> torch.Tensor:
            # Fast path (no helper call) for the common tensor-tensor case.
            if type(x1) is _Tensor and type(x2) is _Tensor:
                return fn(x1, x2)
            a, b = pair(x1, x2)
            if not isinstance(a, torch.Tensor) and not isinstance(b, torch.Tensor):
                a, b = pair_tensors(a, b)
            return fn(a, b)
    elif mode == "tensor":
        def op(x1: Any, x2: Any) -> torch.Tensor:
            a, b = pair_tensors(x1, x2)
            return fn(a, b)
    elif mode == "narrow":
        def op(x1: Any, x2: Any) -> torch.Tensor:
            # Fast path: two plain tensors of one 32-bit-or-narrower dtype need no casts.
            if type(x1) is _Tensor and type(x2) is _Tensor and x1.dtype == x2.dtype \
                    and x1.dtype not in _WIDE_DTYPES:
                return fn(x1, x2)
            a, b = promote_narrow(x1, x2)
            return fn(a, b)
    elif mode == "float_narrow":
        def op(x1: Any, x2: Any) -> torch.Tensor:
            a, b = promote_narrow(x1, x2)
            return fn(to_float(a), to_float(b))
    else:
        def op(x1: Any, x2: Any) -> torch.Tensor:
            if isinstance(x1, torch.Tensor) and isinstance(x2, torch.Tensor) and \
                    x1.dtype == x2.dtype and x1.is_floating_point():
                return fn(x1, x2)
            a, b = promote(x1, x2)
            return fn(to_float(a), to_float(b))
    op.__name__ = op.__qualname__ = name
    op.__doc__ = _DOC % (name, name)
    op.__module__ = __name__
    return keras_op(op)


for _name, _fn in _PLAIN.items():
    globals()[_name] = _make(_name, _fn, "plain")
for _name, _fn in _TENSOR.items():
    globals()[_name] = _make(_name, _fn, "tensor")
for _name, _fn in _NARROW.items():
    globals()[_name] = _make(_name, _fn, "narrow")
for _name, _fn in _FLOAT.items():
    globals()[_name] = _make(_name, _fn, "float")
for _name, _fn in _FLOAT_NARROW.items():
    globals()[_name] = _make(_name, _fn, "float_narrow")


@keras_op
def subtract(x1: Any, x2: Any) -> torch.Tensor:
    """``x1 - x2`` element-wise; a bool operand takes the other's dtype (as in Keras).

    Example:
        >>> ops.subtract(x, 1.0)
    """
    a, b = pair(x1, x2)
    if not isinstance(a, torch.Tensor) and not isinstance(b, torch.Tensor):
        a, b = pair_tensors(a, b)
    if isinstance(a, torch.Tensor) and isinstance(b, torch.Tensor):
        if a.dtype == torch.bool:
            a = a.to(b.dtype)
        if b.dtype == torch.bool:
            b = b.to(a.dtype)
    return torch.sub(a, b)


@keras_op
def divide_no_nan(x1: Any, x2: Any) -> torch.Tensor:
    """``x1 / x2``, with 0 where ``x2 == 0``.

    Args:
        x1: Numerator.
        x2: Denominator.

    Example:
        >>> ops.divide_no_nan(x, y)
    """
    a, b = promote_narrow(x1, x2)
    a, b = to_float(a), to_float(b)
    zero = b == 0
    return torch.where(zero, torch.zeros((), dtype=a.dtype, device=a.device),
                       a / torch.where(zero, torch.ones_like(b), b))


def _fminmax(x1: Any, x2: Any, pick: Callable) -> torch.Tensor:
    a, b = promote_narrow(x1, x2)
    if a.is_floating_point():
        return pick(a, b)
    return torch.maximum(a, b) if pick is torch.fmax else torch.minimum(a, b)


@keras_op
def fmax(x1: Any, x2: Any) -> torch.Tensor:
    """Element-wise maximum that ignores NaN (NaN only where both are NaN)."""
    return _fminmax(x1, x2, torch.fmax)


@keras_op
def fmin(x1: Any, x2: Any) -> torch.Tensor:
    """Element-wise minimum that ignores NaN (NaN only where both are NaN)."""
    return _fminmax(x1, x2, torch.fmin)


@keras_op
def heaviside(x1: Any, x2: Any) -> torch.Tensor:
    """Step function: 0 below zero, ``x2`` at zero, 1 above (ints become floatx)."""
    a, b = promote_narrow(x1, x2)
    if not a.is_floating_point():
        a, b = to_float(a), to_float(b)
    return torch.heaviside(a, b)


@keras_op
def ldexp(x1: Any, x2: Any) -> torch.Tensor:
    """``x1 * 2 ** x2``; ``x2`` must be an integer tensor.

    Raises:
        TypeError: If ``x2`` is not of integer dtype.
    """
    a, b = tensor(x1), tensor(x2)
    if b.is_floating_point() or b.dtype == torch.bool:
        raise TypeError("ldexp: x2 must be an integer tensor, got %s" % b.dtype)
    a = to_float(a)
    return a * torch.pow(torch.tensor(2.0, dtype=a.dtype, device=a.device), b)


@keras_op
def isclose(x1: Any, x2: Any, rtol: float = 1e-05, atol: float = 1e-08,
            equal_nan: bool = False) -> torch.Tensor:
    """``|x1 - x2| <= atol + rtol * |x2|`` element-wise (bool tensor).

    Args:
        x1: First tensor.
        x2: Second tensor.
        rtol: Relative tolerance.
        atol: Absolute tolerance.
        equal_nan: Whether NaNs compare equal.

    Example:
        >>> ops.isclose(x, y, atol=1e-6)
    """
    a, b = promote(x1, x2)
    return torch.isclose(a, b, rtol=rtol, atol=atol, equal_nan=equal_nan)


@keras_op
def allclose(x1: Any, x2: Any, rtol: float = 1e-05, atol: float = 1e-08,
             equal_nan: bool = False) -> torch.Tensor:
    """Whether all elements are close (a 0-d bool tensor); see :func:`isclose`."""
    a, b = promote(x1, x2)
    return torch.all(torch.isclose(a, b, rtol=rtol, atol=atol, equal_nan=equal_nan))


@keras_op
def where(condition: Any, x1: Any = None, x2: Any = None):
    """Picks ``x1`` where ``condition`` holds, else ``x2``; with neither, ``nonzero``.

    Args:
        condition: Bool tensor (other dtypes are tested against zero).
        x1: Values where true.
        x2: Values where false.

    Raises:
        ValueError: If only one of ``x1``, ``x2`` is given.

    Example:
        >>> ops.where(x > 0, x, 0.0)
    """
    if (x1 is None) != (x2 is None):
        raise ValueError("where: `x1` and `x2` must be given together (or neither).")
    cond = tensor(condition)
    if cond.dtype != torch.bool:
        cond = cond != 0
    if x1 is None:
        return torch.nonzero(cond).T   # int64, as Keras on torch gives
    a, b = promote(x1, x2)
    return torch.where(cond, a, b)


@keras_op
def select(condlist: list, choicelist: list, default: Any = 0) -> torch.Tensor:
    """The first choice whose condition holds, element-wise, else ``default``.

    Args:
        condlist: List of bool tensors.
        choicelist: List of tensors, as long as ``condlist``.
        default: Value where no condition holds.

    Raises:
        ValueError: If the lists differ in length or are empty.

    Example:
        >>> ops.select([x < 0, x > 0], [-x, x], 0)
    """
    if not isinstance(condlist, (list, tuple)) or not isinstance(choicelist, (list, tuple)):
        raise ValueError("select: condlist and choicelist must be lists.")
    if len(condlist) != len(choicelist) or not condlist:
        raise ValueError("select: condlist and choicelist must be non-empty and of equal "
                         "length, got %d and %d" % (len(condlist), len(choicelist)))
    choices = promote(*choicelist)
    out = tensor(default, choices[0].dtype).to(choices[0].device)
    for cond, choice in zip(reversed(condlist), reversed(choices)):
        out = torch.where(tensor(cond), choice, out)
    return out


del _name, _fn
__all__ = sorted(list(_PLAIN) + list(_TENSOR) + list(_NARROW) + list(_FLOAT)
                 + list(_FLOAT_NARROW) + [
    "subtract", "divide_no_nan", "fmax", "fmin", "heaviside", "ldexp", "isclose", "allclose", "where",
    "select"])
