"""Resampling helpers of the warping image layers (RandomPerspective,
RandomElasticTransform): homographies from point pairs, and ``F.grid_sample`` at
per-pixel source coordinates with Keras's fill modes.

Pixels are integer points (Keras's convention); ``fill_mode`` follows scipy: ``constant``
(``fill_value`` outside), ``nearest`` (edge pixel), ``reflect`` (``d c b a | a b c d``),
``mirror`` (``c b | a b c d | c b``) and ``wrap`` (``a b c d | a b c d``).

Example:
    >>> h = homography(start, end)                     # (B, 8): output -> input pixels
    >>> xs, ys = apply_homography(h, grid_x, grid_y)
    >>> out = sample_pixels(images_nchw, xs, ys, "bilinear", "constant", 0.0)
"""
from __future__ import annotations

import torch
import torch.nn.functional as F

from torchkeras.layers.preprocessing.affine import grid_sample_filled


def homography(start: torch.Tensor, end: torch.Tensor) -> torch.Tensor:
    """The 8 coefficients ``[a0, a1, a2, b0, b1, b2, c0, c1]`` of the projective map that
    sends each ``end`` point (output pixel) to its ``start`` point (input pixel).

    Args:
        start: ``(B, 4, 2)`` source corners ``(x, y)``.
        end: ``(B, 4, 2)`` destination corners.
    """
    rows, rhs = [], []
    for i in range(4):
        xo, yo = end[:, i, 0].double(), end[:, i, 1].double()
        xi, yi = start[:, i, 0].double(), start[:, i, 1].double()
        z, o = torch.zeros_like(xo), torch.ones_like(xo)
        rows.append(torch.stack([xo, yo, o, z, z, z, -xo * xi, -yo * xi], -1))
        rows.append(torch.stack([z, z, z, xo, yo, o, -xo * yi, -yo * yi], -1))
        rhs += [xi, yi]
    # solve_ex: no singularity check, which would wait for the device on every call.
    return torch.linalg.solve_ex(torch.stack(rows, 1), torch.stack(rhs, 1))[0]


def homography_matrix(coeffs: torch.Tensor) -> torch.Tensor:
    """``(B, 8)`` coefficients -> ``(B, 3, 3)`` matrices (last entry 1)."""
    ones = torch.ones_like(coeffs[:, :1])
    return torch.cat([coeffs, ones], dim=1).view(-1, 3, 3)


def apply_homography(coeffs: torch.Tensor, xs: torch.Tensor, ys: torch.Tensor):
    """Maps points ``(xs, ys)`` (each ``(B, ...)``) through per-image coefficients."""
    view = (-1,) + (1,) * (xs.dim() - 1)
    a0, a1, a2, b0, b1, b2, c0, c1 = (coeffs[:, i].to(xs.dtype).view(view) for i in range(8))
    k = c0 * xs + c1 * ys + 1.0
    return (a0 * xs + a1 * ys + a2) / k, (b0 * xs + b1 * ys + b2) / k


def pixel_grid(height: int, width: int, like: torch.Tensor):
    """``(1, H, W)`` x and y pixel coordinates (float32, on ``like``'s device)."""
    ys = torch.arange(height, device=like.device, dtype=torch.float32)
    xs = torch.arange(width, device=like.device, dtype=torch.float32)
    return xs.view(1, 1, width).expand(1, height, width), \
        ys.view(1, height, 1).expand(1, height, width)


def sample_pixels(images: torch.Tensor, xs: torch.Tensor, ys: torch.Tensor,
                  interpolation: str, fill_mode: str = "constant",
                  fill_value: float = 0.0) -> torch.Tensor:
    """Output pixel ``(i, j)`` of image ``b`` reads the input at ``(xs[b, i, j], ys[b, i, j])``.

    Args:
        images: ``(B, C, H, W)`` tensor (any strides).
        xs: ``(B, H, W)`` source x (column) coordinates, in pixels.
        ys: ``(B, H, W)`` source y (row) coordinates.
        interpolation: ``"bilinear"`` or ``"nearest"``.
        fill_mode: ``"constant"``, ``"nearest"``, ``"reflect"``, ``"mirror"`` or ``"wrap"``.
        fill_value: Value read outside the image with ``"constant"``.
    """
    b, c, h, w = images.shape
    out_dtype = images.dtype
    x = images if images.is_floating_point() else images.float()
    if x.dtype not in (torch.float32, torch.float64) and x.device.type == "cpu":
        x = x.float()
    xs, ys = xs.to(x.dtype), ys.to(x.dtype)
    align = fill_mode == "mirror"
    if align:
        # Reflection about the edge pixels' centres is grid_sample's align_corners=True.
        gx = xs * (2.0 / max(w - 1, 1)) - 1
        gy = ys * (2.0 / max(h - 1, 1)) - 1
    else:
        if fill_mode == "wrap":
            # Coordinates modulo the size, sampled from an image padded circularly by one
            # pixel so that the last-to-first interpolation tap exists.
            xs, ys = torch.remainder(xs, w), torch.remainder(ys, h)
            x = F.pad(x, (0, 1, 0, 1), mode="circular")
            h, w = h + 1, w + 1
        gx = (2 * xs + 1) / w - 1
        gy = (2 * ys + 1) / h - 1
    grid = torch.stack([gx, gy], dim=-1)
    return grid_sample_filled(x, grid, interpolation, fill_mode, fill_value, align, out_dtype)


def _gaussian_kernel(sigma: float, like: torch.Tensor) -> torch.Tensor:
    size = int(6 * sigma) | 1
    r = torch.arange(size, device=like.device, dtype=like.dtype) - (size - 1) / 2
    k = torch.exp(-(r * r) / (2 * sigma * sigma))
    return k / k.sum()


def _band_matrix(n: int, kernel: torch.Tensor) -> torch.Tensor:
    """``(n, n)`` matrix ``M`` with ``M @ v`` = ``kernel`` convolved with ``v`` (zero padding)."""
    half = kernel.shape[0] // 2
    i = torch.arange(n, device=kernel.device)
    offset = i.view(1, n) - i.view(n, 1) + half
    inside = (offset >= 0) & (offset < kernel.shape[0])
    return torch.where(inside, kernel[offset.clamp(0, kernel.shape[0] - 1)],
                       torch.zeros((), dtype=kernel.dtype, device=kernel.device))


def gaussian_smooth(field: torch.Tensor, sigma: float) -> torch.Tensor:
    """Blurs ``(B, C, H, W)`` with a Gaussian of ``sigma`` (kernel ``int(6 sigma) | 1``,
    zero padding), as Keras's ``gaussian_blur`` does.

    Up to 1024 pixels a side the separable blur runs as two banded matrix products
    (``K_h @ x @ K_w``), which BLAS runs far faster than torch's 1-channel grouped
    convolutions on CPU; larger images use the convolutions.
    """
    k = _gaussian_kernel(sigma, field)
    size = k.shape[0]
    if size == 1:
        return field
    h, w = field.shape[-2:]
    if max(h, w) <= 1024:
        # The kernel is symmetric, so the width band is its own transpose.
        return _band_matrix(h, k) @ field @ _band_matrix(w, k)
    c = field.shape[1]
    out = F.conv2d(field, k.view(1, 1, size, 1).expand(c, 1, size, 1), padding=(size // 2, 0),
                   groups=c)
    return F.conv2d(out, k.view(1, 1, 1, size).expand(c, 1, 1, size), padding=(0, size // 2),
                    groups=c)
