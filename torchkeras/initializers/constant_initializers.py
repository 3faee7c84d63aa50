"""Deterministic initializers: ``Zeros``, ``Ones``, ``Constant`` and ``Identity``."""
from __future__ import annotations

from typing import Any

import numpy as np
import torch

from torchkeras.initializers.initializer import Initializer, to_dtype, to_shape


class Zeros(Initializer):
    """Fills the tensor with 0 (any numeric or boolean dtype).

    Example:
        >>> Zeros()((2, 3)).sum()
        tensor(0.)
    """

    def __call__(self, shape, dtype=None) -> torch.Tensor:
        return torch.zeros(to_shape(shape), dtype=to_dtype(dtype))


class Ones(Initializer):
    """Fills the tensor with 1 (any numeric or boolean dtype).

    Example:
        >>> Ones()((2,), dtype="int32")
        tensor([1, 1], dtype=torch.int32)
    """

    def __call__(self, shape, dtype=None) -> torch.Tensor:
        return torch.ones(to_shape(shape), dtype=to_dtype(dtype))


class Constant(Initializer):
    """Fills the tensor with one constant value.

    Args:
        value: A Python scalar (or an array broadcastable to the requested shape).

    Example:
        >>> Constant(3.0)((2, 2))
        tensor([[3., 3.], [3., 3.]])
    """

    def __init__(self, value: Any = 0.0):
        if isinstance(value, torch.Tensor):
            value = value.detach().cpu().numpy()
        if isinstance(value, (np.ndarray, np.generic)):
            value = value.tolist()
        self.value = value

    def __call__(self, shape, dtype=None) -> torch.Tensor:
        shape, dtype = to_shape(shape), to_dtype(dtype)
        if isinstance(self.value, (int, float, bool)):
            return torch.full(shape, self.value, dtype=dtype)
        return torch.as_tensor(self.value, dtype=dtype).expand(shape).clone()

    def get_config(self) -> dict[str, Any]:
        return {"value": self.value}

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> "Constant":
        return cls(config.get("value", 0.0))


class Identity(Initializer):
    """A (possibly rectangular) identity matrix times ``gain``; 2D shapes only.

    Args:
        gain: Factor applied to the identity matrix.

    Example:
        >>> Identity(gain=2.0)((2, 3))
        tensor([[2., 0., 0.], [0., 2., 0.]])
    """

    def __init__(self, gain: float = 1.0):
        self.gain = gain

    def __call__(self, shape, dtype=None) -> torch.Tensor:
        shape = to_shape(shape)
        if len(shape) != 2:
            raise ValueError("Identity matrix initializer can only be used for 2D matrices. "
                             "Received: shape=%s of rank %d." % (shape, len(shape)))
        eye = torch.eye(*shape, dtype=to_dtype(dtype))
        return eye if self.gain == 1 else eye.mul_(self.gain)

    def get_config(self) -> dict[str, Any]:
        # Keras 3 reports {} (and so loses a custom gain); we add "gain" only when it
        # differs from the default, so default configs stay identical to Keras's.
        return {} if self.gain == 1.0 else {"gain": self.gain}
