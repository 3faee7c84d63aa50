"""Data adapters: every input kind ``fit``/``evaluate``/``predict`` accept, as batches on
the training device.

Arrays (numpy or torch, nested in lists/dicts) are moved to the device once and sliced
there with a device-side permutation; DataLoaders, Datasets, generators and PyDatasets
are consumed as they are, with pinned memory and ``non_blocking`` copies on CUDA.
"""
from __future__ import annotations

import itertools
import math
import types
import warnings

import numpy as np
import torch

from torchkeras import config as _config
from torchkeras.layers.keras_tensor import _flatten, map_structure

# Arrays bigger than this fraction of free GPU memory stay on the host (pinned).
_GPU_FRACTION = 0.5


def to_tensor(x, device=None):
    """numpy/list/scalar -> tensor (floats in floatx, ints as int64); tensors unchanged."""
    if x is None or isinstance(x, torch.Tensor):
        return x if (x is None or device is None) else x.to(device)
    arr = np.asarray(x)
    if is_text_array(arr):
        return arr   # strings stay on the host; text layers turn them into ids
    if any(s < 0 for s in arr.strides):
        arr = np.ascontiguousarray(arr)
    if arr.dtype.kind == "f":
        t = torch.as_tensor(arr, dtype=_config.to_torch_dtype(None))
    elif arr.dtype.kind in "iu" and arr.dtype != np.uint8:
        t = torch.as_tensor(arr.astype(np.int64, copy=False))
    elif arr.dtype.kind == "b" or arr.dtype == np.uint8:
        t = torch.as_tensor(arr)
    elif arr.dtype.kind == "O":
        raise ValueError("Cannot convert an object array (ragged or mixed data) to a tensor: "
                         "pass numeric arrays")
    else:
        t = torch.as_tensor(arr)
    return t if device is None else t.to(device)


def is_text_array(arr: np.ndarray) -> bool:
    """Whether ``arr`` holds strings (unicode, bytes, or objects that are all ``str``)."""
    if arr.dtype.kind in "US":
        return True
    return arr.dtype.kind == "O" and arr.size > 0 and all(
        isinstance(v, (str, bytes)) for v in arr.reshape(-1)[:64])


def _take(t, idx):
    if isinstance(t, torch.Tensor):
        return t.index_select(0, idx)
    if isinstance(t, np.ndarray):
        return t[idx.cpu().numpy()]   # host-side text: one small index copy per batch
    return t


def unpack_x_y_sample_weight(data):
    """``(x,)``, ``(x, y)`` or ``(x, y, sample_weight)`` -> the three parts."""
    if isinstance(data, list):
        data = tuple(data)
    if not isinstance(data, tuple):
        return data, None, None
    if len(data) == 1:
        return data[0], None, None
    if len(data) == 2:
        return data[0], data[1], None
    if len(data) == 3:
        return data[0], data[1], data[2]
    raise ValueError("Data is expected to be (x,), (x, y) or (x, y, sample_weight), "
                     "got a tuple of length %d" % len(data))


def pack_x_y_sample_weight(x, y=None, sample_weight=None):
    if y is None:
        return (x,)
    if sample_weight is None:
        return (x, y)
    return (x, y, sample_weight)


def _num_samples(struct, what: str) -> int | None:
    sizes = {int(t.shape[0]) for t in _flatten(struct) if t is not None and t.ndim > 0}
    if len(sizes) > 1:
        raise ValueError("Data cardinality is ambiguous: %s arrays have different numbers of "
                         "samples %s. Make sure all arrays contain the same number of samples."
                         % (what, sorted(sizes)))
    return sizes.pop() if sizes else None


def _fits_on_device(tensors, device) -> bool:
    if device.type != "cuda":
        return True
    need = sum(t.numel() * t.element_size() for t in tensors)
    free, _ = torch.cuda.mem_get_info(device)
    return need <= _GPU_FRACTION * free


def _split_bounds(n: int, parts: int) -> list:
    """Boundaries of ``parts`` nearly equal contiguous pieces of ``range(n)``."""
    base, extra = divmod(n, parts)
    bounds = [0]
    for i in range(parts):
        bounds.append(bounds[-1] + base + (1 if i < extra else 0))
    return bounds


def class_weight_to_sample_weight(y: torch.Tensor, class_weight: dict) -> torch.Tensor:
    """One weight per sample from ``{class: weight}`` (labels or one-hot rows)."""
    if not class_weight:
        raise ValueError("class_weight must be a non-empty dict {class_index: weight}")
    labels = y.argmax(-1) if (y.ndim > 1 and y.shape[-1] > 1) else y.reshape(y.shape[0], -1)[:, 0]
    labels = labels.round().long() if labels.is_floating_point() else labels.long()
    n = max(int(k) for k in class_weight) + 1
    table = torch.ones(max(n, int(labels.max()) + 1 if labels.numel() else n),
                       dtype=torch.float32, device=y.device)
    for k, w in class_weight.items():
        table[int(k)] = float(w)
    return table[labels]


class ArrayAdapter:
    """In-memory arrays: one transfer to the device, batches sliced on the device."""

    def __init__(self, x, y=None, sample_weight=None, batch_size=32, shuffle=False,
                 class_weight=None, device=None, steps=None, shard=None):
        device = device or _config.get_device()
        x = map_structure(lambda v: to_tensor(v), x)
        y = map_structure(lambda v: to_tensor(v), y) if y is not None else None
        sample_weight = to_tensor(sample_weight) if isinstance(sample_weight, (np.ndarray, list)) \
            else map_structure(lambda v: to_tensor(v), sample_weight)
        n = _num_samples(x, "x")
        ny = _num_samples(y, "y") if y is not None else None
        if n is not None and ny is not None and n != ny:
            raise ValueError("Data cardinality is ambiguous: x has %d samples but y has %d. "
                             "Make sure all arrays contain the same number of samples." % (n, ny))
        if sample_weight is not None:
            nw = _num_samples(sample_weight, "sample_weight")
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
        if shard is not None and shard[0] == "contiguous":
            # evaluate/predict: rank r reads one contiguous slice, in order.
            _, r, world = shard
            if n < world:
                raise ValueError("Cannot split %d samples across %d ranks: every rank needs at "
                                 "least one sample." % (n, world))
            bounds = _split_bounds(n, world)
            lo, hi = bounds[r], bounds[r + 1]
            x, y, sample_weight = map_structure(
                lambda t: t[lo:hi] if isinstance(t, torch.Tensor) else t, (x, y, sample_weight))
            n = hi - lo
            self._shard = None
        if batch_size is None:
            batch_size = 32
        if not isinstance(batch_size, int) or batch_size <= 0:
            raise ValueError("batch_size must be a positive integer, got %r" % (batch_size,))
        leaves = [t for t in _flatten((x, y, sample_weight)) if isinstance(t, torch.Tensor)]
        on_device = _fits_on_device(leaves, device)
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
            _, r, world, seed = self._shard
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
            batch = map_structure(lambda t: _take(t, idx), self.data)
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
                bounds = _split_bounds(g1 - g0, self._world)
                start, stop = g0 + bounds[self._rank], g0 + bounds[self._rank + 1]
            else:
                start = self._position * self.batch_size
                stop = min(start + self.batch_size, self.num_samples)
            self._position = (self._position + 1) % self.num_batches
            yield self._batch(start, stop)
        if not self.steps:
            self._position = 0


class IterableAdapter:
    """DataLoaders, Datasets, generators and PyDatasets, copied to the device per batch."""

    def __init__(self, data, batch_size=None, shuffle=False, device=None, steps=None,
                 class_weight=None, shard=None):
        from torchkeras.utils.py_dataset import PyDataset
        self.device = device or _config.get_device()
        self._rank, self._world = (shard[-3], shard[-2]) if shard and shard[0] == "train" else \
            ((shard[1], shard[2]) if shard else (0, 1))
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
            if self._world > 1 and not iterable:
                self.source = self._distributed_loader(data, batch_size or 32, shuffle, None, shard)
            else:
                self.source = torch.utils.data.DataLoader(
                    data, batch_size=batch_size or 32, shuffle=bool(shuffle) and not iterable,
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
        seed = shard[-1] if shard and shard[0] == "train" else 0
        self._sampler = torch.utils.data.DistributedSampler(
            dataset, num_replicas=self._world, rank=self._rank,
            shuffle=bool(shuffle) and shard[0] == "train", seed=seed, drop_last=False)
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


def get_adapter(x, y=None, sample_weight=None, batch_size=None, shuffle=False, class_weight=None,
                device=None, steps=None, shard=None):
    """The adapter for ``x`` (and ``y``/``sample_weight`` when x is an array).

    ``shard`` splits the data across ranks: ``("train", rank, world, seed)`` gives each
    rank its part of every global batch, ``("contiguous", rank, world)`` one slice each.
    """
    if _is_array_like(x):
        return ArrayAdapter(x, y, sample_weight, batch_size=batch_size, shuffle=shuffle,
                            class_weight=class_weight, device=device, steps=steps, shard=shard)
    if y is not None:
        raise ValueError("`y` argument is not supported when using a dataset, DataLoader, "
                         "generator or PyDataset as input; yield (x, y) from it instead.")
    if sample_weight is not None:
        raise ValueError("`sample_weight` is not supported when using a dataset, DataLoader, "
                         "generator or PyDataset as input; yield (x, y, sample_weight) instead.")
    return IterableAdapter(x, batch_size=batch_size, shuffle=shuffle, device=device, steps=steps,
                           class_weight=class_weight, shard=shard)


def _is_array_like(x) -> bool:
    if isinstance(x, (np.ndarray, torch.Tensor)):
        return True
    if isinstance(x, (list, tuple)):
        return len(x) > 0 and all(_is_array_like(v) or isinstance(v, (int, float)) for v in x)
    if isinstance(x, dict):
        return all(_is_array_like(v) for v in x.values())
    return False


def train_validation_split(arrays, validation_split: float):
    """Splits arrays into (train, validation) keeping the *last* fraction for validation."""
    if not 0.0 < validation_split < 1.0:
        raise ValueError("validation_split must be a float in (0, 1), got %r" % (validation_split,))
    leaves = [t for t in _flatten(arrays) if t is not None]
    n = int(leaves[0].shape[0])
    split = int(math.floor(n * (1.0 - validation_split)))
    if split == 0 or split == n:
        raise ValueError("validation_split=%r leaves no training or no validation samples "
                         "out of %d" % (validation_split, n))

    def cut(lo, hi):
        return map_structure(lambda t: None if t is None else t[lo:hi], arrays)
    return cut(0, split), cut(split, n)
