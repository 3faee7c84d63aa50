"""ConvLSTM: the recurrent layer shared by ConvLSTM1D, ConvLSTM2D and ConvLSTM3D."""
from __future__ import annotations

from torchkeras import regularizers
from torchkeras.layers.rnn.cell_base import cell_properties
from torchkeras.layers.rnn.conv_lstm import ConvLSTMCell, conv_lstm_config
from torchkeras.layers.rnn.rnn import RNN

_PROPS = ("filters", "kernel_size", "strides", "padding", "data_format", "dilation_rate",
          "activation", "recurrent_activation", "use_bias", "kernel_initializer",
          "recurrent_initializer", "bias_initializer", "unit_forget_bias",
          "kernel_regularizer", "recurrent_regularizer", "bias_regularizer",
          "kernel_constraint", "recurrent_constraint", "bias_constraint", "dropout",
          "recurrent_dropout")


@cell_properties(*_PROPS)
class ConvLSTM(RNN):
    """N-D convolutional LSTM over inputs ``(batch, time, *spatial, channels)``
    (``(batch, time, channels, *spatial)`` with ``channels_first``).

    Args:
        rank: Number of spatial dimensions.
        filters, kernel_size, strides, padding, data_format, dilation_rate, activation,
        recurrent_activation, use_bias, kernel_initializer, recurrent_initializer,
        bias_initializer, unit_forget_bias, kernel_regularizer, recurrent_regularizer,
        bias_regularizer, kernel_constraint, recurrent_constraint, bias_constraint,
        dropout, recurrent_dropout, seed: As for ``ConvLSTMCell``.
        activity_regularizer: Penalty on the output.
        return_sequences, return_state, go_backwards, stateful: See ``RNN``.

    Example:
        >>> layer = ConvLSTM(2, 8, 3, padding="same")
        >>> y = layer(torch.randn(2, 5, 16, 16, 3))   # (2, 16, 16, 8)
    """

    def __init__(self, rank: int, filters: int, kernel_size, strides=1, padding="valid",
                 data_format=None, dilation_rate=1, activation="tanh",
                 recurrent_activation="sigmoid", use_bias: bool = True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal",
                 bias_initializer="zeros", unit_forget_bias: bool = True,
                 kernel_regularizer=None, recurrent_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, kernel_constraint=None, recurrent_constraint=None,
                 bias_constraint=None, dropout: float = 0.0, recurrent_dropout: float = 0.0,
                 seed=None, return_sequences: bool = False, return_state: bool = False,
                 go_backwards: bool = False, stateful: bool = False, **kwargs):
        cell = ConvLSTMCell(
            rank=rank, filters=filters, kernel_size=kernel_size, strides=strides,
            padding=padding, data_format=data_format, dilation_rate=dilation_rate,
            activation=activation, recurrent_activation=recurrent_activation,
            use_bias=use_bias, kernel_initializer=kernel_initializer,
            recurrent_initializer=recurrent_initializer, bias_initializer=bias_initializer,
            unit_forget_bias=unit_forget_bias, kernel_regularizer=kernel_regularizer,
            recurrent_regularizer=recurrent_regularizer, bias_regularizer=bias_regularizer,
            kernel_constraint=kernel_constraint, recurrent_constraint=recurrent_constraint,
            bias_constraint=bias_constraint, dropout=dropout,
            recurrent_dropout=recurrent_dropout, seed=seed, name="conv_lstm_cell",
            dtype=kwargs.get("dtype"))
        super().__init__(cell, return_sequences=return_sequences, return_state=return_state,
                         go_backwards=go_backwards, stateful=stateful,
                         activity_regularizer=activity_regularizer, **kwargs)
        self.rank = rank

    def build(self, sequences_shape, initial_state_shape=None) -> None:
        if len(sequences_shape) != self.rank + 3:
            raise ValueError("%s expects inputs of rank %d (batch, time, spatial..., "
                             "channels), got shape %s" % (type(self).__name__, self.rank + 3,
                                                          tuple(sequences_shape)))
        super().build(sequences_shape, initial_state_shape)

    def compute_output_shape(self, sequences_shape, initial_state_shape=None):
        batch, steps = sequences_shape[0], sequences_shape[1]
        step_shape = (batch,) + tuple(sequences_shape[2:])
        state = tuple(self.cell.compute_output_shape(step_shape)[0][1:])
        out = (batch, steps) + state if self.return_sequences else (batch,) + state
        if self.return_state:
            return out, (batch,) + state, (batch,) + state
        return out

    def compute_mask(self, inputs, mask=None):
        if isinstance(mask, (list, tuple)):
            mask = mask[0]
        out_mask = mask if self.return_sequences else None
        return [out_mask, None, None] if self.return_state else out_mask

    @property
    def state_size(self) -> list:
        return [-1, -1]

    def get_config(self) -> dict:
        config = super().get_config()
        del config["cell"]
        config.update(conv_lstm_config(self.cell))
        config["activity_regularizer"] = regularizers.serialize(self.activity_regularizer)
        return config

    @classmethod
    def from_config(cls, config: dict, custom_objects=None):
        return super(RNN, cls).from_config(config)
