"""torchkeras: the Keras workflow for PyTorch.

``import torchkeras as keras`` and write Keras 3 programs; every layer and model is a
``torch.nn.Module`` and ``fit`` runs on torch autograd (CUDA when there is one).
"""
__version__ = "0.1.0"

from torchkeras import config
from torchkeras import activations, constraints, initializers, regularizers
from torchkeras import mixed_precision
from torchkeras import layers
from torchkeras.layers import Input, InputLayer, KerasTensor, Layer
from torchkeras import losses, metrics, optimizers
from torchkeras import models
from torchkeras.models import Model, Sequential
from torchkeras import callbacks, saving, utils, datasets, distribute, applications
from torchkeras import preprocessing
from torchkeras import ops
from torchkeras.layers.layer import clear_session
from torchkeras import backend
from torchkeras import tree, random, dtype_policies, distribution, export
from torchkeras.dtype_policies import DTypePolicy, FloatDTypePolicy
from torchkeras.initializers import Initializer
from torchkeras.layers import InputSpec
from torchkeras.losses import Loss
from torchkeras.metrics import Metric
from torchkeras.optimizers import Optimizer
from torchkeras.regularizers import Regularizer
from torchkeras.scopes import (
    RematScope, StatelessScope, SymbolicScope, device, name_scope, remat,
)
from torchkeras.scopes.function import Function
from torchkeras.scopes.operation import Operation
from torchkeras.variables import Variable
from torchkeras import distillation
from torchkeras import visualization


def version() -> str:
    """The torchkeras version string (``keras.version()``)."""
    return __version__

__all__ = [
    "DTypePolicy", "FloatDTypePolicy", "Function", "Initializer", "InputSpec", "Loss", "Metric",
    "Operation", "Optimizer", "Regularizer", "RematScope", "StatelessScope", "SymbolicScope",
    "Variable", "device", "distribution", "dtype_policies", "export", "name_scope", "random",
    "remat", "tree", "version",
    "Input", "InputLayer", "KerasTensor", "Layer", "Model", "Sequential", "activations",
    "applications", "backend", "callbacks", "clear_session", "config", "constraints", "datasets",
    "distribute", "initializers", "layers", "losses", "metrics", "mixed_precision", "models",
    "ops", "optimizers", "preprocessing", "regularizers", "saving", "utils", "wrappers",
]
__all__ += ["distillation", "visualization"]


def __getattr__(name: str):
    # scikit-learn is slow to import: ``keras.wrappers`` loads it on first use only.
    if name == "wrappers":
        import importlib
        return importlib.import_module("torchkeras.wrappers")
    raise AttributeError("module 'torchkeras' has no attribute %r" % name)
