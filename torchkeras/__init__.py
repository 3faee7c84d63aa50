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
from torchkeras import ops
from torchkeras.layers.layer import clear_session
from torchkeras import backend
from torchkeras.variables import Variable

__all__ = [
    "Input", "InputLayer", "KerasTensor", "Layer", "Model", "Sequential", "activations",
    "applications", "backend", "callbacks", "clear_session", "config", "constraints", "datasets",
    "distribute", "initializers", "layers", "losses", "metrics", "mixed_precision", "models",
    "ops", "optimizers", "regularizers", "saving", "utils", "Variable",
]
