"""PyDataset (Keras's ``Sequence``): a Python object serving whole batches by index."""
from __future__ import annotations


class PyDataset:
    """Base class for batch-serving datasets: implement ``__len__`` and ``__getitem__``.

    ``__getitem__(i)`` returns batch ``i`` as ``(x, y)`` or ``(x, y, sample_weight)``;
    ``on_epoch_end`` runs after each epoch (e.g. to reshuffle).

    Args:
        workers: Accepted for Keras compatibility; batches are produced in-process.
        use_multiprocessing: Accepted for Keras compatibility.
        max_queue_size: Accepted for Keras compatibility.

    Example:
        >>> class Batches(PyDataset):
        ...     def __len__(self): return 10
        ...     def __getitem__(self, i): return x[i*32:(i+1)*32], y[i*32:(i+1)*32]
    """

    def __init__(self, workers: int = 1, use_multiprocessing: bool = False,
                 max_queue_size: int = 10):
        self._workers = workers
        self._use_multiprocessing = use_multiprocessing
        self._max_queue_size = max_queue_size

    @property
    def workers(self) -> int:
        return getattr(self, "_workers", 1)

    @property
    def use_multiprocessing(self) -> bool:
        return getattr(self, "_use_multiprocessing", False)

    @property
    def max_queue_size(self) -> int:
        return getattr(self, "_max_queue_size", 10)

    def __getitem__(self, index):
        raise NotImplementedError

    def __len__(self) -> int:
        raise NotImplementedError

    @property
    def num_batches(self) -> int:
        return len(self)

    def on_epoch_begin(self) -> None:
        pass

    def on_epoch_end(self) -> None:
        pass

    def __iter__(self):
        for i in range(len(self)):
            yield self[i]


Sequence = PyDataset
