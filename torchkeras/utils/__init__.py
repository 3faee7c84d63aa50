"""Utilities: progress bar, PyDataset, summaries, dataset builders, array and image helpers."""
from torchkeras.backend import is_keras_tensor, standardize_dtype
from torchkeras.config import (
    disable_interactive_logging, enable_interactive_logging, is_interactive_logging_enabled,
    set_random_seed,
)
from torchkeras.layers.layer import clear_session
from torchkeras.saving import get_custom_objects
from torchkeras.saving.serialization import (
    CustomObjectScope, custom_object_scope, deserialize_keras_object, get_registered_name,
    get_registered_object, register_keras_serializable, serialize_keras_object,
)
from torchkeras.utils.audio_dataset_utils import audio_dataset_from_directory
from torchkeras.utils import bounding_boxes
from torchkeras.utils.config import Config
from torchkeras.utils.feature_space import FeatureSpace
from torchkeras.utils.data_packing import pack_x_y_sample_weight, unpack_x_y_sample_weight
from torchkeras.utils.graph_utils import get_source_inputs
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

__all__ = ["array_to_img", "audio_dataset_from_directory", "bounding_boxes", "clear_session", "Config",
           "custom_object_scope", "CustomObjectScope", "deserialize_keras_object",
           "disable_interactive_logging", "enable_interactive_logging", "FeatureSpace", "get_custom_objects",
           "get_file", "get_registered_name", "get_registered_object", "get_source_inputs",
           "image_dataset_from_directory", "img_to_array", "is_interactive_logging_enabled",
           "is_keras_tensor", "load_img", "model_to_dot", "normalize",
           "pack_x_y_sample_weight", "pad_sequences", "plot_history", "plot_model", "Progbar",
           "PyDataset", "register_keras_serializable", "save_img", "Sequence",
           "serialize_keras_object", "set_random_seed", "split_dataset", "standardize_dtype",
           "text_dataset_from_directory", "timeseries_dataset_from_array", "to_categorical",
           "unpack_x_y_sample_weight"]
