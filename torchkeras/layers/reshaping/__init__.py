"""Reshaping layers: change a tensor's shape or pad/crop/resample its spatial axes."""
from torchkeras.layers.reshaping.flatten import Flatten
from torchkeras.layers.reshaping.reshape import Reshape

__all__ = ["Flatten", "Reshape"]
