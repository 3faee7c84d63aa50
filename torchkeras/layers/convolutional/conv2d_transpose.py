"""Conv2DTranspose layer."""
from __future__ import annotations

from torchkeras.layers.convolutional.base_conv_transpose import BaseConvTranspose


class Conv2DTranspose(BaseConvTranspose):
    """2D transposed convolution (sometimes called deconvolution).

    Output sizes follow Keras: ``"same"`` gives ``input * strides``, ``"valid"`` gives
    ``(input - 1) * strides + max(kernel, strides)``, and ``output_padding`` adds to the
    right. The kernel is stored as ``nn.ConvTranspose2d`` stores it (``weight``:
    ``(in, filters, *kernel_size)``); ``get_weights`` gives Keras's
    ``(*kernel_size, filters, in)``.

    Args:
        filters: Number of output channels.
        kernel_size: Int or tuple of 2 ints.
        strides: Int or tuple of 2 ints.
        padding: ``"valid"`` or ``"same"``.
        output_padding: None, or int/tuple of 2 ints smaller than ``strides``.
        data_format: ``"channels_last"``, ``"channels_first"`` or None (global setting).
        dilation_rate: Int or tuple of 2 ints.
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
        >>> layer = Conv2DTranspose(8, 3, strides=2, padding="same")
        >>> layer(torch.randn(2, 6, 6, 4)).shape
        torch.Size([2, 12, 12, 8])
    """

    def __init__(self, filters: int, kernel_size, strides=(1, 1), padding: str = "valid",
                 output_padding=None, data_format: str | None = None, dilation_rate=(1, 1),
                 activation=None, use_bias: bool = True, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", kernel_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, kernel_constraint=None, bias_constraint=None,
                 **kwargs):
        super().__init__(rank=2, filters=filters, kernel_size=kernel_size, strides=strides,
                         padding=padding, output_padding=output_padding,
                         data_format=data_format, dilation_rate=dilation_rate,
                         activation=activation, use_bias=use_bias,
                         kernel_initializer=kernel_initializer,
                         bias_initializer=bias_initializer,
                         kernel_regularizer=kernel_regularizer,
                         bias_regularizer=bias_regularizer,
                         activity_regularizer=activity_regularizer,
                         kernel_constraint=kernel_constraint, bias_constraint=bias_constraint,
                         **kwargs)
