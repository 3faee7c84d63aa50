"""Element-wise unary ops of ``keras.ops.numpy``.

Float-valued functions (``exp``, ``sin``, …) turn integer and bool inputs into floatx, as
Keras does; the rest keep the input dtype.

Example:
    >>> from torchkeras import ops
    >>> ops.exp(ops.arange(3))        # int32 in, float32 out
"""
from __future__ import annotations

from typing import Any, Callable

import torch

from torchkeras.ops.numpy.common import floatx_dtype, tensor, to_float
from torchkeras.ops.symbolic import keras_op

_FLOAT_FNS: dict[str, Callable] = {
    "sqrt": torch.sqrt, "exp": torch.exp, "exp2": torch.exp2, "expm1": torch.expm1,
    "log": torch.log, "log10": torch.log10, "log1p": torch.log1p, "log2": torch.log2,
    "sin": torch.sin, "cos": torch.cos, "tan": torch.tan, "arcsin": torch.asin,
    "arccos": torch.acos, "arctan": torch.atan, "sinh": torch.sinh, "cosh": torch.cosh,
    "tanh": torch.tanh, "arcsinh": torch.asinh, "arccosh": torch.acosh,
    "arctanh": torch.atanh, "deg2rad": torch.deg2rad, "rad2deg": torch.rad2deg,
    "i0": torch.special.i0, "sinc": torch.sinc, "reciprocal": torch.reciprocal,
    "cbrt": lambda x: torch.sign(x) * torch.abs(x).pow(1.0 / 3.0),
}

_SAME_FNS: dict[str, Callable] = {
    "negative": torch.neg,
    "sign": torch.sign, "logical_not": torch.logical_not, "isfinite": torch.isfinite,
    "isinf": torch.isinf, "isnan": torch.isnan, "isneginf": torch.isneginf,
    "isposinf": torch.isposinf, "signbit": torch.signbit,
    "bitwise_not": torch.bitwise_not, "bitwise_invert": torch.bitwise_not,
    "conj": torch.conj_physical, "conjugate": torch.conj_physical,
}


# Keras gives float64 for int64 inputs of these (the others give floatx).
_INT64_TO_F64 = ("deg2rad", "rad2deg", "i0", "cbrt")


def _make(name: str, fn: Callable, as_float: bool) -> Callable:
    if as_float and name in _INT64_TO_F64:
        def op(x: Any) -> torch.Tensor:
            x = tensor(x)
            return fn(x.to(torch.float64) if x.dtype == torch.int64 else to_float(x))
        kind = "Computes ``%s`` element-wise; int64 inputs give float64, other ints floatx."
    elif as_float:
        def op(x: Any) -> torch.Tensor:
            if type(x) is torch.Tensor and x.is_floating_point():
                return fn(x)
            return fn(to_float(tensor(x)))
        kind = "Computes ``%s`` element-wise; integer and bool inputs become floatx."
    else:
        def op(x: Any) -> torch.Tensor:
            return fn(tensor(x))
        kind = "Computes ``%s`` element-wise."
    op.__name__ = op.__qualname__ = name
    op.__doc__ = (kind % name) + (
        "\n\n    Args:\n        x: Input tensor, array or scalar.\n\n    Returns:\n"
        "        A tensor shaped like ``x``.\n\n    Example:\n        >>> ops.%s(x)\n" % name)
    op.__module__ = __name__
    return keras_op(op)


for _name, _fn in _FLOAT_FNS.items():
    globals()[_name] = _make(_name, _fn, True)
for _name, _fn in _SAME_FNS.items():
    globals()[_name] = _make(_name, _fn, False)


def _abs(x: Any) -> torch.Tensor:
    x = tensor(x)
    return x if x.dtype == torch.bool else torch.abs(x)


@keras_op
def abs(x: Any) -> torch.Tensor:  # noqa: A001 - Keras's name
    """Absolute value element-wise (bool stays bool).

    Example:
        >>> ops.abs(x)
    """
    return _abs(x)


@keras_op
def absolute(x: Any) -> torch.Tensor:
    """Same as :func:`abs`."""
    return _abs(x)


@keras_op
def fabs(x: Any) -> torch.Tensor:
    """Absolute value as a float tensor (ints become floatx), like ``np.fabs``."""
    return torch.abs(to_float(tensor(x)))


@keras_op
def square(x: Any) -> torch.Tensor:
    """``x * x``; bool inputs become int32."""
    x = tensor(x)
    if x.dtype == torch.bool:
        x = x.to(torch.int32)
    return torch.square(x)


def _round_like(fn: Callable, name: str) -> Callable:
    def op(x: Any) -> torch.Tensor:
        x = tensor(x)
        if not x.is_floating_point():
            x = x.to(floatx_dtype())
        return fn(x)
    op.__name__ = op.__qualname__ = name
    op.__doc__ = ("``%s`` element-wise; integer inputs become floatx.\n\n    Args:\n"
                  "        x: Input tensor.\n\n    Example:\n        >>> ops.%s(x)\n" % (name, name))
    op.__module__ = __name__
    return keras_op(op)


ceil = _round_like(torch.ceil, "ceil")
floor = _round_like(torch.floor, "floor")


@keras_op
def trunc(x: Any) -> torch.Tensor:
    """Rounds toward zero; integer and bool inputs are returned as they are."""
    x = tensor(x)
    return torch.trunc(x) if x.is_floating_point() else x


@keras_op
def round(x: Any, decimals: int = 0) -> torch.Tensor:  # noqa: A001 - Keras's name
    """Rounds half to even to ``decimals`` places (negative decimals round to tens…).

    Args:
        x: Input tensor.
        decimals: Number of decimal places.

    Example:
        >>> ops.round(x, decimals=1)
    """
    x = tensor(x)
    if x.is_floating_point():
        return torch.round(x, decimals=decimals)
    if decimals >= 0:
        return x
    scale = 10 ** (-decimals)
    return (torch.round(x.to(torch.float64) / scale) * scale).to(x.dtype)


@keras_op
def isreal(x: Any) -> torch.Tensor:
    """Whether each element has no imaginary part."""
    return torch.isreal(tensor(x))


@keras_op
def real(x: Any) -> torch.Tensor:
    """The real part (the input itself for real tensors)."""
    x = tensor(x)
    return torch.real(x) if x.is_complex() else x


@keras_op
def imag(x: Any) -> torch.Tensor:
    """The imaginary part (zeros for real tensors)."""
    x = tensor(x)
    return torch.imag(x) if x.is_complex() else torch.zeros_like(x)


@keras_op
def angle(x: Any) -> torch.Tensor:
    """The complex argument, in radians (ints become floatx)."""
    return torch.angle(to_float(tensor(x)))


@keras_op
def nan_to_num(x: Any, nan: float = 0.0, posinf: float | None = None,
               neginf: float | None = None) -> torch.Tensor:
    """Replaces NaN and infinities by finite numbers.

    Args:
        x: Input tensor.
        nan: Value for NaN.
        posinf: Value for +inf (the dtype's max by default).
        neginf: Value for -inf (the dtype's min by default).

    Example:
        >>> ops.nan_to_num(x, nan=0.0)
    """
    x = tensor(x)
    if not x.is_floating_point():
        return x
    return torch.nan_to_num(x, nan=nan, posinf=posinf, neginf=neginf)


@keras_op
def clip(x: Any, x_min: Any, x_max: Any) -> torch.Tensor:
    """Limits values to ``[x_min, x_max]``; bool inputs become int32.

    Args:
        x: Input tensor.
        x_min: Lower bound (scalar or tensor).
        x_max: Upper bound (scalar or tensor).

    Example:
        >>> ops.clip(x, 0.0, 1.0)
    """
    x = tensor(x)
    if x.dtype == torch.bool:
        x = x.to(torch.int32)
    return torch.clamp(x, min=x_min, max=x_max)


del _name, _fn
__all__ = sorted(list(_FLOAT_FNS) + list(_SAME_FNS) + [
    "abs", "absolute", "fabs", "square", "ceil", "floor", "trunc", "round", "isreal", "real", "imag", "angle",
    "nan_to_num", "clip"])
