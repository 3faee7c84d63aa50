"""``keras.utils.timeseries_dataset_from_array``: sliding windows as a batched dataset."""
from __future__ import annotations

from typing import Any

import numpy as np

from torchkeras.utils.py_dataset import PyDataset


class TimeseriesDataset(PyDataset):
    """Batches of windows over ``data`` (and the target at each window's start).

    Built by :func:`timeseries_dataset_from_array`; ``fit``/``evaluate``/``predict`` take
    it like any ``PyDataset``, and ``for batch in ds`` yields numpy batches.
    """

    def __init__(self, data: np.ndarray, targets: np.ndarray | None, starts: np.ndarray,
                 sequence_length: int, sampling_rate: int, batch_size: int | None):
        super().__init__()
        self.data = data
        self.targets = targets
        self.starts = starts
        self.offsets = np.arange(sequence_length) * sampling_rate
        self.batch_size = batch_size

    def __len__(self) -> int:
        if self.batch_size is None:
            return len(self.starts)
        return -(-len(self.starts) // self.batch_size)

    def __getitem__(self, index: int) -> Any:
        if not 0 <= index < len(self):
            raise IndexError("batch index %d out of range" % index)
        if self.batch_size is None:
            starts = self.starts[index:index + 1]
        else:
            starts = self.starts[index * self.batch_size:(index + 1) * self.batch_size]
        windows = self.data[starts[:, None] + self.offsets]
        if self.batch_size is None:
            windows = windows[0]
        if self.targets is None:
            return windows
        t = self.targets[starts]
        return windows, (t[0] if self.batch_size is None else t)


def timeseries_dataset_from_array(data: Any, targets: Any, sequence_length: int,
                                  sequence_stride: int = 1, sampling_rate: int = 1,
                                  batch_size: int | None = 128, shuffle: bool = False,
                                  seed: int | None = None, start_index: int | None = None,
                                  end_index: int | None = None) -> TimeseriesDataset:
    """Sliding windows over a timeseries, batched (Keras's semantics, as a ``PyDataset``).

    Window ``i`` is ``data[s_i : s_i + sequence_length * sampling_rate : sampling_rate]``
    for starts ``s_i = start_index, start_index + sequence_stride, ...``; its target is
    ``targets[s_i]``.

    Args:
        data: Array with time along axis 0.
        targets: Array aligned with ``data`` (or ``None`` for inputs only).
        sequence_length: Steps per window.
        sequence_stride: Steps between window starts.
        sampling_rate: Steps between samples inside a window.
        batch_size: Windows per batch; ``None`` yields single windows.
        shuffle: Shuffle the window order (once, with ``seed``).
        seed: Seed for the shuffle.
        start_index: First time step used (default 0).
        end_index: One past the last time step used (default ``len(data)``).

    Returns:
        A ``TimeseriesDataset`` (a ``PyDataset``).

    Example:
        >>> ds = timeseries_dataset_from_array(np.arange(10), None, 3, batch_size=2)
        >>> ds[0]
        array([[0, 1, 2],
               [1, 2, 3]])
    """
    data = np.asarray(data)
    for name, v in (("sequence_length", sequence_length), ("sequence_stride", sequence_stride),
                    ("sampling_rate", sampling_rate)):
        if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v <= 0:
            raise ValueError("`%s` must be a positive integer. Received: %s=%r" % (name, name, v))
    if batch_size is not None and (not isinstance(batch_size, (int, np.integer)) or batch_size <= 0):
        raise ValueError("`batch_size` must be a positive integer or None. Received: %r"
                         % (batch_size,))
    start_index = 0 if start_index is None else start_index
    end_index = len(data) if end_index is None else end_index
    if not 0 <= start_index < len(data):
        raise ValueError("`start_index` must be 0 <= start_index < len(data). Received: "
                         "start_index=%r" % (start_index,))
    if not start_index < end_index <= len(data):
        raise ValueError("`end_index` must be start_index < end_index <= len(data). "
                         "Received: end_index=%r" % (end_index,))
    if targets is not None:
        targets = np.asarray(targets)
        if len(targets) != len(data):
            raise ValueError("Expected data and targets to have the same number of time "
                             "steps. Received: data.shape=%s, targets.shape=%s"
                             % (data.shape, targets.shape))
    last_start = end_index - (sequence_length - 1) * sampling_rate
    starts = np.arange(start_index, max(last_start, start_index), sequence_stride)
    if shuffle:
        np.random.default_rng(seed).shuffle(starts)
    return TimeseriesDataset(data, targets, starts, sequence_length, sampling_rate, batch_size)
