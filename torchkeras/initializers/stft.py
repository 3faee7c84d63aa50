"""``STFT``: convolution kernels computing one side of a short-time Fourier transform."""
from __future__ import annotations

import math
from typing import Any, Sequence

import torch

from torchkeras.initializers.initializer import Initializer, to_dtype, to_shape

# Windows torch can build itself (scipy.signal.get_window names).
_WINDOWS = {
    "hann": torch.hann_window, "hanning": torch.hann_window,
    "hamming": torch.hamming_window, "blackman": torch.blackman_window,
    "bartlett": torch.bartlett_window,
    "boxcar": lambda n, periodic=False, dtype=None: torch.ones(n, dtype=dtype),
}
_WINDOWS["rect"] = _WINDOWS["ones"] = _WINDOWS["rectangular"] = _WINDOWS["boxcar"]


def _window(window: str | Sequence[float], length: int, periodic: bool) -> torch.Tensor:
    if isinstance(window, str):
        return _WINDOWS[window](length, periodic=periodic, dtype=torch.float64)
    win = torch.as_tensor(window, dtype=torch.float64)
    if win.ndim != 1 or win.shape[0] != length:
        raise ValueError("The shape of `window` must be equal to [frame_length]. "
                         "Received: window shape=%s" % (tuple(win.shape),))
    return win


class STFT(Initializer):
    """Kernels of shape ``(frame_length, 1, fft_length // 2 + 1)`` whose convolution
    gives the real or imaginary part of an STFT (used by ``STFTSpectrogram``).

    Args:
        side: ``"real"`` (cosine kernels) or ``"imag"`` (sine kernels).
        window: Window name (``"hann"``, ``"hamming"``, ``"blackman"``, ``"bartlett"``,
            ``"boxcar"``), the window values, or ``None``.
        scaling: ``"density"`` (L2 normalisation of the window), ``"spectrum"`` (L1)
            or ``None``.
        periodic: Whether the window is periodic (else symmetric).

    Example:
        >>> STFT("real", "hann")((16, 1, 9)).shape
        torch.Size([16, 1, 9])
    """

    def __init__(self, side: str = "real", window: str | Sequence[float] | None = "hann",
                 scaling: str | None = "density", periodic: bool = False):
        if side not in ("real", "imag"):
            raise ValueError("side should be 'real' or 'imag', not %r" % (side,))
        if isinstance(window, str) and window not in _WINDOWS:
            raise ValueError("Unknown window %r; expected one of %s or the window values"
                             % (window, sorted(_WINDOWS)))
        if scaling is not None and scaling not in ("density", "spectrum"):
            raise ValueError("Scaling is invalid, it must be `None`, 'density' or 'spectrum'. "
                             "Received scaling=%r" % (scaling,))
        self.side = side
        self.window = window
        self.scaling = scaling
        self.periodic = periodic

    def __call__(self, shape, dtype=None) -> torch.Tensor:
        shape, dtype = to_shape(shape), to_dtype(dtype)
        if len(shape) != 3:
            raise ValueError("STFT expects a kernel shape (frame_length, channels, bins), "
                             "got %s" % (shape,))
        frame_length, _, bins = shape
        full = (bins - 1) * 2
        freq = torch.arange(bins, dtype=torch.float64).reshape(1, 1, bins) / full
        time = torch.arange(frame_length, dtype=torch.float64).reshape(frame_length, 1, 1)
        angle = -2.0 * math.pi * time * freq
        kernel = torch.cos(angle) if self.side == "real" else torch.sin(angle)
        if self.window is not None:
            win = _window(self.window, frame_length, self.periodic).reshape(frame_length, 1, 1)
            norm = 1.0
            if self.scaling == "density":
                norm = win.square().sum().sqrt()
            elif self.scaling == "spectrum":
                norm = win.abs().sum()
            kernel = kernel * win / norm
        return kernel.expand(shape).to(dtype).contiguous()

    def get_config(self) -> dict[str, Any]:
        return {"side": self.side, "window": self.window, "periodic": self.periodic,
                "scaling": self.scaling}
