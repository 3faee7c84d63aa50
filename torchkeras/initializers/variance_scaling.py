"""``VarianceScaling`` and its named presets (Glorot, He, LeCun).

Fans follow Keras's layout rules: a Dense kernel is ``(in, out)`` and a convolution
kernel ``(*spatial, in, out)``, whatever layout the weight is later stored in.
"""
from __future__ import annotations

import math
from typing import Any, Sequence

import torch

from torchkeras.initializers.random_initializers import (RandomInitializer, sample_normal,
                                                         sample_truncated_normal,
                                                         sample_uniform)

# Standard deviation of a unit normal truncated to [-2, 2]: dividing by it keeps the
# requested variance after truncation.
_TRUNCATED_STDDEV = 0.87962566103423978
_MODES = ("fan_in", "fan_out", "fan_avg")
_DISTRIBUTIONS = ("uniform", "truncated_normal", "untruncated_normal")


def compute_fans(shape: Sequence[int], input_axes: Sequence[int] | None = None,
                 output_axes: Sequence[int] | None = None) -> tuple[int, int]:
    """``(fan_in, fan_out)`` of a weight shape in Keras layout.

    Args:
        shape: The weight shape.
        input_axes: Axes whose product is the fan-in (with ``output_axes``).
        output_axes: Axes whose product is the fan-out (with ``input_axes``).

    Example:
        >>> compute_fans((3, 3, 16, 32))
        (144, 288)
    """
    shape = tuple(int(s) for s in shape)
    if input_axes is not None and output_axes is not None:
        return (int(math.prod(shape[a] for a in input_axes)),
                int(math.prod(shape[a] for a in output_axes)))
    if not shape:
        return 1, 1
    if len(shape) == 1:
        return shape[0], shape[0]
    receptive = math.prod(shape[:-2])
    return shape[-2] * receptive, shape[-1] * receptive


class VarianceScaling(RandomInitializer):
    """Samples with a variance scaled by the weight's fan-in/fan-out.

    Normal distributions use ``stddev = sqrt(scale / n)`` (measured after truncation
    for ``"truncated_normal"``); ``"uniform"`` uses ``[-limit, limit]`` with
    ``limit = sqrt(3 * scale / n)``. ``n`` is the fan-in, fan-out or their mean.

    Args:
        scale: Positive scaling factor.
        mode: ``"fan_in"``, ``"fan_out"`` or ``"fan_avg"``.
        distribution: ``"truncated_normal"`` (alias ``"normal"``), ``"untruncated_normal"``
            or ``"uniform"``.
        seed: Integer making the values deterministic (``None``: torch's global RNG).
        input_axes: Axes counted as inputs when computing the fan-in.
        output_axes: Axes counted as outputs when computing the fan-out.

    Example:
        >>> init = VarianceScaling(scale=0.1, mode="fan_in", distribution="uniform")
        >>> init((64, 32)).shape
        torch.Size([64, 32])
    """

    def __init__(self, scale: float = 1.0, mode: str = "fan_in",
                 distribution: str = "truncated_normal", seed: int | None = None,
                 input_axes: Sequence[int] | None = None,
                 output_axes: Sequence[int] | None = None):
        if not isinstance(scale, (int, float)) or isinstance(scale, bool) or scale <= 0.0:
            raise ValueError("Argument `scale` must be positive float. Received: scale=%r"
                             % (scale,))
        if mode not in _MODES:
            raise ValueError("Invalid `mode` argument: %r. Please use one of %s"
                             % (mode, list(_MODES)))
        distribution = str(distribution).lower()
        if distribution == "normal":
            distribution = "truncated_normal"
        if distribution not in _DISTRIBUTIONS:
            raise ValueError("Invalid `distribution` argument: %r. Please use one of %s"
                             % (distribution, list(_DISTRIBUTIONS)))
        self.scale = scale
        self.mode = mode
        self.distribution = distribution
        self.input_axes = input_axes
        self.output_axes = output_axes
        super().__init__(seed=seed)

    def __call__(self, shape, dtype=None) -> torch.Tensor:
        fan_in, fan_out = compute_fans(shape, self.input_axes, self.output_axes)
        n = {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2.0}[self.mode]
        scale = self.scale / max(1.0, n)
        if self.distribution == "truncated_normal":
            return sample_truncated_normal(shape, 0.0, math.sqrt(scale) / _TRUNCATED_STDDEV,
                                           dtype, self.seed)
        if self.distribution == "untruncated_normal":
            return sample_normal(shape, 0.0, math.sqrt(scale), dtype, self.seed)
        limit = math.sqrt(3.0 * scale)
        return sample_uniform(shape, -limit, limit, dtype, self.seed)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "scale": self.scale, "mode": self.mode,
                "distribution": self.distribution, "input_axes": self.input_axes,
                "output_axes": self.output_axes}


class _Preset(VarianceScaling):
    """A VarianceScaling whose scale/mode/distribution are fixed by the class."""

    _scale = 1.0
    _mode = "fan_in"
    _distribution = "truncated_normal"

    def __init__(self, seed: int | None = None, input_axes: Sequence[int] | None = None,
                 output_axes: Sequence[int] | None = None):
        super().__init__(scale=self._scale, mode=self._mode, distribution=self._distribution,
                         seed=seed, input_axes=input_axes, output_axes=output_axes)

    def get_config(self) -> dict[str, Any]:
        return {"seed": self.seed, "input_axes": self.input_axes,
                "output_axes": self.output_axes}


class GlorotUniform(_Preset):
    """Glorot (Xavier) uniform: ``U(-limit, limit)``, ``limit = sqrt(6 / (fan_in + fan_out))``.

    Args:
        seed: Integer making the values deterministic (``None``: torch's global RNG).
        input_axes: Axes counted as inputs for the fan-in.
        output_axes: Axes counted as outputs for the fan-out.

    Example:
        >>> GlorotUniform(seed=0)((784, 10)).abs().max() <= (6 / 794) ** 0.5
        tensor(True)
    """

    _mode, _distribution = "fan_avg", "uniform"


class GlorotNormal(_Preset):
    """Glorot (Xavier) normal: truncated normal with ``stddev = sqrt(2 / (fan_in + fan_out))``.

    Args:
        seed: Integer making the values deterministic (``None``: torch's global RNG).
        input_axes: Axes counted as inputs for the fan-in.
        output_axes: Axes counted as outputs for the fan-out.

    Example:
        >>> GlorotNormal(seed=0)((64, 64)).shape
        torch.Size([64, 64])
    """

    _mode, _distribution = "fan_avg", "truncated_normal"


class HeNormal(_Preset):
    """He normal: truncated normal with ``stddev = sqrt(2 / fan_in)``.

    Args:
        seed: Integer making the values deterministic (``None``: torch's global RNG).
        input_axes: Axes counted as inputs for the fan-in.
        output_axes: Axes counted as outputs for the fan-out.

    Example:
        >>> HeNormal(seed=0)((3, 3, 16, 32)).shape
        torch.Size([3, 3, 16, 32])
    """

    _scale, _mode, _distribution = 2.0, "fan_in", "truncated_normal"


class HeUniform(_Preset):
    """He uniform: ``U(-limit, limit)`` with ``limit = sqrt(6 / fan_in)``.

    Args:
        seed: Integer making the values deterministic (``None``: torch's global RNG).
        input_axes: Axes counted as inputs for the fan-in.
        output_axes: Axes counted as outputs for the fan-out.

    Example:
        >>> HeUniform(seed=0)((3, 3, 16, 32)).shape
        torch.Size([3, 3, 16, 32])
    """

    _scale, _mode, _distribution = 2.0, "fan_in", "uniform"


class LecunNormal(_Preset):
    """LeCun normal: truncated normal with ``stddev = sqrt(1 / fan_in)`` (for SELU nets).

    Args:
        seed: Integer making the values deterministic (``None``: torch's global RNG).
        input_axes: Axes counted as inputs for the fan-in.
        output_axes: Axes counted as outputs for the fan-out.

    Example:
        >>> LecunNormal(seed=0)((128, 64)).shape
        torch.Size([128, 64])
    """

    _scale, _mode, _distribution = 1.0, "fan_in", "truncated_normal"


class LecunUniform(_Preset):
    """LeCun uniform: ``U(-limit, limit)`` with ``limit = sqrt(3 / fan_in)``.

    Args:
        seed: Integer making the values deterministic (``None``: torch's global RNG).
        input_axes: Axes counted as inputs for the fan-in.
        output_axes: Axes counted as outputs for the fan-out.

    Example:
        >>> LecunUniform(seed=0)((128, 64)).shape
        torch.Size([128, 64])
    """

    _scale, _mode, _distribution = 1.0, "fan_in", "uniform"
