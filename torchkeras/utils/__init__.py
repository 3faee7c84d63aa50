"""Utilities: progress bar, PyDataset, summaries, array helpers."""
from torchkeras.config import set_random_seed
from torchkeras.utils.numerical_utils import normalize, to_categorical
from torchkeras.utils.progbar import Progbar
from torchkeras.utils.py_dataset import PyDataset, Sequence

__all__ = ["Progbar", "PyDataset", "Sequence", "normalize", "set_random_seed", "to_categorical"]
