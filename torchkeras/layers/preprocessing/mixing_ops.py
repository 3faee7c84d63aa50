"""Random draws shared by the mixing/erasing image layers: Beta samples from a seeded
``torch.Generator`` and per-image random rectangles as pixel masks.

Example:
    >>> lam = sample_beta((8,), 0.2, gen, device)
    >>> mask = rectangle_mask(x0, x1, y0, y1, 32, 32)   # (8, 32, 32) bool
"""
from __future__ import annotations

import torch

_CANDIDATES = 8


def _log_gamma_sample(shape, alpha: torch.Tensor, generator, device) -> torch.Tensor:
    """``log`` of Gamma(alpha, 1) draws, by Marsaglia-Tsang on ``alpha + 1`` and the boost
    ``G(a) = G(a + 1) * U ** (1 / a)``, all in log space (tiny ``alpha`` stays finite).

    torch's own Gamma sampler takes no generator; this one draws only uniforms/normals from
    ``generator``, with a fixed number of vectorized candidates (each accepted with
    probability > 0.95, so all 8 failing has probability < 1e-10; the last is then used).
    """
    a = alpha.to(torch.float32) + 1.0
    d = a - 1.0 / 3.0
    c = 1.0 / torch.sqrt(9.0 * d)
    z = torch.randn((_CANDIDATES,) + tuple(shape), generator=generator, device=device)
    u = torch.rand((_CANDIDATES,) + tuple(shape), generator=generator, device=device)
    v = (1.0 + c * z) ** 3
    vpos = v.clamp_min(1e-30)
    accept = (v > 0) & (torch.log(u) < 0.5 * z * z + d - d * vpos + d * torch.log(vpos))
    accept[-1] = True
    first = accept.to(torch.float32).argmax(dim=0, keepdim=True)
    log_g1 = torch.log(d * torch.gather(vpos, 0, first).squeeze(0))
    boost = torch.rand(tuple(shape), generator=generator, device=device)
    return log_g1 + torch.log(boost.clamp_min(1e-30)) / alpha.to(torch.float32)


def sample_beta(shape, alpha, generator, device) -> torch.Tensor:
    """Beta(alpha, alpha) draws (float32) of ``shape`` on ``device``.

    Args:
        shape: Output shape.
        alpha: Python number or tensor broadcastable to ``shape`` (> 0).
        generator: ``torch.Generator`` on ``device``, or None for torch's global RNG.
        device: Device of the draws.
    """
    alpha = torch.as_tensor(alpha, dtype=torch.float32, device=device)
    ga = _log_gamma_sample(shape, alpha, generator, device)
    gb = _log_gamma_sample(shape, alpha, generator, device)
    return torch.sigmoid(ga - gb)


def rectangle_mask(x0: torch.Tensor, x1: torch.Tensor, y0: torch.Tensor, y1: torch.Tensor,
                   height: int, width: int) -> torch.Tensor:
    """``(B, H, W)`` bool masks of the pixels ``x0 <= x < x1`` and ``y0 <= y < y1``."""
    dev = x0.device
    xs = torch.arange(width, device=dev, dtype=x0.dtype).view(1, 1, width)
    ys = torch.arange(height, device=dev, dtype=y0.dtype).view(1, height, 1)
    in_x = (xs >= x0.view(-1, 1, 1)) & (xs < x1.view(-1, 1, 1))
    in_y = (ys >= y0.view(-1, 1, 1)) & (ys < y1.view(-1, 1, 1))
    return in_x & in_y


def random_window(length: int, ratio: torch.Tensor, uniform: torch.Tensor):
    """Start/end of a window ``ratio * length`` long at a uniform position (Keras's way)."""
    size = ratio * length
    start = uniform * (length - size)
    return start, start + size
