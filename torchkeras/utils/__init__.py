"""Utilities: progress bar, PyDataset, summaries, array helpers."""
from torchkeras.backend import is_keras_tensor, standardize_dtype
from torchkeras.config import (
    disable_interactive_logging, enable_interactive_logging, is_interactive_logging_enabled,
    set_random_seed,
)
from torchkeras.layers.layer import clear_session
from torchkeras.saving.serialization import (
    CustomObjectScope, custom_object_scope, deserialize_keras_object, get_registered_name,
    get_registered_object, register_keras_serializable, serialize_keras_object,
)
from torchkeras.saving import get_custom_objects
from torchkeras.utils.config import Config
from torchkeras.utils.data_packing import pack_x_y_sample_weight, unpack_x_y_sample_weight
from torchkeras.utils.graph_utils import get_source_inputs
from torchkeras.utils.sequence_utils import pad_sequences
from torchkeras.utils.timeseries_dataset import timeseries_dataset_from_array
from torchkeras.utils.numerical_utils import normalize, to_categorical
from torchkeras.utils.plot_history import plot_history
from torchkeras.utils.plot_model import model_to_dot, plot_model
from torchkeras.utils.progbar import Progbar
from torchkeras.utils.py_dataset import PyDataset, Sequence

from torchkeras.datasets._download import get_file

__all__ = ["Config", "CustomObjectScope", "clear_session", "custom_object_scope",
           "deserialize_keras_object", "disable_interactive_logging",
           "enable_interactive_logging", "get_custom_objects", "get_registered_name",
           "get_registered_object", "get_source_inputs", "is_interactive_logging_enabled",
           "is_keras_tensor", "pack_x_y_sample_weight", "pad_sequences", "register_keras_serializable",
           "serialize_keras_object", "standardize_dtype", "timeseries_dataset_from_array", "unpack_x_y_sample_weight",
           "get_file", "Progbar", "PyDataset", "Sequence", "model_to_dot", "normalize", "plot_history",
           "plot_model", "set_random_seed", "to_categorical"]
