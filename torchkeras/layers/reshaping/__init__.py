"""Reshaping layers: change a tensor's shape or pad/crop/resample its spatial axes."""
from torchkeras.layers.reshaping.cropping1d import Cropping1D
from torchkeras.layers.reshaping.cropping2d import Cropping2D
from torchkeras.layers.reshaping.cropping3d import Cropping3D
from torchkeras.layers.reshaping.flatten import Flatten
from torchkeras.layers.reshaping.permute import Permute
from torchkeras.layers.reshaping.repeat_vector import RepeatVector
from torchkeras.layers.reshaping.reshape import Reshape
from torchkeras.layers.reshaping.up_sampling1d import UpSampling1D
from torchkeras.layers.reshaping.up_sampling2d import UpSampling2D
from torchkeras.layers.reshaping.up_sampling3d import UpSampling3D
from torchkeras.layers.reshaping.zero_padding1d import ZeroPadding1D
from torchkeras.layers.reshaping.zero_padding2d import ZeroPadding2D
from torchkeras.layers.reshaping.zero_padding3d import ZeroPadding3D

__all__ = ["Cropping1D", "Cropping2D", "Cropping3D", "Flatten", "Permute", "RepeatVector",
           "Reshape", "UpSampling1D", "UpSampling2D", "UpSampling3D", "ZeroPadding1D",
           "ZeroPadding2D", "ZeroPadding3D"]
