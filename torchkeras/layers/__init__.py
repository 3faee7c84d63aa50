"""Layers: every one a ``torch.nn.Module`` with Keras's constructor, config and weights.

Each family folder exports its public names through ``__all__``.
"""
from torchkeras.layers.layer import Layer
from torchkeras.layers.input_layer import Input, InputLayer
from torchkeras.layers.keras_tensor import KerasTensor
from torchkeras.layers.core import *  # noqa: F401,F403
from torchkeras.layers.activations import *  # noqa: F401,F403
from torchkeras.layers.convolutional import *  # noqa: F401,F403
from torchkeras.layers.pooling import *  # noqa: F401,F403
from torchkeras.layers.normalization import *  # noqa: F401,F403
from torchkeras.layers.regularization import *  # noqa: F401,F403
from torchkeras.layers.reshaping import *  # noqa: F401,F403
from torchkeras.layers.merging import *  # noqa: F401,F403
from torchkeras.layers.rnn import *  # noqa: F401,F403
from torchkeras.layers.attention import *  # noqa: F401,F403
from torchkeras.layers.preprocessing import *  # noqa: F401,F403
from torchkeras.layers.input_spec import InputSpec
from torchkeras.layers.serialization import deserialize, serialize
