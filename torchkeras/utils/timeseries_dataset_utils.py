"""``timeseries_dataset_from_array``: sliding windows over a series, batched for ``fit``."""
from __future__ import annotations

import numpy as np
import torch


class TimeseriesWindows(torch.utils.data.Dataset):
    """Window ``i`` of a series (and the target at its first step).

    Args:
        data: The series (array or tensor), already cut to ``[start_index, end_index)``.
        targets: Targets aligned with ``data``, or ``None``.
        starts: Start position of each window.
        sequence_length: Steps per window.
        sampling_rate: Step between the rows a window takes.
    """

    def __init__(self, data, targets, starts: np.ndarray, sequence_length: int,
                 sampling_rate: int):
        self.data = torch.as_tensor(np.asarray(data)) if not isinstance(data, torch.Tensor) \
            else data
        self.targets = None if targets is None else (
            targets if isinstance(targets, torch.Tensor) else torch.as_tensor(np.asarray(targets)))
        self.starts = torch.as_tensor(starts, dtype=torch.long)
        self.offsets = torch.arange(sequence_length, dtype=torch.long) * sampling_rate

    def __len__(self) -> int:
        return len(self.starts)

    def __getitem__(self, i):
        start = self.starts[i]
        window = self.data[start + self.offsets]
        return window if self.targets is None else (window, self.targets[start])


def _window_batch(samples: list):
    if isinstance(samples[0], tuple):
        return tuple(torch.stack(part) for part in zip(*samples))
    return torch.stack(samples)


def timeseries_dataset_from_array(data, targets, sequence_length: int, sequence_stride: int = 1,
                                  sampling_rate: int = 1, batch_size: int | None = 128,
                                  shuffle: bool = False, seed: int | None = None,
                                  start_index: int | None = None, end_index: int | None = None,
                                  format: str = "tf"):
    """Batches of sliding windows over ``data`` (with the target of each window's first
    step): the windows Keras makes, in Keras's order when not shuffled.

    Args:
        data: Array or tensor of shape ``(steps, ...)``.
        targets: Targets per step (``targets[i]`` goes with the window starting at ``i``),
            or ``None``.
        sequence_length: Steps per window.
        sequence_stride: Distance between window starts.
        sampling_rate: Distance between the steps a window takes.
        batch_size: Windows per batch; ``None`` yields single windows.
        shuffle: Shuffle the windows (once, seeded, and every epoch).
        seed: Shuffle seed.
        start_index: First step used.
        end_index: Step after the last one used.
        format: Keras's ``"tf"``/``"grain"`` choice; both give a torch DataLoader here.

    Returns:
        A ``torch.utils.data.DataLoader`` that ``fit`` takes directly.

    Example:
        >>> ds = timeseries_dataset_from_array(np.arange(100), None, sequence_length=10)
        >>> next(iter(ds)).shape
        torch.Size([91, 10])
    """
    n = len(data)
    if start_index:
        if start_index < 0:
            raise ValueError("`start_index` must be 0 or greater. Received: start_index=%r"
                             % (start_index,))
        if start_index >= n:
            raise ValueError("`start_index` must be lower than the length of the data. "
                             "Received: start_index=%r, for data of length %d" % (start_index, n))
    if end_index:
        if start_index and end_index <= start_index:
            raise ValueError("`end_index` must be higher than `start_index`. Received: "
                             "start_index=%r, and end_index=%r" % (start_index, end_index))
        if end_index >= n:
            raise ValueError("`end_index` must be lower than the length of the data. Received: "
                             "end_index=%r, for data of length %d" % (end_index, n))
        if end_index <= 0:
            raise ValueError("`end_index` must be higher than 0. Received: end_index=%r"
                             % (end_index,))
    for name, v in (("sampling_rate", sampling_rate), ("sequence_stride", sequence_stride)):
        if v <= 0:
            raise ValueError("`%s` must be higher than 0. Received: %s=%r" % (name, name, v))
        if v >= n:
            raise ValueError("`%s` must be lower than the length of the data. Received: %s=%r, "
                             "for data of length %d" % (name, name, v, n))
    if format not in ("tf", "grain"):
        raise ValueError('`format` should be either "tf" or "grain". Received: format=%r'
                         % (format,))
    start_index = start_index or 0
    end_index = end_index or n
    num = end_index - start_index - (sequence_length - 1) * sampling_rate
    if targets is not None:
        num = min(num, len(targets))
    starts = np.arange(0, max(num, 0), sequence_stride)
    generator = None
    if shuffle:
        if seed is None:
            seed = np.random.randint(1e6)
        np.random.RandomState(seed).shuffle(starts)
        generator = torch.Generator().manual_seed(int(seed))
    windows = TimeseriesWindows(data[start_index:end_index],
                                None if targets is None else targets[start_index:end_index],
                                starts, sequence_length, sampling_rate)
    return torch.utils.data.DataLoader(windows, batch_size=batch_size, shuffle=shuffle,
                                       generator=generator,
                                       collate_fn=_window_batch if batch_size else None)
