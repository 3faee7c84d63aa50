"""DepthwiseConv2D layer."""
from __future__ import annotations

from torchkeras.layers.convolutional.base_depthwise_conv import BaseDepthwiseConv


class DepthwiseConv2D(BaseDepthwiseConv):
    """2D depthwise convolution: every input channel gets its own
    ``depth_multiplier`` filters; outputs ``in * depth_multiplier`` channels.

    Stored as ``nn.Conv2d(in, in * depth_multiplier, groups=in)`` stores it
    (``weight``: ``(in * m, 1, *kernel_size)``); ``get_weights`` gives Keras's
    ``(*kernel_size, in, m)``.

    Args:
        kernel_size: Int or tuple of 2 ints.
        strides: Int or tuple of 2 ints.
        padding: ``"valid"`` or ``"same"``.
        depth_multiplier: Output channels per input channel.
        data_format: ``"channels_last"``, ``"channels_first"`` or None (global setting).
        dilation_rate: Int or tuple of 2 ints.
        activation: Activation name or callable (None: linear).
        use_bias: Whether to add a bias.
        depthwise_initializer: Kernel initializer (``"glorot_uniform"``).
        bias_initializer: Bias initializer (``"zeros"``).
        depthwise_regularizer: Penalty on the kernel.
        bias_regularizer: Penalty on the bias.
        activity_regularizer: Penalty on the output.
        depthwise_constraint: Projection of the kernel after each optimizer step.
        bias_constraint: Projection of the bias after each optimizer step.

    Example:
        >>> layer = DepthwiseConv2D(3, depth_multiplier=2, padding="same")
        >>> layer(torch.randn(2, 8, 8, 4)).shape
        torch.Size([2, 8, 8, 8])
    """

    def __init__(self, kernel_size, strides=(1, 1), padding: str = "valid",
                 depth_multiplier: int = 1, data_format: str | None = None,
                 dilation_rate=(1, 1), activation=None, use_bias: bool = True,
                 depthwise_initializer="glorot_uniform", bias_initializer="zeros",
                 depthwise_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 depthwise_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(rank=2, depth_multiplier=depth_multiplier, kernel_size=kernel_size,
                         strides=strides, padding=padding, data_format=data_format,
                         dilation_rate=dilation_rate, activation=activation, use_bias=use_bias,
                         depthwise_initializer=depthwise_initializer,
                         bias_initializer=bias_initializer,
                         depthwise_regularizer=depthwise_regularizer,
                         bias_regularizer=bias_regularizer,
                         activity_regularizer=activity_regularizer,
                         depthwise_constraint=depthwise_constraint,
                         bias_constraint=bias_constraint, **kwargs)
