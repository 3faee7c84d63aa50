"""Batched affine resampling with Keras's fill modes, on ``F.affine_grid``/``F.grid_sample``.

Keras (``keras.ops.image.affine_transform``) maps each output pixel ``(x, y)`` to the input
point ``(a0 x + a1 y + a2, b0 x + b1 y + b2)`` and interpolates there, treating pixels as
integer points and filling outside points per ``fill_mode`` (scipy's conventions):

- ``constant``: every interpolation tap outside the image reads ``fill_value``;
- ``nearest``: taps are clamped to the border pixel;
- ``reflect``: ``d c b a | a b c d | d c b a`` (reflection about the pixel edges);
- ``wrap``: ``a b c d | a b c d | a b c d``.

The same results come from ``grid_sample(align_corners=False)`` once the grid is built in
torch's normalized coordinates: ``zeros`` padding is ``constant`` (shifted by the fill
value), ``border`` is ``nearest`` and ``reflection`` is ``reflect``; ``wrap`` takes the
coordinates modulo the size and samples an image padded circularly by one pixel, so the
last-to-first interpolation tap exists.
"""
from __future__ import annotations

import torch
import torch.nn.functional as F

FILL_MODES = ("reflect", "wrap", "constant", "nearest")
INTERPOLATIONS = ("nearest", "bilinear")
_PADDING = {"constant": "zeros", "nearest": "border", "reflect": "reflection",
            "wrap": "border", "mirror": "reflection"}


def pixel_matrix_to_theta(matrix: torch.Tensor, height: int, width: int) -> torch.Tensor:
    """Keras's ``(B, 6)`` (or ``(B, 8)``) pixel-space transforms -> ``(B, 2, 3)`` thetas.

    ``theta`` maps normalized output coordinates (``align_corners=False``) to normalized
    input coordinates, as ``F.affine_grid`` expects.
    """
    m = matrix.to(torch.float32)
    a0, a1, a2, b0, b1, b2 = m[:, :6].unbind(1)
    h, w = float(height), float(width)
    theta = torch.stack([
        a0, a1 * (h / w), (a0 * (w - 1) + a1 * (h - 1) + 2 * a2 + 1) / w - 1,
        b0 * (w / h), b1, (b0 * (w - 1) + b1 * (h - 1) + 2 * b2 + 1) / h - 1], dim=1)
    return theta.view(-1, 2, 3)


def affine_grid(theta: torch.Tensor, height: int, width: int, dtype: torch.dtype) -> torch.Tensor:
    """``F.affine_grid(theta, align_corners=False)`` built by broadcasting: a row term and a
    column term per output coordinate, broadcast-summed into the grid (on CPU this is
    several times faster than the batched matmul ``F.affine_grid`` runs)."""
    b, dev = theta.shape[0], theta.device
    theta = theta.to(dtype)
    u = torch.arange(width, device=dev, dtype=dtype).mul_(2.0 / width).add_(1.0 / width - 1)
    v = torch.arange(height, device=dev, dtype=dtype).mul_(2.0 / height).add_(1.0 / height - 1)
    t0, t1, t2 = (theta[:, :, j].reshape(b, 2, 1, 1) for j in range(3))
    row = torch.addcmul(t2, t0, u.view(1, 1, 1, width))      # (B, 2, 1, W)
    col = t1 * v.view(1, 1, height, 1)                       # (B, 2, H, 1)
    # Summed planar (B, 2, H, W) and viewed as (B, H, W, 2): grid_sample takes the strided
    # grid, and writing planes vectorizes far better than interleaved pairs.
    grid = (row + col).permute(0, 2, 3, 1)
    return grid


def _wrap_coordinate(g: torch.Tensor, size: int) -> torch.Tensor:
    # normalized over `size` -> pixel -> modulo size -> normalized over `size + 1`
    pixel = torch.remainder((g + 1) * (size / 2) - 0.5, size)
    return (2 * pixel + 1) / (size + 1) - 1


def affine_transform(images: torch.Tensor, theta: torch.Tensor, interpolation: str = "bilinear",
                     fill_mode: str = "constant", fill_value: float = 0.0) -> torch.Tensor:
    """Resamples an NCHW batch through per-image affine maps.

    Args:
        images: ``(B, C, H, W)`` float tensor (any strides, e.g. a permuted NHWC batch).
        theta: ``(B, 2, 3)`` maps from normalized output to normalized input coordinates.
        interpolation: ``"bilinear"`` or ``"nearest"``.
        fill_mode: ``"constant"``, ``"nearest"``, ``"reflect"`` or ``"wrap"``.
        fill_value: Value read outside the image when ``fill_mode="constant"``.

    Returns:
        ``(B, C, H, W)`` tensor of the same dtype.

    Example:
        >>> theta = torch.eye(2, 3).expand(4, 2, 3)
        >>> affine_transform(torch.rand(4, 3, 8, 8), theta).shape
        torch.Size([4, 3, 8, 8])
    """
    b, c, h, w = images.shape
    out_dtype = images.dtype
    x = images
    if x.dtype not in (torch.float32, torch.float64) and x.device.type == "cpu":
        x = x.float()
    grid = affine_grid(theta, h, w, x.dtype)
    if fill_mode == "wrap":
        gx, gy = grid.unbind(-1)
        grid = torch.stack([_wrap_coordinate(gx, w), _wrap_coordinate(gy, h)], dim=-1)
        x = F.pad(x, (0, 1, 0, 1), mode="circular")
    return grid_sample_filled(x, grid, interpolation, fill_mode, fill_value, False, out_dtype)


def grid_sample_filled(x: torch.Tensor, grid: torch.Tensor, interpolation: str,
                       fill_mode: str, fill_value: float, align_corners: bool,
                       out_dtype: torch.dtype) -> torch.Tensor:
    """``F.grid_sample`` with a Keras ``fill_mode`` whose grid (and, for ``"wrap"``, padded
    image) the caller has prepared; the result is cast to ``out_dtype``.

    A non-zero ``fill_value`` is read as zero padding of the image shifted by it, so taps
    outside the image read exactly ``fill_value``.

    Args:
        x: ``(B, C, H, W)`` float tensor.
        grid: ``(B, H_out, W_out, 2)`` normalized sampling points.
        interpolation: ``"bilinear"`` or ``"nearest"``.
        fill_mode: ``"constant"``, ``"nearest"``, ``"reflect"``, ``"mirror"`` or ``"wrap"``.
        fill_value: Value read outside the image with ``"constant"``.
        align_corners: Passed to ``F.grid_sample``.
        out_dtype: dtype of the result.

    Example:
        >>> grid = F.affine_grid(torch.eye(2, 3)[None], (1, 1, 4, 4), align_corners=False)
        >>> grid_sample_filled(torch.rand(1, 1, 4, 4), grid, "bilinear", "constant", 0.5,
        ...                    False, torch.float32).shape
        torch.Size([1, 1, 4, 4])
    """
    shift = fill_mode == "constant" and fill_value != 0
    if shift:
        x = x - fill_value
    out = F.grid_sample(x, grid, mode=interpolation, padding_mode=_PADDING[fill_mode],
                        align_corners=align_corners)
    if shift:
        out = out + fill_value
    return out if out.dtype == out_dtype else out.to(out_dtype)


def check_fill_and_interpolation(layer_name: str, fill_mode: str, interpolation: str) -> None:
    if fill_mode not in FILL_MODES:
        raise NotImplementedError("%s: unknown `fill_mode` %r. Expected one of %s."
                                  % (layer_name, fill_mode, FILL_MODES))
    if interpolation not in INTERPOLATIONS:
        raise NotImplementedError("%s: unknown `interpolation` %r. Expected one of %s."
                                  % (layer_name, interpolation, INTERPOLATIONS))
