"""Convolution layers: stored in torch's nn.ConvNd layouts, Keras layouts at get_weights."""
from torchkeras.layers.convolutional.conv1d import Conv1D
from torchkeras.layers.convolutional.conv1d_transpose import Conv1DTranspose
from torchkeras.layers.convolutional.conv2d import Conv2D
from torchkeras.layers.convolutional.conv2d_transpose import Conv2DTranspose
from torchkeras.layers.convolutional.conv3d import Conv3D
from torchkeras.layers.convolutional.conv3d_transpose import Conv3DTranspose
from torchkeras.layers.convolutional.depthwise_conv1d import DepthwiseConv1D
from torchkeras.layers.convolutional.depthwise_conv2d import DepthwiseConv2D
from torchkeras.layers.convolutional.separable_conv1d import SeparableConv1D
from torchkeras.layers.convolutional.separable_conv2d import SeparableConv2D

# Keras 3 aliases
Convolution1D = Conv1D
Convolution2D = Conv2D
Convolution3D = Conv3D
Convolution1DTranspose = Conv1DTranspose
Convolution2DTranspose = Conv2DTranspose
Convolution3DTranspose = Conv3DTranspose
SeparableConvolution1D = SeparableConv1D
SeparableConvolution2D = SeparableConv2D

__all__ = [
    "Conv1D", "Conv2D", "Conv3D", "Conv1DTranspose", "Conv2DTranspose", "Conv3DTranspose",
    "DepthwiseConv1D", "DepthwiseConv2D", "SeparableConv1D", "SeparableConv2D",
    "Convolution1D", "Convolution2D", "Convolution3D", "Convolution1DTranspose",
    "Convolution2DTranspose", "Convolution3DTranspose", "SeparableConvolution1D",
    "SeparableConvolution2D",
]
