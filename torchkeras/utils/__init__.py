"""Utilities: progress bar, PyDataset, summaries, array helpers."""
from torchkeras.config import set_random_seed
from torchkeras.utils.image_dataset_utils import image_dataset_from_directory
from torchkeras.utils.image_utils import array_to_img, img_to_array, load_img, save_img
from torchkeras.utils.numerical_utils import normalize, to_categorical
from torchkeras.utils.plot_history import plot_history
from torchkeras.utils.plot_model import model_to_dot, plot_model
from torchkeras.utils.progbar import Progbar
from torchkeras.utils.py_dataset import PyDataset, Sequence
from torchkeras.utils.text_dataset_utils import text_dataset_from_directory

from torchkeras.datasets._download import get_file

__all__ = ["array_to_img", "get_file", "image_dataset_from_directory", "img_to_array",
           "load_img", "save_img", "text_dataset_from_directory", "Progbar", "PyDataset", "Sequence", "model_to_dot", "normalize", "plot_history",
           "plot_model", "set_random_seed", "to_categorical"]
