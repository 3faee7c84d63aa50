"""DirectoryDataset: what ``*_dataset_from_directory`` return — a torch DataLoader that
``fit`` takes directly, with Keras's ``class_names`` and ``file_paths``."""
from __future__ import annotations

import numpy as np
import torch


class FileSamples(torch.utils.data.Dataset):
    """One decoded file (and its encoded label) per index.

    Args:
        paths: File paths.
        labels: Encoded labels (a tensor indexed per sample) or ``None``.
        load: Function from a path to the decoded sample.
    """

    def __init__(self, paths: list, labels, load):
        self.paths = list(paths)
        self.labels = labels
        self.load = load

    def __len__(self) -> int:
        return len(self.paths)

    def __getitem__(self, i: int):
        x = self.load(self.paths[i])
        return x if self.labels is None else (x, self.labels[i])


def _stack(items: list):
    first = items[0]
    if isinstance(first, torch.Tensor):
        return torch.stack(items)
    if isinstance(first, str):
        return np.array(items, dtype=object)
    return torch.as_tensor(np.stack(items))


def collate(samples: list):
    """Batches samples: tensors stacked, strings gathered into a numpy array."""
    if isinstance(samples[0], tuple):
        return tuple(_stack(list(part)) for part in zip(*samples))
    return _stack(samples)


class DirectoryDataset(torch.utils.data.DataLoader):
    """Batches of decoded files, reshuffled each epoch when ``shuffle`` (seeded).

    Args:
        samples: The per-file dataset.
        batch_size: Batch size, or ``None`` for single samples.
        shuffle: Reshuffle every epoch.
        seed: Seed of the shuffle order.
        class_names: Class names in label order (``None`` without labels).
        collate_fn: How samples form a batch (stacked by default).

    Example:
        >>> ds = image_dataset_from_directory("photos", image_size=(64, 64))
        >>> ds.class_names
        ['cats', 'dogs']
        >>> model.fit(ds, epochs=3)
    """

    def __init__(self, samples: FileSamples, batch_size: int | None, shuffle: bool,
                 seed: int | None, class_names: list | None, collate_fn=None):
        generator = None
        if shuffle:
            generator = torch.Generator()
            generator.manual_seed(int(seed) if seed is not None else
                                  int(torch.randint(0, 2**31 - 1, ()).item()))
        super().__init__(samples, batch_size=batch_size, shuffle=shuffle, generator=generator,
                         collate_fn=(collate_fn or collate) if batch_size is not None else None)
        self.class_names = class_names
        self.file_paths = samples.paths
