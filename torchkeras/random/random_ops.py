"""``keras.random`` draws on torch tensors (see ``torchkeras.random``)."""
from __future__ import annotations

from typing import Any, Sequence

import torch

from torchkeras import config as _config
from torchkeras.ops.dtypes import is_float_dtype, is_int_dtype, standardize_dtype, to_torch_dtype
from torchkeras.random.seed_generator import default_device, generator_for


def _shape(shape: Any) -> tuple:
    if isinstance(shape, int):
        return (shape,)
    try:
        return tuple(int(d) for d in shape)
    except (TypeError, ValueError):
        raise ValueError("`shape` must be a tuple of integers, got %r" % (shape,)) from None


def _float_dtype(dtype: Any, fn: str) -> torch.dtype:
    name = standardize_dtype(dtype or _config.floatx())
    if not is_float_dtype(name):
        raise ValueError("`keras.random.%s` requires a floating point `dtype`. Received: "
                         "dtype=%s" % (fn, name))
    return to_torch_dtype(name)


def _seeded(seed: Any, device: torch.device):
    """Context for draws by functions that take no generator (gamma): forks torch's RNG
    and seeds it, so an int or SeedGenerator seed stays reproducible."""
    gen = generator_for(seed, device)
    if gen is None:
        return None
    devices = [device] if device.type == "cuda" else []
    return gen.initial_seed(), devices


def normal(shape: Sequence[int], mean: float = 0.0, stddev: float = 1.0, dtype: Any = None,
           seed: Any = None) -> torch.Tensor:
    """Samples from a normal distribution.

    Args:
        shape: Output shape.
        mean: Mean of the distribution.
        stddev: Standard deviation.
        dtype: Float dtype; ``keras.config.floatx()`` by default.
        seed: ``None`` (torch's global RNG), an int (the same draw every call) or a
            ``SeedGenerator`` (a new draw each call, reproducible).

    Example:
        >>> normal((2, 3), stddev=0.1, seed=1).shape
        torch.Size([2, 3])
    """
    dt = _float_dtype(dtype, "normal")
    dev = default_device()
    out = torch.randn(_shape(shape), dtype=dt, device=dev, generator=generator_for(seed, dev))
    return out * stddev + mean


def uniform(shape: Sequence[int], minval: float = 0.0, maxval: float = 1.0, dtype: Any = None,
            seed: Any = None) -> torch.Tensor:
    """Samples uniformly from ``[minval, maxval)``.

    Args:
        shape: Output shape.
        minval: Lower bound (inclusive).
        maxval: Upper bound (exclusive).
        dtype: Float dtype (ValueError for others); floatx by default.
        seed: As for ``normal``.

    Example:
        >>> uniform((4,), -1.0, 1.0, seed=0).shape
        torch.Size([4])
    """
    dt = _float_dtype(dtype, "uniform")
    dev = default_device()
    out = torch.rand(_shape(shape), dtype=dt, device=dev, generator=generator_for(seed, dev))
    return out * (maxval - minval) + minval


def randint(shape: Sequence[int], minval: int, maxval: int, dtype: Any = "int32",
            seed: Any = None) -> torch.Tensor:
    """Samples integers uniformly from ``[minval, maxval)``.

    Args:
        shape: Output shape.
        minval: Lower bound (inclusive).
        maxval: Upper bound (exclusive).
        dtype: Integer dtype (ValueError for others).
        seed: As for ``normal``.

    Example:
        >>> randint((3,), 0, 10, seed=2).dtype
        torch.int32
    """
    name = standardize_dtype(dtype)
    if not is_int_dtype(name):
        raise ValueError("`keras.random.randint` requires an integer `dtype`. Received: "
                         "dtype=%s" % name)
    dev = default_device()
    return torch.randint(int(minval), int(maxval), _shape(shape), dtype=to_torch_dtype(name),
                         device=dev, generator=generator_for(seed, dev))


def truncated_normal(shape: Sequence[int], mean: float = 0.0, stddev: float = 1.0,
                     dtype: Any = None, seed: Any = None) -> torch.Tensor:
    """Normal samples, redrawn when more than two standard deviations from the mean.

    Args:
        shape: Output shape.
        mean: Mean.
        stddev: Standard deviation before truncation.
        dtype: Float dtype; floatx by default.
        seed: As for ``normal``.

    Example:
        >>> bool(truncated_normal((100,), seed=3).abs().max() <= 2)
        True
    """
    dt = _float_dtype(dtype, "truncated_normal")
    dev = default_device()
    out = torch.empty(_shape(shape), dtype=dt, device=dev)
    # Inverse-CDF sampling: no rejection loop, so no data-dependent host sync.
    torch.nn.init.trunc_normal_(out, 0.0, 1.0, -2.0, 2.0, generator=generator_for(seed, dev))
    return out * stddev + mean


def dropout(inputs: Any, rate: float, noise_shape: Sequence | None = None,
            seed: Any = None) -> torch.Tensor:
    """Zeroes entries with probability ``rate`` and scales the rest by ``1 / (1 - rate)``.

    Args:
        inputs: Tensor.
        rate: Drop probability in ``[0, 1)``.
        noise_shape: Shape of the keep mask, broadcast over ``inputs`` (``None`` entries
            take the input's size).
        seed: As for ``normal``.

    Example:
        >>> dropout(torch.ones(8), 0.5, seed=1).unique()  # 0 and 2
    """
    x = torch.as_tensor(inputs)
    if isinstance(rate, bool) or not isinstance(rate, (int, float)) or not 0 <= rate < 1:
        raise ValueError("`rate` must be a number in [0, 1), got %r" % (rate,))
    if noise_shape is None:
        mask_shape = tuple(x.shape)
    else:
        if len(noise_shape) != x.ndim:
            raise ValueError("`noise_shape` %s must have the rank of the inputs %s"
                             % (tuple(noise_shape), tuple(x.shape)))
        mask_shape = tuple(d if n is None else int(n) for n, d in zip(noise_shape, x.shape))
    keep = 1.0 - rate
    u = torch.rand(mask_shape, device=x.device, generator=generator_for(seed, x.device))
    return torch.where(u < keep, x / keep, torch.zeros((), dtype=x.dtype, device=x.device))


def shuffle(x: Any, axis: int = 0, seed: Any = None) -> torch.Tensor:
    """Shuffles ``x`` along ``axis``.

    Args:
        x: Tensor.
        axis: Axis to permute.
        seed: As for ``normal``.

    Example:
        >>> sorted(shuffle(torch.arange(5), seed=1).tolist())
        [0, 1, 2, 3, 4]
    """
    x = torch.as_tensor(x)
    perm = torch.randperm(x.shape[axis], device=x.device, generator=generator_for(seed, x.device))
    return x.index_select(axis, perm)


def categorical(logits: Any, num_samples: int, dtype: Any = "int32",
                seed: Any = None) -> torch.Tensor:
    """Draws class indices from the categorical distributions given by ``logits``.

    Args:
        logits: ``(batch_size, num_classes)`` unnormalised log-probabilities.
        num_samples: Samples per row.
        dtype: Integer dtype of the result.
        seed: As for ``normal``.

    Returns:
        ``(batch_size, num_samples)`` indices.

    Example:
        >>> categorical(torch.tensor([[0.0, 10.0]]), 3, seed=1).tolist()
        [[1, 1, 1]]
    """
    logits = torch.as_tensor(logits)
    if logits.ndim != 2:
        raise ValueError("`logits` should be a 2-D tensor with shape [batch_size, "
                         "num_classes]. Received: logits shape=%s" % (tuple(logits.shape),))
    probs = torch.softmax(logits.float(), dim=-1)
    out = torch.multinomial(probs, int(num_samples), replacement=True,
                            generator=generator_for(seed, logits.device))
    return out.to(to_torch_dtype(standardize_dtype(dtype)))


def _gamma_draw(alpha: torch.Tensor, seed: Any) -> torch.Tensor:
    # torch's gamma sampler takes no generator: draw inside a forked, seeded RNG.
    seeded = _seeded(seed, alpha.device)
    if seeded is None:
        return torch.distributions.Gamma(alpha, torch.ones_like(alpha)).sample()
    value, devices = seeded
    with torch.random.fork_rng(devices=devices, device_type=alpha.device.type):
        # Seed only the generator of this device: fork_rng restores only the forked ones.
        if alpha.device.type == "cuda":
            index = alpha.device.index if alpha.device.index is not None \
                else torch.cuda.current_device()
            torch.cuda.default_generators[index].manual_seed(value)
        else:
            torch.random.default_generator.manual_seed(value)
        return torch.distributions.Gamma(alpha, torch.ones_like(alpha)).sample()


def gamma(shape: Sequence[int], alpha: float, dtype: Any = None, seed: Any = None) -> torch.Tensor:
    """Samples from a Gamma(alpha, 1) distribution.

    Args:
        shape: Output shape.
        alpha: Concentration (> 0).
        dtype: Float dtype; floatx by default.
        seed: As for ``normal``.

    Example:
        >>> gamma((3,), alpha=2.0, seed=0).shape
        torch.Size([3])
    """
    dt = _float_dtype(dtype, "gamma")
    a = torch.as_tensor(alpha, dtype=torch.float32, device=default_device())
    return _gamma_draw(a.expand(_shape(shape)).contiguous(), seed).to(dt)


def beta(shape: Sequence[int], alpha: float, beta: float, dtype: Any = None,
         seed: Any = None) -> torch.Tensor:
    """Samples from a Beta(alpha, beta) distribution.

    Args:
        shape: Output shape.
        alpha: First concentration, broadcastable to ``shape``.
        beta: Second concentration, broadcastable to ``shape``.
        dtype: Float dtype; floatx by default.
        seed: As for ``normal``.

    Example:
        >>> bool(((b := beta((5,), 2.0, 3.0, seed=0)) > 0).all() and (b < 1).all())
        True
    """
    dt = _float_dtype(dtype, "beta")
    shape = _shape(shape)
    dev = default_device()
    a = torch.as_tensor(alpha, dtype=torch.float32, device=dev).expand(shape).contiguous()
    b = torch.as_tensor(beta, dtype=torch.float32, device=dev).expand(shape).contiguous()
    both = _gamma_draw(torch.stack([a, b]), seed)
    return (both[0] / (both[0] + both[1])).to(dt)


def binomial(shape: Sequence[int], counts: Any, probabilities: Any, dtype: Any = None,
             seed: Any = None) -> torch.Tensor:
    """Samples from a Binomial(counts, probabilities) distribution.

    Args:
        shape: Output shape.
        counts: Number of trials, broadcastable to ``shape``.
        probabilities: Success probability, broadcastable to ``shape``.
        dtype: Float dtype of the counts drawn; floatx by default.
        seed: As for ``normal``.

    Example:
        >>> binomial((4,), counts=10, probabilities=0.5, seed=0).shape
        torch.Size([4])
    """
    dt = _float_dtype(dtype, "binomial")
    shape = _shape(shape)
    dev = default_device()
    c = torch.as_tensor(counts, dtype=torch.float32, device=dev).expand(shape).contiguous()
    p = torch.as_tensor(probabilities, dtype=torch.float32, device=dev).expand(shape).contiguous()
    return torch.binomial(c, p, generator=generator_for(seed, dev)).to(dt)
