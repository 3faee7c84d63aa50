"""MelSpectrogram: raw audio -> (log-)power mel spectrogram, on ``torch.stft``."""
from __future__ import annotations

import math
from typing import Sequence

import torch

from torchkeras import ops
from torchkeras.layers.layer import Layer
from torchkeras.layers.preprocessing.spectrogram_utils import check_positive_int, window_config

# HTK mel scale: mel(f) = 1127 * ln(1 + f / 700)  (= 2595 * log10(1 + f / 700)).
_MEL_BREAK_HZ = 700.0
_MEL_HIGH_Q = 1127.0


def _hz_to_mel(hz: torch.Tensor) -> torch.Tensor:
    return _MEL_HIGH_Q * torch.log(1.0 + hz / _MEL_BREAK_HZ)


def _linspace(start: torch.Tensor, stop: torch.Tensor, num: int) -> torch.Tensor:
    # start + i / (num - 1) * (stop - start): the rounding of Keras's own linspace.
    return start + torch.arange(num, dtype=start.dtype) / (num - 1) * (stop - start)


class MelSpectrogram(Layer):
    """Mel spectrogram of raw audio: ``|STFT|**mag_exp`` through a bank of triangular
    HTK-mel filters, optionally in decibels.

    Frames are centred (the signal is reflect-padded by ``fft_length // 2``), as in
    Keras. Inputs ``(batch, samples)`` (or ``(samples,)``) give ``(batch, num_mel_bins,
    frames)`` with ``frames = samples // sequence_stride + 1``.

    Args:
        fft_length: FFT size.
        sequence_stride: Hop between frames.
        sequence_length: Window length; ``None`` is ``fft_length``.
        window: ``"hann"``, ``"hamming"``, window values, or ``None``.
        sampling_rate: Samples per second of the input.
        num_mel_bins: Number of mel filters.
        min_freq: Lowest filter edge (Hz).
        max_freq: Highest filter edge (Hz); ``None`` is ``sampling_rate / 2``.
        power_to_db: Convert power to decibels.
        top_db: Floor of the dB output below its maximum (over the whole batch, as Keras).
        mag_exp: Exponent of the magnitude (2 = power).
        min_power: Floor of the power before the log.
        ref_power: Reference power for 0 dB.

    Example:
        >>> MelSpectrogram(num_mel_bins=64)(torch.randn(2, 16000)).shape
        torch.Size([2, 64, 32])
    """

    def __init__(self, fft_length: int = 2048, sequence_stride: int = 512,
                 sequence_length: int | None = None, window: str | Sequence[float] | None = "hann",
                 sampling_rate: int = 16000, num_mel_bins: int = 128, min_freq: float = 20.0,
                 max_freq: float | None = None, power_to_db: bool = True, top_db: float = 80.0,
                 mag_exp: float = 2.0, min_power: float = 1e-10, ref_power: float = 1.0,
                 **kwargs):
        check_positive_int("MelSpectrogram", "fft_length", fft_length)
        check_positive_int("MelSpectrogram", "sequence_stride", sequence_stride)
        check_positive_int("MelSpectrogram", "num_mel_bins", num_mel_bins)
        if sequence_length is not None:
            check_positive_int("MelSpectrogram", "sequence_length", sequence_length)
        seq_len = sequence_length or fft_length
        if fft_length < seq_len:
            raise ValueError("`fft_length` must be greater than or equal to `sequence_length`. "
                             "Received: `sequence_length`=%r, `fft_length`=%r"
                             % (seq_len, fft_length))
        if isinstance(window, str) and window not in ("hann", "hamming"):
            raise ValueError('MelSpectrogram: a string `window` must be "hann" or "hamming". '
                             "Received: window=%r" % (window,))
        if not sampling_rate or sampling_rate <= 0:
            raise ValueError("MelSpectrogram: `sampling_rate` must be positive. Received: "
                             "sampling_rate=%r" % (sampling_rate,))
        upper = max_freq or int(sampling_rate / 2)
        if not 0 <= min_freq < upper:
            raise ValueError("MelSpectrogram: need 0 <= `min_freq` < `max_freq`. Received: "
                             "min_freq=%r, max_freq=%r" % (min_freq, upper))
        super().__init__(**kwargs)
        self.fft_length = fft_length
        self.sequence_stride = sequence_stride
        self.sequence_length = seq_len
        self.window = window_config(window)
        self.sampling_rate = sampling_rate
        self.num_mel_bins = num_mel_bins
        self.min_freq = min_freq
        self.max_freq = upper
        self.power_to_db = power_to_db
        self.top_db = top_db
        self.mag_exp = mag_exp
        self.min_power = min_power
        self.ref_power = ref_power
        self._mel_cache: dict = {}

    def linear_to_mel_weight_matrix(self, num_mel_bins: int = 20,
                                    num_spectrogram_bins: int = 129,
                                    sampling_rate: float = 8000,
                                    lower_edge_hertz: float = 125.0,
                                    upper_edge_hertz: float = 3800.0,
                                    dtype: str = "float32") -> torch.Tensor:
        """The ``(num_spectrogram_bins, num_mel_bins)`` matrix taking linear-frequency bins
        to HTK-mel bands (triangles peaking at 1; the DC bin gets no weight).

        Args:
            num_mel_bins: Number of mel bands.
            num_spectrogram_bins: Number of linear bins (``fft_length // 2 + 1``).
            sampling_rate: Sampling rate of the signal (Hz).
            lower_edge_hertz: Lower edge of the lowest band.
            upper_edge_hertz: Upper edge of the highest band.
            dtype: Dtype of the result.

        Example:
            >>> MelSpectrogram().linear_to_mel_weight_matrix(4, 9, 8000).shape
            torch.Size([9, 4])
        """
        # Computed in the requested dtype with Keras's order of operations, so that the
        # float32 matrix rounds as Keras's does (narrow bands amplify any difference).
        dt = getattr(torch, dtype) if isinstance(dtype, str) else dtype
        nyquist = torch.tensor(sampling_rate, dtype=dt) / 2.0
        freqs = _linspace(torch.tensor(0.0, dtype=dt), nyquist, num_spectrogram_bins)[1:]
        bins_mel = _hz_to_mel(freqs).unsqueeze(1)
        lo = _hz_to_mel(torch.tensor(float(lower_edge_hertz), dtype=dt))
        hi = _hz_to_mel(torch.tensor(float(upper_edge_hertz), dtype=dt))
        edges = _linspace(lo, hi, num_mel_bins + 2)
        lower, center, upper = edges[:-2], edges[1:-1], edges[2:]
        rising = (bins_mel - lower) / (center - lower)
        falling = (upper - bins_mel) / (upper - center)
        weights = torch.minimum(rising, falling).clamp_min(0.0)
        weights = torch.cat([weights.new_zeros(1, num_mel_bins), weights])
        return weights

    def _mel_matrix(self, dtype: torch.dtype, device: torch.device) -> torch.Tensor:
        key = (dtype, device)
        matrix = self._mel_cache.get(key)
        if matrix is None:
            matrix = self.linear_to_mel_weight_matrix(
                self.num_mel_bins, self.fft_length // 2 + 1, self.sampling_rate,
                self.min_freq, self.max_freq, dtype=dtype).to(device)
            self._mel_cache[key] = matrix
        return matrix

    def call(self, inputs: torch.Tensor) -> torch.Tensor:
        compute = self._dtype_policy.torch_compute
        work = compute if compute in (torch.float32, torch.float64) else torch.float32
        x = inputs.to(work)
        real, imag = ops.stft(x, self.sequence_length, self.sequence_stride, self.fft_length,
                              window=self.window, center=True)
        spec = torch.sqrt(real.square() + imag.square())
        if self.mag_exp != 1:
            spec = spec.pow(self.mag_exp)
        out = spec @ self._mel_matrix(work, x.device)
        if self.power_to_db:
            out = 10.0 * torch.log10(out.clamp_min(self.min_power))
            out = out - 10.0 * math.log10(max(abs(self.ref_power), self.min_power))
            # Keras floors against the maximum of the whole batch (kept on the device).
            out = torch.maximum(out, out.amax() - self.top_db)
        return out.transpose(-1, -2).to(compute)

    def compute_output_shape(self, input_shape):
        length = input_shape[-1]
        frames = None if length is None else length // self.sequence_stride + 1
        return tuple(input_shape[:-1]) + (self.num_mel_bins, frames)

    def get_config(self) -> dict:
        return {**super().get_config(), "fft_length": self.fft_length,
                "sequence_stride": self.sequence_stride,
                "sequence_length": self.sequence_length, "window": self.window,
                "sampling_rate": self.sampling_rate, "num_mel_bins": self.num_mel_bins,
                "min_freq": self.min_freq, "max_freq": self.max_freq,
                "power_to_db": self.power_to_db, "top_db": self.top_db,
                "mag_exp": self.mag_exp, "min_power": self.min_power,
                "ref_power": self.ref_power}
