"""Utilities: progress bar, PyDataset, summaries, array helpers."""
from torchkeras.config import set_random_seed
from torchkeras.utils.audio_dataset_utils import audio_dataset_from_directory
from torchkeras.utils.image_dataset_utils import image_dataset_from_directory
from torchkeras.utils.image_utils import array_to_img, img_to_array, load_img, save_img
from torchkeras.utils.numerical_utils import normalize, to_categorical
from torchkeras.utils.plot_history import plot_history
from torchkeras.utils.plot_model import model_to_dot, plot_model
from torchkeras.utils.progbar import Progbar
from torchkeras.utils.py_dataset import PyDataset, Sequence
from torchkeras.utils.sequence_utils import pad_sequences
from torchkeras.utils.split_dataset import split_dataset
from torchkeras.utils.text_dataset_utils import text_dataset_from_directory
from torchkeras.utils.timeseries_dataset_utils import timeseries_dataset_from_array

from torchkeras.datasets._download import get_file

__all__ = ["array_to_img", "audio_dataset_from_directory", "get_file",
           "image_dataset_from_directory", "img_to_array", "load_img", "model_to_dot",
           "normalize", "pad_sequences", "plot_history", "plot_model", "Progbar", "PyDataset",
           "save_img", "Sequence", "set_random_seed", "split_dataset",
           "text_dataset_from_directory", "timeseries_dataset_from_array", "to_categorical"]
