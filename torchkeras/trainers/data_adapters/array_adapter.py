"""ArrayAdapter: in-memory arrays moved to the device once and sliced there."""
from __future__ import annotations

import math

import numpy as np
import torch

from torchkeras import config as _config
from torchkeras.layers.keras_tensor import flatten_leaves, map_structure
from torchkeras.trainers.data_adapters.shard_plan import ShardPlan, resolve_batch_size
from torchkeras.trainers.data_adapters.data_adapter_utils import (
    class_weight_to_sample_weight, fits_on_device, num_samples, pack_x_y_sample_weight,
    split_bounds, take_rows, to_tensor)


class ArrayAdapter:
    """In-memory arrays: one transfer to the device, batches sliced on the device."""

    def __init__(self, x, y=None, sample_weight=None, batch_size=None, shuffle=False,
                 class_weight=None, device=None, steps=None, shard=None):
        shard = ShardPlan.coerce(shard)
        batch_size = resolve_batch_size(batch_size)   # checked before any work
        device = device or _config.get_device()
        x = map_structure(lambda v: to_tensor(v), x)
        y = map_structure(lambda v: to_tensor(v), y) if y is not None else None
        sample_weight = to_tensor(sample_weight) if isinstance(sample_weight, (np.ndarray, list)) \
            else map_structure(lambda v: to_tensor(v), sample_weight)
        n = num_samples(x, "x")
        ny = num_samples(y, "y") if y is not None else None
        if n is not None and ny is not None and n != ny:
            raise ValueError("Data cardinality is ambiguous: x has %d samples but y has %d. "
                             "Make sure all arrays contain the same number of samples." % (n, ny))
        if sample_weight is not None:
            nw = num_samples(sample_weight, "sample_weight")
            if nw is not None and nw != n:
                raise ValueError("sample_weight has %d entries but x has %d samples: they must "
                                 "match." % (nw, n))
        if class_weight is not None:
            if sample_weight is not None:
                raise ValueError("You cannot `class_weight` and `sample_weight` at the same "
                                 "time.")
            if y is None or isinstance(y, (list, tuple, dict)):
                raise ValueError("class_weight is only supported for models with a single "
                                 "output and targets y")
            cw = class_weight_to_sample_weight(y, class_weight)
            sample_weight = cw if sample_weight is None else sample_weight * cw
        if n is None:
            raise ValueError("Could not find the number of samples: pass arrays with a batch axis")
        self._shard = shard
        if shard is not None and shard.kind == "contiguous":
            # evaluate/predict: rank r reads one contiguous slice, in order.
            r, world = shard.rank, shard.world
            if n < world:
                raise ValueError("Cannot split %d samples across %d ranks: every rank needs at "
                                 "least one sample." % (n, world))
            bounds = split_bounds(n, world)
            lo, hi = bounds[r], bounds[r + 1]
            x, y, sample_weight = map_structure(
                lambda t: t[lo:hi] if isinstance(t, torch.Tensor) else t, (x, y, sample_weight))
            n = hi - lo
            self._shard = None
        leaves = [t for t in flatten_leaves((x, y, sample_weight)) if isinstance(t, torch.Tensor)]
        on_device = fits_on_device(leaves, device)
        place = device if on_device else torch.device("cpu")

        def move(t):
            if not isinstance(t, torch.Tensor):
                return t
            t = t.to(place)
            return t.pin_memory() if (not on_device and device.type == "cuda") else t
        self.data = map_structure(move, pack_x_y_sample_weight(x, y, sample_weight))
        self.copy_to = None if on_device else device
        self._flat = all(isinstance(t, torch.Tensor) for t in self.data)
        self.num_samples = n
        self.batch_size = batch_size
        self.shuffle = shuffle
        self.device = place
        self.num_batches = math.ceil(n / batch_size)
        if self._shard is not None:
            # fit under DDP: rank r takes its part of each global batch of the epoch order.
            r, world, seed = self._shard.rank, self._shard.world, self._shard.seed
            global_batch = batch_size * world
            if n < world:
                raise ValueError("Cannot train on %d samples with %d ranks: every rank needs at "
                                 "least one sample per step." % (n, world))
            self.num_batches = n // global_batch + (1 if n % global_batch >= world else 0)
            self._global_batch, self._rank, self._world = global_batch, r, world
            self._seed, self._epoch_index = seed, 0
        self.steps = steps
        self._position = 0
        self._perm = None

    def __len__(self) -> int:
        return self.steps or self.num_batches

    def _batch(self, start: int, stop: int):
        if self._flat and self.copy_to is None:
            # Common case, (x, y[, w]) plain tensors: slice without tree mapping.
            data = self.data
            if self._perm is not None:
                idx = self._perm[start:stop]
                if len(data) == 2:
                    return data[0].index_select(0, idx), data[1].index_select(0, idx)
                return tuple(t.index_select(0, idx) for t in data)
            if len(data) == 2:
                return data[0][start:stop], data[1][start:stop]
            if len(data) == 1:
                return (data[0][start:stop],)
            return tuple(t[start:stop] for t in data)
        if self._perm is not None:
            idx = self._perm[start:stop]
            batch = map_structure(lambda t: take_rows(t, idx), self.data)
        else:
            batch = map_structure(lambda t: t[start:stop] if isinstance(t, (torch.Tensor, np.ndarray))
                                  else t, self.data)
        if self.copy_to is not None:
            batch = map_structure(lambda t: t.to(self.copy_to, non_blocking=True)
                                  if isinstance(t, torch.Tensor) else t, batch)
        return batch

    def _new_order(self) -> None:
        if self._shard is not None:
            # The same order on every rank: a generator seeded by the shared seed.
            self._perm = None
            if self.shuffle:
                g = torch.Generator().manual_seed(self._seed * 100003 + self._epoch_index)
                self._perm = torch.randperm(self.num_samples, generator=g).to(self.device)
            self._epoch_index += 1
            return
        if self.shuffle == "batch":
            nb = self.num_batches
            order = torch.randperm(nb, device=self.device)
            ar = torch.arange(self.num_samples, device=self.device)
            chunks = list(ar.split(self.batch_size))
            self._perm = torch.cat([chunks[i] for i in order.tolist()])
        elif self.shuffle:
            self._perm = torch.randperm(self.num_samples, device=self.device)
        else:
            self._perm = None

    def epoch(self, epoch: int | None = None):
        """Batches of one epoch (``steps`` batches, continuing across epochs, if set).

        ``epoch`` (the training epoch index) fixes a distributed run's shuffle order, so a
        resumed run draws the same order for the same epoch.
        """
        if epoch is not None and self._shard is not None:
            self._epoch_index = epoch
        steps = self.steps or self.num_batches
        for _ in range(steps):
            if self._position == 0:
                self._new_order()
            if self._shard is not None:
                g0 = self._position * self._global_batch
                g1 = min(g0 + self._global_batch, self.num_samples)
                bounds = split_bounds(g1 - g0, self._world)
                start, stop = g0 + bounds[self._rank], g0 + bounds[self._rank + 1]
            else:
                start = self._position * self.batch_size
                stop = min(start + self.batch_size, self.num_samples)
            self._position = (self._position + 1) % self.num_batches
            yield self._batch(start, stop)
        if not self.steps:
            self._position = 0


