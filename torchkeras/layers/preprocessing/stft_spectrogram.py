"""STFTSpectrogram: spectrograms of 1D signals, with (optionally trainable) DFT kernels."""
from __future__ import annotations

import math
import warnings
from typing import Sequence

import torch
import torch.nn.functional as F

from torchkeras import config as _config
from torchkeras.initializers import STFT
from torchkeras.layers.layer import Layer
from torchkeras.layers.preprocessing.spectrogram_utils import check_positive_int, window_config

_MODES = ("log", "magnitude", "psd", "real", "imag", "angle", "stft")


class STFTSpectrogram(Layer):
    """Short-time Fourier transform of each channel of a 1D signal, as a spectrogram.

    As in Keras the transform is two weights, ``real_kernel`` and ``imag_kernel`` of shape
    ``(frame_length, 1, fft_length // 2 + 1)`` (windowed cosine / sine kernels of the
    ``STFT`` initializer), applied as a strided convolution, so they can be fine-tuned
    with the rest of a model. When the kernels are frozen (``trainable=False``, the usual
    preprocessing use) and still hold their initial values, the layer computes the same
    numbers with ``torch.stft`` instead (an FFT). Frozen kernels changed in place through
    ``.data`` (bypassing ``set_weights`` / ``assign`` / ``load_state_dict``) are not
    noticed.

    Args:
        mode: Output: ``"log"`` (log magnitude), ``"magnitude"``, ``"psd"`` (power
            spectral density), ``"real"``, ``"imag"``, ``"angle"`` or ``"stft"`` (real
            and imaginary parts concatenated on the frequency axis).
        frame_length: Samples per frame (window length).
        frame_step: Hop between frames; ``None`` is ``frame_length // 2``.
        fft_length: FFT size (>= ``frame_length``); ``None`` is the smallest power of two
            >= ``frame_length``.
        window: ``"hann"``, ``"hamming"`` (or another window of the ``STFT`` initializer),
            the window values, or ``None``.
        periodic: Periodic (else symmetric) window.
        scaling: ``"density"`` (window L2-normalised), ``"spectrum"`` (L1) or ``None``.
        padding: ``"valid"`` or ``"same"`` (as a convolution with stride ``frame_step``).
        expand_dims: Keep channels as their own axis (an image-like 4D output).
        data_format: ``"channels_last"`` (``(batch, time, channels)``) or
            ``"channels_first"``; ``None`` is ``keras.config.image_data_format()``.

    Output shape, with ``T`` frames and ``F = fft_length // 2 + 1`` bins (``2F`` for
    ``"stft"``): ``(batch, T, channels * F)`` (channels_last) or ``(batch, channels * F,
    T)`` (channels_first); with ``expand_dims``, ``(batch, T, F, channels)`` or
    ``(batch, channels, T, F)``.

    Example:
        >>> layer = STFTSpectrogram(frame_length=256, frame_step=128, fft_length=512)
        >>> layer(torch.rand(3, 16000, 1)).shape
        torch.Size([3, 124, 257])
    """

    def __init__(self, mode: str = "log", frame_length: int = 256, frame_step: int | None = None,
                 fft_length: int | None = None, window: str | Sequence[float] | None = "hann",
                 periodic: bool = False, scaling: str | None = "density",
                 padding: str = "valid", expand_dims: bool = False,
                 data_format: str | None = None, **kwargs):
        check_positive_int("STFTSpectrogram", "frame_length", frame_length)
        if frame_step is not None:
            check_positive_int("STFTSpectrogram", "frame_step", frame_step)
            if frame_step > frame_length:
                raise ValueError("`frame_step` should be a positive integer not greater than "
                                 "`frame_length`. Received frame_step=%r, frame_length=%r"
                                 % (frame_step, frame_length))
        elif frame_length < 2:
            raise ValueError("STFTSpectrogram: `frame_length`=%d gives a default frame_step "
                             "of 0; pass `frame_step`." % frame_length)
        if fft_length is not None:
            check_positive_int("STFTSpectrogram", "fft_length", fft_length)
            if fft_length < frame_length:
                raise ValueError("`fft_length` should be not less than `frame_length`. "
                                 "Received fft_length=%r, frame_length=%r"
                                 % (fft_length, frame_length))
            if fft_length & (fft_length - 1):
                warnings.warn("`fft_length` is recommended to be a power of two. "
                              "Received fft_length=%d" % fft_length)
        if mode not in _MODES:
            raise ValueError("Output mode is invalid, it must be one of %s. Received: mode=%r"
                             % (", ".join(_MODES), mode))
        if scaling is not None and scaling not in ("density", "spectrum"):
            raise ValueError("Scaling is invalid, it must be `None`, 'density' or 'spectrum'. "
                             "Received scaling=%r" % (scaling,))
        if padding not in ("valid", "same"):
            raise ValueError("Padding is invalid, it should be 'valid', 'same'. Received: "
                             "padding=%r" % (padding,))
        # Validates the window name now (the initializer raises a ValueError naming it).
        STFT("real", window, scaling, periodic)
        data_format = _config.standardize_data_format(data_format)
        super().__init__(**kwargs)
        self.mode = mode
        self.frame_length = frame_length
        self.frame_step = frame_step
        self._frame_step = frame_step or frame_length // 2
        self.fft_length = fft_length
        self._fft_length = fft_length or 2 ** int(math.ceil(math.log2(frame_length)))
        self.window = window_config(window)
        self.periodic = periodic
        self.scaling = scaling
        self.padding = padding
        self.expand_dims = expand_dims
        self.data_format = data_format
        self._stamp = None       # (data_ptr, version) of the kernels last seen
        self._pristine = False   # whether those kernels hold the initializer's values
        self._windows: dict = {}

    # ------------------------------------------------------------------ weights
    def build(self, input_shape) -> None:
        if len(input_shape) != 3:
            raise ValueError("STFTSpectrogram expects a 3D input (batch, time, channels) or "
                             "(batch, channels, time), got shape %s" % (tuple(input_shape),))
        shape = (self.frame_length, 1, self._fft_length // 2 + 1)
        if self.mode != "imag":
            self.real_kernel = self.add_weight(
                name="real_kernel", shape=shape,
                initializer=STFT("real", self.window, self.scaling, self.periodic))
        if self.mode != "real":
            self.imag_kernel = self.add_weight(
                name="imag_kernel", shape=shape,
                initializer=STFT("imag", self.window, self.scaling, self.periodic))
        self._stamp, self._pristine = None, False   # verified on the first frozen call
        self.built = True

    def _kernels(self) -> list:
        return [getattr(self, n) for n in ("real_kernel", "imag_kernel") if hasattr(self, n)]

    def _kernel_stamp(self) -> tuple:
        return tuple((k.data_ptr(), k._version) for k in self._kernels())

    def _window_vector(self, dtype, device) -> torch.Tensor:
        """The window divided by its scaling (what the initial kernels multiply by),
        zero-padded at its end to fft_length; cached per dtype and device."""
        key = (dtype, device)
        win = self._windows.get(key)
        if win is None:
            # Column 0 of the real kernel is the scaled window itself (cos(0) = 1).
            ref = STFT("real", self.window, self.scaling, self.periodic)(
                (self.frame_length, 1, 2), dtype=torch.float64)[:, 0, 0]
            win = F.pad(ref, (0, self._fft_length - self.frame_length)).to(dtype=dtype,
                                                                           device=device)
            self._windows[key] = win
        return win

    def _fft_allowed(self) -> bool:
        """Whether torch.stft gives the convolution's result: the kernels are frozen and
        hold their initial values (checked once after each change of their storage or
        version, i.e. after set_weights / load_state_dict / a device move)."""
        kernels = self._kernels()
        if any(k.requires_grad for k in kernels):
            # Trainable kernels may change without a version bump (fused optimizer
            # kernels): forget the check, redo it once they are frozen again.
            self._stamp = None
            return False
        stamp = self._kernel_stamp()
        if stamp != self._stamp:
            same = True
            for k, side in zip(kernels, [n for n in ("real", "imag")
                                         if hasattr(self, n + "_kernel")]):
                ref = STFT(side, self.window, self.scaling, self.periodic)(
                    tuple(k.shape), dtype=torch.float64).to(k.device)
                same = same and bool(torch.allclose(k.detach().double(), ref, rtol=0,
                                                    atol=1e-6))
            self._stamp, self._pristine = stamp, same
        return self._pristine

    # ------------------------------------------------------------------ call
    def _pad_amounts(self, length: int) -> tuple[int, int]:
        if self.padding == "valid":
            return 0, 0
        out = -(-length // self._frame_step)
        total = max((out - 1) * self._frame_step + self.frame_length - length, 0)
        return total // 2, total - total // 2

    def _fft_parts(self, signal: torch.Tensor):
        """(real, imag) of shape (N, F, T) via torch.stft; ``signal`` is (N, time)."""
        n_fft, length = self._fft_length, self.frame_length
        left, right = self._pad_amounts(signal.shape[-1])
        # Keras's kernel zero-extends each frame at its end to fft_length samples:
        # the same as a window padded at its end, reading n_fft - length extra samples.
        signal = F.pad(signal, (left, right + n_fft - length))
        win = self._window_vector(signal.dtype, signal.device)
        spec = torch.stft(signal, n_fft=n_fft, hop_length=self._frame_step, win_length=n_fft,
                          window=win, center=False, return_complex=True)
        return spec.real, spec.imag

    def _conv(self, signal: torch.Tensor, kernel: torch.Tensor) -> torch.Tensor:
        """Convolution with a Keras-layout kernel (frame, 1, F): (N, time) -> (N, F, T)."""
        left, right = self._pad_amounts(signal.shape[-1])
        x = F.pad(signal, (left, right)) if left or right else signal
        weight = kernel.to(signal.dtype).permute(2, 1, 0)
        return F.conv1d(x.unsqueeze(1), weight, stride=self._frame_step)

    def call(self, inputs: torch.Tensor) -> torch.Tensor:
        if inputs.dtype not in (torch.float16, torch.bfloat16, torch.float32, torch.float64):
            raise TypeError("Invalid input type. Expected `float16`, `float32` or `float64`. "
                            "Received: input type=%s" % str(inputs.dtype).replace("torch.", ""))
        if self.data_format == "channels_last":
            batch, _, channels = inputs.shape
            signal = inputs.transpose(1, 2).reshape(batch * channels, -1)
        else:
            batch, channels, _ = inputs.shape
            signal = inputs.reshape(batch * channels, -1)

        real = imag = None
        if self._fft_allowed() and signal.dtype in (torch.float32, torch.float64):
            real, imag = self._fft_parts(signal)
        else:
            if self.mode != "imag":
                real = self._conv(signal, self.real_kernel)
            if self.mode != "real":
                imag = self._conv(signal, self.imag_kernel)

        if self.mode == "real":
            out = real
        elif self.mode == "imag":
            out = imag
        elif self.mode == "angle":
            out = torch.atan2(imag, real)
        elif self.mode == "stft":
            out = torch.cat([real, imag], dim=1)
        else:
            power = real.square() + imag.square()
            if self.mode == "psd":
                # One-sided density: every bin but DC and Nyquist counts twice.
                out = power + F.pad(power[:, 1:-1], (0, 0, 1, 1))
            else:
                eps = _config.epsilon()
                out = power.clamp_min(eps).sqrt()
                if self.mode == "log":
                    out = out.clamp_min(eps).log()
        compute = self._dtype_policy.torch_compute
        if out.dtype != compute:
            # The FFT path computes in float32 under a mixed policy; Keras returns the
            # compute dtype whichever way the numbers were found.
            out = out.to(compute)
        return self._layout(out, batch, channels)

    def _layout(self, out: torch.Tensor, batch: int, channels: int) -> torch.Tensor:
        """(batch * channels, F, T) -> the Keras output layout."""
        bins, frames = out.shape[-2:]
        out = out.reshape(batch, channels, bins, frames)
        if self.data_format == "channels_last":
            if self.expand_dims:
                return out.permute(0, 3, 2, 1)
            return out.reshape(batch, channels * bins, frames).transpose(1, 2)
        if self.expand_dims:
            return out.transpose(2, 3)
        return out.reshape(batch, channels * bins, frames)

    def compute_output_shape(self, input_shape):
        if self.data_format == "channels_last":
            batch, length, channels = input_shape
        else:
            batch, channels, length = input_shape
        bins = self._fft_length // 2 + 1
        if self.mode == "stft":
            bins *= 2
        if length is None:
            frames = None
        elif self.padding == "same":
            frames = -(-length // self._frame_step)
        else:
            frames = (length - self.frame_length) // self._frame_step + 1
        if self.expand_dims:
            return ((batch, frames, bins, channels) if self.data_format == "channels_last"
                    else (batch, channels, frames, bins))
        flat = None if channels is None else channels * bins
        return ((batch, frames, flat) if self.data_format == "channels_last"
                else (batch, flat, frames))

    def get_config(self) -> dict:
        return {**super().get_config(), "mode": self.mode, "frame_length": self.frame_length,
                "frame_step": self.frame_step, "fft_length": self.fft_length,
                "window": self.window, "periodic": self.periodic, "scaling": self.scaling,
                "padding": self.padding, "data_format": self.data_format,
                "expand_dims": self.expand_dims}
