"""CSVLogger: streams each epoch's logs to a CSV file."""
from __future__ import annotations

import collections.abc
import csv
import os

import numpy as np

from torchkeras.callbacks.callback import Callback
from torchkeras.callbacks.model_checkpoint import is_chief


class CSVLogger(Callback):
    """Writes one row per epoch: ``epoch`` then the log keys in sorted order.

    When no validation keys appear in the first epoch, ``val_*`` columns are still
    created (filled with ``NA``), as Keras does.

    Args:
        filename: Path of the CSV file.
        separator: Column separator.
        append: Append to an existing file (its header is kept) instead of overwriting.

    Example:
        >>> model.fit(x, y, epochs=5, callbacks=[CSVLogger("training.log")])
    """

    def __init__(self, filename, separator: str = ",", append: bool = False):
        super().__init__()
        self.sep = separator
        self.filename = os.fspath(filename)
        self.append = append
        self.writer = None
        self.keys = None
        self.append_header = True
        self.csv_file = None

    def on_train_begin(self, logs=None):
        if not is_chief():   # one writer under torch.distributed: rank 0
            return
        if self.append:
            if os.path.exists(self.filename):
                with open(self.filename, "r", newline="") as f:
                    self.append_header = not bool(len(f.readline()))
            mode = "a"
        else:
            mode = "w"
        if self.csv_file is not None and not self.csv_file.closed:
            self.csv_file.close()
        self.csv_file = open(self.filename, mode, newline="")
        self.writer = None
        self.keys = None

    def on_epoch_end(self, epoch, logs=None):
        if self.csv_file is None or self.csv_file.closed:
            return
        logs = logs or {}
        if self.keys is None:
            self.keys = sorted(logs)
            if self.keys and not any(k.startswith("val_") for k in self.keys):
                self.keys.extend("val_" + k for k in list(self.keys))
        if self.writer is None:
            dialect = type("_Dialect", (csv.excel,), {"delimiter": self.sep})
            self.writer = csv.DictWriter(self.csv_file, fieldnames=["epoch"] + self.keys,
                                         dialect=dialect)
            if self.append_header:
                self.writer.writeheader()
        row = {"epoch": epoch}
        row.update((k, _cell(logs.get(k, "NA"))) for k in self.keys)
        self.writer.writerow(row)
        self.csv_file.flush()

    def on_train_end(self, logs=None):
        if self.csv_file is not None and not self.csv_file.closed:
            self.csv_file.close()
        self.writer = None


def _cell(value):
    if isinstance(value, str):
        return value
    if hasattr(value, "detach"):
        value = value.detach().cpu().numpy()
    if isinstance(value, np.ndarray) and value.ndim == 0:
        return value.item()
    if isinstance(value, collections.abc.Iterable):
        return '"[%s]"' % ", ".join(map(str, value))
    return value
