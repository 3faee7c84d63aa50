"""SeedGenerator: a seed plus a draw counter, so repeated draws differ yet replay."""
from __future__ import annotations

import random as _py_random
from typing import Any

import torch
from torch import nn

from torchkeras import config as _config

_UIDS: dict = {}
_MASK63 = (1 << 63) - 1


def _auto_name(prefix: str) -> str:
    n = _UIDS.get(prefix, 0)
    _UIDS[prefix] = n + 1
    return prefix if n == 0 else "%s_%d" % (prefix, n)


def mix_seed(seed: int, counter: int) -> int:
    """A 63-bit generator seed from ``(seed, counter)`` (splitmix64 finaliser)."""
    z = (seed * 0x9E3779B97F4A7C15 + counter + 0x632BE59BD9B4E019) & ((1 << 64) - 1)
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & ((1 << 64) - 1)
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & ((1 << 64) - 1)
    return (z ^ (z >> 31)) & _MASK63


class SeedGenerator(nn.Module):
    """Random-seed state: pass it as ``seed=`` to ``keras.random`` functions.

    Each draw uses ``(seed, counter)`` and advances the counter, so successive draws
    differ while a generator built with the same seed replays the same sequence. The
    state is a ``(2,)`` int64 buffer ``state == [seed, counter]``: a layer that holds a
    SeedGenerator carries it in its ``state_dict`` (as in Keras it is not one of the
    layer's ``weights``).

    Args:
        seed: Integer initial seed; ``None`` picks a random one.
        name: Name of the generator.

    Example:
        >>> gen = SeedGenerator(1337)
        >>> a = torchkeras.random.normal((2,), seed=gen)
        >>> b = torchkeras.random.normal((2,), seed=gen)  # differs from a
    """

    def __init__(self, seed: int | None = None, name: str | None = None, **kwargs: Any):
        if kwargs:
            raise ValueError("Unrecognized keyword arguments: %s" % (kwargs,))
        if seed is not None and (not isinstance(seed, int) or isinstance(seed, bool)):
            raise ValueError("Argument `seed` must be an integer. Received: seed=%r" % (seed,))
        super().__init__()
        self.name = name or _auto_name("seed_generator")
        self._initial_seed = seed
        self._seed = _py_random.randint(1, int(1e9)) if seed is None else seed
        self._counter = 0
        self.register_buffer("state", torch.tensor([self._seed, 0], dtype=torch.int64))
        # The Python ints drive the draws (no device read per draw); a loaded state_dict
        # brings them back in line with the buffer.
        self._register_load_state_dict_pre_hook(self._load_hook, with_module=False)

    def _load_hook(self, state_dict, prefix, *args) -> None:
        value = state_dict.get(prefix + "state")
        if value is not None:
            self._seed, self._counter = (int(v) for v in value.tolist())

    def next(self, ordered: bool = True) -> int:
        """Advances the state and returns the generator seed of this draw.

        Args:
            ordered: Kept for Keras compatibility; the counter always advances by one.
        """
        value = mix_seed(self._seed, self._counter)
        self._counter += 1
        with torch.no_grad():
            self.state[1].fill_(self._counter)
        return value

    def get_config(self) -> dict:
        return {"seed": self._initial_seed, "name": self.name}

    @classmethod
    def from_config(cls, config: dict) -> "SeedGenerator":
        return cls(**config)

    def extra_repr(self) -> str:
        return "seed=%d, counter=%d" % (self._seed, self._counter)


_GENERATORS: dict = {}


@torch.compiler.disable
def generator_for(seed: Any, device: torch.device) -> torch.Generator | None:
    """The ``torch.Generator`` to draw with, or ``None`` for torch's global RNG.

    Args:
        seed: ``None`` (global RNG), an int (same draws every call) or a SeedGenerator.
        device: Device of the draw.
    """
    if seed is None:
        return None
    if isinstance(seed, SeedGenerator):
        value = seed.next()
    elif isinstance(seed, int) and not isinstance(seed, bool):
        value = mix_seed(seed, 0)
    else:
        raise ValueError("Argument `seed` must be either an integer or an instance of "
                         "`SeedGenerator`. Received: seed=%r (of type %s)" % (seed, type(seed)))
    device = torch.device(device)
    if device.type == "meta":
        return None
    gen = _GENERATORS.get(device)
    if gen is None:
        gen = _GENERATORS[device] = torch.Generator(device=device)
    gen.manual_seed(value)
    return gen


def default_device() -> torch.device:
    return _config.get_device()
