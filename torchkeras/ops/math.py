"""Keras 3's ``keras.ops`` math family on torch tensors.

Segment reductions, top-k, ``logsumexp``, FFTs on ``(real, imag)`` pairs (Keras's
convention for complex values), STFT/ISTFT, special functions and ``rearrange``.

Example:
    >>> from torchkeras import ops
    >>> real, imag = ops.rfft(signal)
"""
from __future__ import annotations

import math as _pymath
import re
from typing import Any

import torch
import torch.nn.functional as F

from torchkeras.ops.arg_utils import axes, floating, tensor
from torchkeras.ops.symbolic import keras_op

__all__ = [
    "cdist", "erf", "erfc", "erfinv", "extract_sequences", "fft", "fft2", "ifft2",
    "in_top_k", "irfft", "istft", "logdet", "logsumexp", "rearrange", "rfft", "rsqrt",
    "segment_max", "segment_min", "segment_prod", "segment_sum", "stft", "top_k",
    "view_as_complex", "view_as_real",
]


def _segment(data, segment_ids, num_segments, reduce: str, name: str):
    data, ids = tensor(data), tensor(segment_ids).long()
    if ids.ndim != 1 or ids.shape[0] != data.shape[0]:
        raise ValueError(f"{name}: segment_ids must be 1D with data's leading size; got "
                         f"data {tuple(data.shape)} and segment_ids {tuple(ids.shape)}")
    n = int(num_segments) if num_segments is not None else int(ids.max()) + 1
    # Out-of-range ids (e.g. -1) go to an extra row that is dropped at the end.
    ids = torch.where((ids >= 0) & (ids < n), ids, n)
    fill = {"sum": 0.0, "prod": 1.0, "amax": -float("inf"), "amin": float("inf")}[reduce]
    work = data.float() if not data.is_floating_point() else data
    out = torch.full((n + 1,) + tuple(data.shape[1:]), fill, dtype=work.dtype,
                     device=data.device)
    index = ids.reshape((-1,) + (1,) * (data.ndim - 1)).expand(data.shape)
    out = out.scatter_reduce(0, index, work, reduce)
    return out[:-1].to(data.dtype)


@keras_op
def segment_sum(data: Any, segment_ids: Any, num_segments: int | None = None,
                sorted: bool = False) -> torch.Tensor:
    """Sums of ``data`` rows grouped by ``segment_ids``.

    Example:
        >>> segment_sum([1, 2, 3], [0, 0, 1])   # [3, 3]
    """
    return _segment(data, segment_ids, num_segments, "sum", "segment_sum")


@keras_op
def segment_max(data: Any, segment_ids: Any, num_segments: int | None = None,
                sorted: bool = False) -> torch.Tensor:
    """Maxima of ``data`` rows grouped by ``segment_ids`` (empty segments: -inf).

    Example:
        >>> segment_max([1, 2, 3], [0, 0, 1])   # [2, 3]
    """
    return _segment(data, segment_ids, num_segments, "amax", "segment_max")


@keras_op
def segment_min(data: Any, segment_ids: Any, num_segments: int | None = None,
                sorted: bool = False) -> torch.Tensor:
    """Minima of ``data`` rows grouped by ``segment_ids``.

    Example:
        >>> segment_min([1, 2, 3], [0, 0, 1])   # [1, 3]
    """
    return _segment(data, segment_ids, num_segments, "amin", "segment_min")


@keras_op
def segment_prod(data: Any, segment_ids: Any, num_segments: int | None = None,
                 sorted: bool = False) -> torch.Tensor:
    """Products of ``data`` rows grouped by ``segment_ids``.

    Example:
        >>> segment_prod([1, 2, 3], [0, 0, 1])   # [2, 3]
    """
    return _segment(data, segment_ids, num_segments, "prod", "segment_prod")


@keras_op
def top_k(x: Any, k: int, sorted: bool = True):
    """The ``k`` largest entries along the last axis and their indices.

    Example:
        >>> values, indices = top_k([5, 1, 7], 2)   # [7, 5], [2, 0]
    """
    return torch.topk(tensor(x), int(k), dim=-1, sorted=sorted)


@keras_op
def in_top_k(targets: Any, predictions: Any, k: int) -> torch.Tensor:
    """Whether each target's prediction is among the top ``k`` (ties count as in).

    Example:
        >>> in_top_k([1], [[0.1, 0.9, 0.5]], 1)   # [True]
    """
    targets, predictions = tensor(targets).long(), tensor(predictions)
    if predictions.ndim != 2 or targets.shape != predictions.shape[:1]:
        raise ValueError(f"in_top_k: expected targets (N,) and predictions (N, C); got "
                         f"{tuple(targets.shape)} and {tuple(predictions.shape)}")
    kth = torch.topk(predictions, int(k), dim=-1).values[:, -1:]
    return (torch.take_along_dim(predictions, targets[:, None], dim=-1) >= kth)[:, 0]


@keras_op
def logsumexp(x: Any, axis: Any = None, keepdims: bool = False) -> torch.Tensor:
    """``log(sum(exp(x)))`` along ``axis`` (all axes by default), computed stably.

    Example:
        >>> logsumexp([0.0, 0.0])   # log(2)
    """
    x = floating(x)
    dims = axes(axis, x.ndim)
    return torch.logsumexp(x, dim=dims if dims is not None else tuple(range(x.ndim)),
                           keepdim=keepdims)


@keras_op
def cdist(x1: Any, x2: Any, p: float = 2.0) -> torch.Tensor:
    """Pairwise ``p``-norm distances between the rows of ``x1`` and ``x2``.

    Example:
        >>> cdist([[0.0, 0.0]], [[3.0, 4.0]])   # [[5.0]]
    """
    x1, x2 = floating(x1), floating(x2)
    if x1.ndim < 2 or x2.ndim < 2 or x1.shape[-1] != x2.shape[-1]:
        raise ValueError(f"cdist: inputs need rank >= 2 and equal last dims; got "
                         f"{tuple(x1.shape)} and {tuple(x2.shape)}")
    return torch.cdist(x1, x2, p=p)


@keras_op
def extract_sequences(x: Any, sequence_length: int, sequence_stride: int) -> torch.Tensor:
    """Frames of ``sequence_length`` taken every ``sequence_stride`` on the last axis.

    Example:
        >>> extract_sequences(torch.arange(6.0), 3, 2).shape   # (2, 3)
    """
    return tensor(x).unfold(-1, int(sequence_length), int(sequence_stride))


def _complex(x, name):
    if not isinstance(x, (tuple, list)) or len(x) != 2:
        raise ValueError(f"{name}: `x` must be a (real, imag) pair of tensors, got {x!r}")
    real, imag = floating(x[0]), floating(x[1])
    if real.shape != imag.shape:
        raise ValueError(f"{name}: real {tuple(real.shape)} and imag {tuple(imag.shape)} "
                         f"shapes differ")
    return torch.complex(real, imag)


@keras_op
def fft(x: Any):
    """FFT over the last axis of ``(real, imag)``; returns ``(real, imag)``.

    Example:
        >>> real, imag = fft((torch.ones(4), torch.zeros(4)))
    """
    y = torch.fft.fft(_complex(x, "fft"))
    return y.real, y.imag


@keras_op
def fft2(x: Any):
    """2D FFT over the last two axes of ``(real, imag)``.

    Example:
        >>> real, imag = fft2((torch.ones(2, 2), torch.zeros(2, 2)))
    """
    y = torch.fft.fft2(_complex(x, "fft2"))
    return y.real, y.imag


@keras_op
def ifft2(x: Any):
    """Inverse 2D FFT over the last two axes of ``(real, imag)``.

    Example:
        >>> real, imag = ifft2(fft2((a, b)))
    """
    y = torch.fft.ifft2(_complex(x, "ifft2"))
    return y.real, y.imag


@keras_op
def rfft(x: Any, fft_length: int | None = None):
    """FFT of a real signal's last axis (non-negative frequencies), as ``(real, imag)``.

    Example:
        >>> real, imag = rfft(torch.ones(8))   # 5 bins
    """
    y = torch.fft.rfft(floating(x), n=fft_length, dim=-1)
    return y.real, y.imag


@keras_op
def irfft(x: Any, fft_length: int | None = None) -> torch.Tensor:
    """Inverse of :func:`rfft`: a real signal from ``(real, imag)`` bins.

    Example:
        >>> signal = irfft(rfft(signal), 8)
    """
    return torch.fft.irfft(_complex(x, "irfft"), n=fft_length, dim=-1)


def _window(window, length, dtype, device, name):
    if window is None:
        return None
    if isinstance(window, str):
        if window not in ("hann", "hamming"):
            raise ValueError(f'{name}: a string `window` must be "hann" or "hamming", '
                             f"got {window!r}")
        fn = torch.hann_window if window == "hann" else torch.hamming_window
        return fn(length, periodic=True, dtype=dtype, device=device)
    win = tensor(window).to(dtype)
    if win.shape != (length,):
        raise ValueError(f"{name}: `window` must have shape ({length},), got "
                         f"{tuple(win.shape)}")
    return win


@keras_op
def stft(x: Any, sequence_length: int, sequence_stride: int, fft_length: int,
         window: Any = "hann", center: bool = True):
    """Short-time Fourier transform of the last axis, as ``(real, imag)`` of shape
    ``(..., frames, fft_length // 2 + 1)``.

    Example:
        >>> real, imag = stft(torch.randn(2, 64), 16, 8, 16)
    """
    x = tensor(x)
    if x.dtype not in (torch.float32, torch.float64):
        raise TypeError(f"stft: expected float32 or float64 input, got {x.dtype}")
    if fft_length < sequence_length:
        raise ValueError(f"stft: fft_length ({fft_length}) must be >= sequence_length "
                         f"({sequence_length})")
    win = _window(window, sequence_length, x.dtype, x.device, "stft")
    if win is None:
        win = torch.ones(sequence_length, dtype=x.dtype, device=x.device)
    batch = x.shape[:-1]
    y = torch.stft(x.reshape(-1, x.shape[-1]), n_fft=fft_length, hop_length=sequence_stride,
                   win_length=sequence_length, window=win, center=center,
                   pad_mode="reflect", return_complex=True)
    y = y.reshape(*batch, *y.shape[-2:]).transpose(-2, -1)
    return y.real, y.imag


@keras_op
def istft(x: Any, sequence_length: int, sequence_stride: int, fft_length: int,
          length: int | None = None, window: Any = "hann", center: bool = True):
    """Inverse of :func:`stft`: overlap-add of windowed inverse FFT frames.

    Example:
        >>> signal = istft(stft(s, 16, 8, 16), 16, 8, 16)
    """
    spec = _complex(x, "istft")
    dtype = spec.real.dtype
    win = _window(window, sequence_length, dtype, spec.device, "istft")
    batch = spec.shape[:-2]
    if sequence_length == fft_length and center and win is not None:
        flat = spec.reshape(-1, *spec.shape[-2:]).transpose(-2, -1)
        y = torch.istft(flat, n_fft=fft_length, hop_length=sequence_stride,
                        win_length=sequence_length, window=win, center=True, length=length)
        return y.reshape(*batch, y.shape[-1])
    frames = torch.fft.irfft(spec, n=fft_length, dim=-1)  # (..., N, fft_length)
    n_frames = frames.shape[-2]
    if win is not None:
        left = (fft_length - sequence_length) // 2
        win = F.pad(win, (left, fft_length - sequence_length - left))
        # Normalise by the stride-periodic sum of squared windows (steady-state NOLA).
        reps = -(-fft_length // sequence_stride)
        sq = F.pad(win * win, (0, reps * sequence_stride - fft_length))
        denom = sq.reshape(reps, sequence_stride).sum(0).repeat(reps)[:fft_length]
        frames = frames * (win / denom)
    out_len = fft_length + sequence_stride * (n_frames - 1)
    flat = frames.reshape(-1, n_frames, fft_length).transpose(1, 2)
    y = F.fold(flat, output_size=(1, out_len), kernel_size=(1, fft_length),
               stride=(1, sequence_stride)).reshape(*batch, out_len)
    start = fft_length // 2 if center else 0
    if length is not None:
        end = start + length
    elif center:
        end = out_len - fft_length // 2
    else:
        end = out_len
    return y[..., start:end]


@keras_op
def rsqrt(x: Any) -> torch.Tensor:
    """``1 / sqrt(x)``.

    Example:
        >>> rsqrt([4.0])   # [0.5]
    """
    return torch.rsqrt(floating(x))


@keras_op
def erf(x: Any) -> torch.Tensor:
    """The Gauss error function.

    Example:
        >>> erf([0.0])   # [0.0]
    """
    return torch.erf(floating(x))


@keras_op
def erfc(x: Any) -> torch.Tensor:
    """The complementary error function ``1 - erf(x)``.

    Example:
        >>> erfc([0.0])   # [1.0]
    """
    return torch.erfc(floating(x))


@keras_op
def erfinv(x: Any) -> torch.Tensor:
    """The inverse error function.

    Example:
        >>> erfinv([0.0])   # [0.0]
    """
    return torch.erfinv(floating(x))


@keras_op
def logdet(x: Any) -> torch.Tensor:
    """``log(det(x))`` of (batches of) square matrices.

    Example:
        >>> logdet(torch.eye(3) * 2)   # 3 * log(2)
    """
    return torch.logdet(floating(x))


@keras_op
def view_as_complex(x: Any) -> torch.Tensor:
    """A complex tensor from a real one whose last axis is ``(real, imag)``.

    Example:
        >>> view_as_complex([[1.0, 2.0]])   # [1+2j]
    """
    x = floating(x)
    if x.shape[-1] != 2:
        raise ValueError(f"view_as_complex: last axis must have size 2, got {tuple(x.shape)}")
    return torch.view_as_complex(x.contiguous())


@keras_op
def view_as_real(x: Any) -> torch.Tensor:
    """A real tensor with a trailing ``(real, imag)`` axis from a complex one.

    Example:
        >>> view_as_real(torch.tensor([1 + 2j]))   # [[1.0, 2.0]]
    """
    x = tensor(x)
    if not x.is_complex():
        raise ValueError(f"view_as_real: expected a complex tensor, got {x.dtype}")
    return torch.view_as_real(x)


_GROUP = re.compile(r"\([^)]*\)|\S+")


def _parse(side: str) -> list[list[str]]:
    return [g.strip("()").split() if g.startswith("(") else [g] for g in _GROUP.findall(side)]


@keras_op
def rearrange(tensor_: Any, pattern: str, **axes_lengths: int) -> torch.Tensor:
    """Einops-style axis rearrangement (``"b (h w) c -> b h w c"``, ``h=4``).

    Example:
        >>> rearrange(torch.zeros(2, 12, 3), "b (h w) c -> b c h w", h=3).shape  # (2,3,3,4)
    """
    x = tensor(tensor_)
    if "->" not in pattern:
        raise ValueError(f"rearrange: pattern needs '->', got {pattern!r}")
    left, right = (_parse(s) for s in pattern.split("->"))
    if len(left) != x.ndim:
        raise ValueError(f"rearrange: pattern {pattern!r} expects rank {len(left)}, input "
                         f"has shape {tuple(x.shape)}")
    sizes = dict(axes_lengths)
    for group, dim in zip(left, x.shape):
        unknown = [a for a in group if a not in sizes]
        known = _pymath.prod(sizes[a] for a in group if a in sizes)
        if len(unknown) > 1:
            raise ValueError(f"rearrange: cannot infer sizes of {unknown}")
        if unknown:
            sizes[unknown[0]] = int(dim) // known
    flat_left = [a for g in left for a in g]
    x = x.reshape([sizes[a] for a in flat_left])
    flat_right = [a for g in right for a in g]
    x = x.permute([flat_left.index(a) for a in flat_right])
    return x.reshape([_pymath.prod(sizes[a] for a in g) for g in right])
