"""IterableAdapter: DataLoaders, Datasets, generators and PyDatasets, batch by batch."""
from __future__ import annotations

import itertools
import types
import warnings

import numpy as np
import torch

from torchkeras import config as _config
from torchkeras.layers.keras_tensor import map_structure
from torchkeras.trainers.data_adapters.shard_plan import ShardPlan, resolve_batch_size
from torchkeras.trainers.data_adapters.data_adapter_utils import (
    class_weight_to_sample_weight, to_tensor, unpack_x_y_sample_weight)


class IterableAdapter:
    """DataLoaders, Datasets, generators and PyDatasets, copied to the device per batch."""

    def __init__(self, data, batch_size=None, shuffle=False, device=None, steps=None,
                 class_weight=None, shard=None):
        from torchkeras.utils.py_dataset import PyDataset
        self.device = device or _config.get_device()
        shard = ShardPlan.coerce(shard)
        self._rank, self._world = (shard.rank, shard.world) if shard is not None else (0, 1)
        self._sampler = None
        self.steps = steps
        self.class_weight = class_weight
        self._iterator = None
        self._peeked = []      # batches taken by peek() from a generator, served first
        self.kind = "iterable"
        if isinstance(data, torch.utils.data.DataLoader):
            self.source = data
            if self._world > 1 and not isinstance(data.dataset, torch.utils.data.IterableDataset) \
                    and not isinstance(data.sampler, torch.utils.data.DistributedSampler):
                self.source = self._distributed_loader(data.dataset, data.batch_size or 1,
                                                       shuffle, data, shard)
        elif isinstance(data, torch.utils.data.Dataset):
            iterable = isinstance(data, torch.utils.data.IterableDataset)
            size = resolve_batch_size(batch_size)
            if self._world > 1 and not iterable:
                self.source = self._distributed_loader(data, size, shuffle, None, shard)
            else:
                self.source = torch.utils.data.DataLoader(
                    data, batch_size=size, shuffle=bool(shuffle) and not iterable,
                    pin_memory=self.device.type == "cuda")
        elif isinstance(data, PyDataset):
            self.source = data
            self.kind = "py_dataset"
            self.shuffle = shuffle
        elif isinstance(data, types.GeneratorType) or (hasattr(data, "__next__")):
            self.source = data
            self.kind = "generator"
        elif hasattr(data, "__iter__"):
            self.source = data
        else:
            raise ValueError("Unrecognized data type: %r" % type(data))

    def _distributed_loader(self, dataset, batch_size, shuffle, like, shard):
        train = shard is not None and shard.kind == "train"
        seed = shard.seed if train else 0
        self._sampler = torch.utils.data.DistributedSampler(
            dataset, num_replicas=self._world, rank=self._rank,
            shuffle=bool(shuffle) and train, seed=seed, drop_last=False)
        kwargs = {}
        if like is not None:
            kwargs = {"collate_fn": like.collate_fn, "num_workers": like.num_workers,
                      "drop_last": like.drop_last}
        return torch.utils.data.DataLoader(dataset, batch_size=batch_size, sampler=self._sampler,
                                           pin_memory=self.device.type == "cuda", **kwargs)

    def __len__(self):
        if self.steps:
            return self.steps
        try:
            n = len(self.source)
        except TypeError:
            return None
        if self.kind == "py_dataset" and self._world > 1:
            return len(range(self._rank, n, self._world))
        return n

    def _to_device(self, batch):
        if isinstance(batch, (list, tuple)) and not isinstance(batch, tuple):
            batch = tuple(batch)
        non_blocking = self.device.type == "cuda"

        def move(t):
            if isinstance(t, torch.Tensor):
                return t.to(self.device, non_blocking=non_blocking)
            if isinstance(t, (np.ndarray, np.generic, float, int)):
                return to_tensor(t, self.device)
            return t
        batch = map_structure(move, batch)
        if self.class_weight is not None:
            x, y, sw = unpack_x_y_sample_weight(batch)
            cw = class_weight_to_sample_weight(y, self.class_weight)
            batch = (x, y, cw if sw is None else sw * cw)
        return batch

    def _py_dataset_batches(self):
        if hasattr(self.source, "on_epoch_begin"):
            self.source.on_epoch_begin()
        order = list(range(len(self.source)))
        if self.shuffle:
            order = torch.randperm(len(order)).tolist()
        for i in order[self._rank::self._world]:
            yield self.source[i]
        if hasattr(self.source, "on_epoch_end"):
            self.source.on_epoch_end()

    def peek(self):
        """The first batch (on the device), without using it up: a generator serves it
        again first; other sources start afresh every epoch anyway. ``None`` if empty."""
        if self.kind == "py_dataset":
            batch = self.source[0] if len(self.source) else None
        elif self.kind == "generator":
            if not self._peeked:
                batch = next(self.source, None)
                if batch is None:
                    return None
                self._peeked.append(batch)
            batch = self._peeked[0]
        else:
            batch = next(iter(self.source), None)
        return None if batch is None else self._to_device(batch)

    def _generator(self):
        if self._peeked:
            batches, self._peeked = self._peeked, []
            return itertools.chain(batches, self.source)
        return self.source

    def _fresh(self):
        if self._sampler is not None:
            self._sampler.set_epoch(getattr(self, "_epochs_seen", 0))
            self._epochs_seen = getattr(self, "_epochs_seen", 0) + 1
        if self.kind == "py_dataset":
            return self._py_dataset_batches()
        if self.kind == "generator":
            source = self._generator()
            if self._world > 1:   # round-robin: rank r keeps every world-th batch
                return (b for i, b in enumerate(source) if i % self._world == self._rank)
            return source
        return iter(self.source)

    def epoch(self, epoch: int | None = None):
        if epoch is not None:
            self._epochs_seen = epoch   # DistributedSampler.set_epoch: resumable order
        if self.steps:
            for _ in range(self.steps):
                if self._iterator is None:
                    self._iterator = self._fresh()
                try:
                    batch = next(self._iterator)
                except StopIteration:
                    if self.kind == "generator":
                        warnings.warn("Your input ran out of data; interrupting training. Make "
                                      "sure the generator can produce steps_per_epoch * epochs "
                                      "batches.")
                        return
                    self._iterator = self._fresh()
                    batch = next(self._iterator)
                yield self._to_device(batch)
            return
        for batch in self._fresh():
            yield self._to_device(batch)


