"""Models: ``Model`` (functional and subclassed), ``Sequential``, and loading helpers."""
from torchkeras.models.model import Model
from torchkeras.models.functional import Functional
from torchkeras.models.sequential import Sequential
from torchkeras.models.cloning import clone_model, model_from_json

__all__ = ["Functional", "Model", "Sequential", "clone_model", "load_model", "model_from_json",
           "save_model"]


def load_model(filepath, custom_objects=None, compile: bool = True, safe_mode: bool = True):
    """Loads a model saved with ``model.save`` (see ``torchkeras.saving.load_model``)."""
    from torchkeras.saving.model_file import load_model as _load
    return _load(filepath, custom_objects=custom_objects, compile=compile, safe_mode=safe_mode)


def save_model(model, filepath, overwrite: bool = True, **kwargs) -> None:
    model.save(filepath, overwrite=overwrite, **kwargs)
