"""How one rank reads the data (``ShardPlan``), and the one home of ``batch_size``'s
default and validation."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

# Keras's default batch size for array inputs and for Datasets batched by the loop.
DEFAULT_BATCH_SIZE = 32


def check_batch_size(batch_size, name: str = "batch_size") -> None:
    """Raises a ValueError unless ``batch_size`` is None or a positive integer.

    Args:
        batch_size: The value to check (numpy integers accepted, bools refused).
        name: The argument's name in the message.

    Example:
        >>> check_batch_size(0)
        Traceback (most recent call last):
        ValueError: batch_size must be a positive integer, got 0
    """
    if batch_size is None:
        return
    if isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer)) \
            or batch_size <= 0:
        raise ValueError("%s must be a positive integer, got %r" % (name, batch_size))


def resolve_batch_size(batch_size, name: str = "batch_size") -> int:
    """``batch_size`` checked, with None meaning :data:`DEFAULT_BATCH_SIZE`.

    Example:
        >>> resolve_batch_size(None), resolve_batch_size(np.int64(8))
        (32, 8)
    """
    check_batch_size(batch_size, name)
    return DEFAULT_BATCH_SIZE if batch_size is None else int(batch_size)


@dataclass(frozen=True)
class ShardPlan:
    """Which part of the data this rank reads in a distributed run.

    Attributes:
        kind: ``"train"``: the rank takes its part of every global batch of one shuffled
            order shared by all ranks (``fit``); ``"contiguous"``: the rank reads one
            contiguous slice, in order (``evaluate``, ``predict``, validation).
        rank: This process's rank.
        world: Number of ranks.
        seed: Shared seed of the training order (``"train"`` only).

    Example:
        >>> ShardPlan.train(rank=1, world=4, seed=7).kind
        'train'
    """

    kind: str
    rank: int
    world: int
    seed: int = 0

    def __post_init__(self):
        if self.kind not in ("train", "contiguous"):
            raise ValueError("ShardPlan kind must be 'train' or 'contiguous', got %r"
                             % (self.kind,))
        if not 0 <= self.rank < self.world:
            raise ValueError("ShardPlan rank must be in [0, world=%d), got %r"
                             % (self.world, self.rank))

    @classmethod
    def coerce(cls, shard) -> "ShardPlan | None":
        """``shard`` as a ShardPlan: None, a ShardPlan, or the tuple form
        ``(kind, rank, world[, seed])`` older callers pass.

        Example:
            >>> ShardPlan.coerce(("contiguous", 0, 2)) == ShardPlan.contiguous(0, 2)
            True
        """
        if shard is None or isinstance(shard, cls):
            return shard
        if isinstance(shard, (tuple, list)) and 3 <= len(shard) <= 4:
            return cls(*shard)
        raise TypeError("shard must be a ShardPlan or (kind, rank, world[, seed]), got %r"
                        % (shard,))

    @classmethod
    def train(cls, rank: int, world: int, seed: int) -> "ShardPlan":
        """The plan of ``fit``: a part of each global batch, shared shuffle seed."""
        return cls("train", rank, world, seed)

    @classmethod
    def contiguous(cls, rank: int, world: int) -> "ShardPlan":
        """The plan of ``evaluate``/``predict``/validation: one slice per rank."""
        return cls("contiguous", rank, world)
