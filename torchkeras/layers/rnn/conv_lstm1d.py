"""ConvLSTM1D: a 1D convolutional LSTM."""
from __future__ import annotations

from torchkeras.layers.rnn.conv_lstm_base import ConvLSTM


class ConvLSTM1D(ConvLSTM):
    """1D convolutional LSTM: like ``LSTM`` with convolutions for both transforms.

    Inputs are ``(batch, time, steps, channels)`` (channels_last) or
    ``(batch, time, channels, ...)`` (channels_first).

    Args:
        filters: Number of output channels.
        kernel_size: Int or tuple of 1 ints.
        strides, padding, data_format, dilation_rate: As for ``Conv1D``.
        activation, recurrent_activation, use_bias, initializers, ``unit_forget_bias``,
        regularizers, constraints, dropout, recurrent_dropout, seed: As for ``LSTM``.
        return_sequences, return_state, go_backwards, stateful: See ``RNN``.

    Example:
        >>> layer = ConvLSTM1D(8, 3, padding="same", return_sequences=True)
    """

    def __init__(self, filters: int, kernel_size, strides=1, padding="valid", data_format=None,
                 dilation_rate=1, activation="tanh", recurrent_activation="sigmoid",
                 use_bias: bool = True, kernel_initializer="glorot_uniform",
                 recurrent_initializer="orthogonal", bias_initializer="zeros",
                 unit_forget_bias: bool = True, kernel_regularizer=None,
                 recurrent_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, recurrent_constraint=None, bias_constraint=None,
                 dropout: float = 0.0, recurrent_dropout: float = 0.0, seed=None,
                 return_sequences: bool = False, return_state: bool = False,
                 go_backwards: bool = False, stateful: bool = False, **kwargs):
        super().__init__(
            1, filters, kernel_size, strides=strides, padding=padding,
            data_format=data_format, dilation_rate=dilation_rate, activation=activation,
            recurrent_activation=recurrent_activation, use_bias=use_bias,
            kernel_initializer=kernel_initializer, recurrent_initializer=recurrent_initializer,
            bias_initializer=bias_initializer, unit_forget_bias=unit_forget_bias,
            kernel_regularizer=kernel_regularizer, recurrent_regularizer=recurrent_regularizer,
            bias_regularizer=bias_regularizer, activity_regularizer=activity_regularizer,
            kernel_constraint=kernel_constraint, recurrent_constraint=recurrent_constraint,
            bias_constraint=bias_constraint, dropout=dropout,
            recurrent_dropout=recurrent_dropout, seed=seed, return_sequences=return_sequences,
            return_state=return_state, go_backwards=go_backwards, stateful=stateful, **kwargs)
