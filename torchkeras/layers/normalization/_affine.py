"""The affine pair handed to torch's fused normalization kernels."""
from __future__ import annotations

import torch


def fused_affine(weight: torch.Tensor | None, bias: torch.Tensor | None):
    """``(weight, bias)`` for ``F.batch_norm``/``F.group_norm``/``F.layer_norm``.

    With ``scale=False, center=True`` the weight is absent but the bias is not. The CUDA
    backward kernels mishandle that pair (an empty bias gradient, or "tensor does not
    have a device"), so off the CPU a constant unit scale stands in: same numbers, and the
    bias gets its gradient.
    """
    if weight is None and bias is not None and bias.device.type != "cpu":
        weight = torch.ones_like(bias, requires_grad=False)
    return weight, bias
