"""Utilities: progress bar, PyDataset, summaries, array helpers."""
from torchkeras.config import set_random_seed
from torchkeras.utils.numerical_utils import normalize, to_categorical
from torchkeras.utils.plot_history import plot_history
from torchkeras.utils.plot_model import model_to_dot, plot_model
from torchkeras.utils.progbar import Progbar
from torchkeras.utils.py_dataset import PyDataset, Sequence

from torchkeras.datasets._download import get_file

__all__ = ["get_file", "Progbar", "PyDataset", "Sequence", "model_to_dot", "normalize", "plot_history",
           "plot_model", "set_random_seed", "to_categorical"]
