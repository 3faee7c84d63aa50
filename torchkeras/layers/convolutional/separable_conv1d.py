"""SeparableConv1D layer."""
from __future__ import annotations

from torchkeras.layers.convolutional.base_separable_conv import BaseSeparableConv


class SeparableConv1D(BaseSeparableConv):
    """1D depthwise-separable convolution: a depthwise convolution, then a pointwise
    (kernel size 1) convolution mixing channels.

    Stored in torch's conv layouts: ``depthwise_weight`` ``(in * m, 1, *kernel_size)``,
    ``pointwise_weight`` ``(filters, in * m, 1)`` and ``bias``; ``get_weights``
    gives Keras's ``[depthwise_kernel, pointwise_kernel, bias]``.

    Args:
        filters: Number of output channels.
        kernel_size: Int or tuple of 1 ints (depthwise step).
        strides: Int or tuple of 1 ints (depthwise step).
        padding: ``"valid"`` or ``"same"``.
        data_format: ``"channels_last"``, ``"channels_first"`` or None (global setting).
        dilation_rate: Int or tuple of 1 ints.
        depth_multiplier: Depthwise output channels per input channel.
        activation: Activation name or callable (None: linear).
        use_bias: Whether to add a bias.
        depthwise_initializer: Depthwise kernel initializer (``"glorot_uniform"``).
        pointwise_initializer: Pointwise kernel initializer (``"glorot_uniform"``).
        bias_initializer: Bias initializer (``"zeros"``).
        depthwise_regularizer: Penalty on the depthwise kernel.
        pointwise_regularizer: Penalty on the pointwise kernel.
        bias_regularizer: Penalty on the bias.
        activity_regularizer: Penalty on the output.
        depthwise_constraint: Projection of the depthwise kernel.
        pointwise_constraint: Projection of the pointwise kernel.
        bias_constraint: Projection of the bias.

    Example:
        >>> layer = SeparableConv1D(16, 3, padding="same")
        >>> layer(torch.randn(2, 8, 4)).shape
        torch.Size([2, 8, 16])
    """

    def __init__(self, filters: int, kernel_size, strides=1, padding: str = "valid",
                 data_format: str | None = None, dilation_rate=1,
                 depth_multiplier: int = 1, activation=None, use_bias: bool = True,
                 depthwise_initializer="glorot_uniform", pointwise_initializer="glorot_uniform",
                 bias_initializer="zeros", depthwise_regularizer=None,
                 pointwise_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 depthwise_constraint=None, pointwise_constraint=None, bias_constraint=None,
                 **kwargs):
        super().__init__(rank=1, depth_multiplier=depth_multiplier, filters=filters,
                         kernel_size=kernel_size, strides=strides, padding=padding,
                         data_format=data_format, dilation_rate=dilation_rate,
                         activation=activation, use_bias=use_bias,
                         depthwise_initializer=depthwise_initializer,
                         pointwise_initializer=pointwise_initializer,
                         bias_initializer=bias_initializer,
                         depthwise_regularizer=depthwise_regularizer,
                         pointwise_regularizer=pointwise_regularizer,
                         bias_regularizer=bias_regularizer,
                         activity_regularizer=activity_regularizer,
                         depthwise_constraint=depthwise_constraint,
                         pointwise_constraint=pointwise_constraint,
                         bias_constraint=bias_constraint, **kwargs)
