"""Core layers."""
from torchkeras.layers.core.activation import Activation
from torchkeras.layers.core.dense import Dense
from torchkeras.layers.core.torch_op import TorchOp
from torchkeras.layers.torch_module import TorchModuleWrapper

__all__ = ["Activation", "Dense", "TorchModuleWrapper"]
