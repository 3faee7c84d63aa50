"""Conv1D layer."""
from __future__ import annotations

from torchkeras.layers.convolutional.base_conv import BaseConv


class Conv1D(BaseConv):
    """1D convolution (temporal).

    Inputs are ``(batch, steps, channels)`` (``channels_last``) or channels-first.
    The kernel is stored as ``nn.Conv1d`` stores it (``weight``:
    ``(filters, in // groups, *kernel_size)``);
    ``get_weights`` gives Keras's ``(*kernel_size, in // groups, filters)``.

    Args:
        filters: Number of output channels.
        kernel_size: Int or tuple of 1 int.
        strides: Int or tuple of 1 int.
        padding: ``"valid"``, ``"same"`` (TensorFlow's placement) or ``"causal"`` (left
            padding only).
        data_format: ``"channels_last"``, ``"channels_first"`` or None (global setting).
        dilation_rate: Int or tuple of 1 int.
        groups: Number of channel groups (``filters`` and input channels divisible by it).
        activation: Activation name or callable (None: linear).
        use_bias: Whether to add a bias.
        kernel_initializer: Kernel initializer (``"glorot_uniform"``).
        bias_initializer: Bias initializer (``"zeros"``).
        kernel_regularizer: Penalty on the kernel.
        bias_regularizer: Penalty on the bias.
        activity_regularizer: Penalty on the output.
        kernel_constraint: Projection of the kernel after each optimizer step.
        bias_constraint: Projection of the bias after each optimizer step.

    Example:
        >>> layer = Conv1D(16, 3, padding="causal")
        >>> layer(torch.randn(4, 10, 8)).shape
        torch.Size([4, 10, 16])
    """

    def __init__(self, filters: int, kernel_size, strides=1, padding: str = "valid",
                 data_format: str | None = None, dilation_rate=1, groups: int = 1,
                 activation=None, use_bias: bool = True, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", kernel_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, kernel_constraint=None, bias_constraint=None,
                 **kwargs):
        super().__init__(rank=1, filters=filters, kernel_size=kernel_size, strides=strides,
                         padding=padding, data_format=data_format, dilation_rate=dilation_rate,
                         groups=groups, activation=activation, use_bias=use_bias,
                         kernel_initializer=kernel_initializer,
                         bias_initializer=bias_initializer,
                         kernel_regularizer=kernel_regularizer,
                         bias_regularizer=bias_regularizer,
                         activity_regularizer=activity_regularizer,
                         kernel_constraint=kernel_constraint, bias_constraint=bias_constraint,
                         **kwargs)
