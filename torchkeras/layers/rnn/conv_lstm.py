"""ConvLSTMCell and ConvLSTM: an LSTM whose input and recurrent transforms are convolutions.

The input convolution of every timestep runs as one convolution over
``(batch * time, ...)``; only the recurrent convolution is stepped. Kernels are stored
in torch's convolution layout (``weight_ih`` ``(4 * filters, channels, *kernel)``,
``weight_hh`` ``(4 * filters, filters, *kernel)``, ``bias``), while ``get_weights``
gives Keras's ``(*kernel, channels, 4 * filters)`` layouts.
"""
from __future__ import annotations

import numbers

import torch
import torch.nn.functional as F

from torchkeras import activations, config as _config, constraints, initializers, regularizers
from torchkeras.activations.fast import fast_activation
from torchkeras.layers.convolutional import conv_utils as cu
from torchkeras.layers.layer import Layer
from torchkeras.layers.rnn.cell_base import clip_rate, forget_bias_initializer
from torchkeras.layers.rnn.dropout_rnn_cell import DropoutRNNCell


class ConvLSTMCell(Layer, DropoutRNNCell):
    """One step of a convolutional LSTM (used by ``ConvLSTM1D/2D/3D``).

    Args:
        rank: Number of spatial dimensions (1, 2 or 3).
        filters: Number of output channels.
        kernel_size, strides, padding, data_format, dilation_rate: As for convolutions
            (the recurrent convolution always uses stride 1 and ``"same"`` padding).
        activation, recurrent_activation, use_bias, kernel_initializer,
        recurrent_initializer, bias_initializer, unit_forget_bias, kernel_regularizer,
        recurrent_regularizer, bias_regularizer, kernel_constraint, recurrent_constraint,
        bias_constraint, dropout, recurrent_dropout, seed: As for ``LSTMCell``.

    Example:
        >>> cell = ConvLSTMCell(2, 8, 3, padding="same")
        >>> layer = RNN(cell)
    """

    projected_cell = True   # cell_protocol.ProjectedCell: RNN projects whole sequences

    def __init__(self, rank: int, filters: int, kernel_size, strides=1, padding="valid",
                 data_format=None, dilation_rate=1, activation="tanh",
                 recurrent_activation="sigmoid", use_bias: bool = True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal",
                 bias_initializer="zeros", unit_forget_bias: bool = True,
                 kernel_regularizer=None, recurrent_regularizer=None, bias_regularizer=None,
                 kernel_constraint=None, recurrent_constraint=None, bias_constraint=None,
                 dropout: float = 0.0, recurrent_dropout: float = 0.0, seed=None, **kwargs):
        super().__init__(**kwargs)
        name = type(self).__name__
        if rank > 3:
            raise ValueError("Rank %d convolutions are not currently implemented. Received: "
                             "rank=%d" % (rank, rank))
        if isinstance(filters, bool) or not isinstance(filters, numbers.Integral) or filters <= 0:
            raise ValueError("%s expects `filters` to be a positive integer, got %r"
                             % (name, filters))
        filters = int(filters)  # numpy integers too, as Keras takes them
        self.seed = seed
        self.rank = rank
        self.filters = filters
        self.kernel_size = cu.standardize_tuple(kernel_size, rank, "kernel_size", layer=name)
        self.strides = cu.standardize_tuple(strides, rank, "strides", allow_zero=True,
                                            layer=name)
        self.padding = cu.standardize_padding(padding, layer=name)
        self.data_format = _config.standardize_data_format(data_format)
        self.dilation_rate = cu.standardize_tuple(dilation_rate, rank, "dilation_rate",
                                                  layer=name)
        if max(self.strides) > 1 and max(self.dilation_rate) > 1:
            raise ValueError("Specifying `strides > 1` is not compatible with `dilation_rate "
                             "> 1`. Please provide `strides=1` or `dilation_rate=1`. "
                             "Received: strides=%s and dilation_rate=%s"
                             % (self.strides, self.dilation_rate))
        self.activation = activations.get(activation)
        self.recurrent_activation = activations.get(recurrent_activation)
        self._act = fast_activation(self.activation)
        self._ract = fast_activation(self.recurrent_activation)
        self.use_bias = bool(use_bias)
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.recurrent_initializer = initializers.get(recurrent_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.unit_forget_bias = bool(unit_forget_bias)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.recurrent_regularizer = regularizers.get(recurrent_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.recurrent_constraint = constraints.get(recurrent_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self.dropout = clip_rate(dropout)
        self.recurrent_dropout = clip_rate(recurrent_dropout)
        self.dropout_mask_count = 4
        self.state_size = -1   # states are feature maps, see get_initial_state

    # ------------------------------------------------------------ weights
    def build(self, inputs_shape, states_shape=None) -> None:
        first = self.data_format == "channels_first"
        spatial = tuple(inputs_shape[2:]) if first else tuple(inputs_shape[1:-1])
        if None in spatial:
            raise ValueError("ConvLSTM layers only support static input shapes for the "
                             "spatial dimension. Received invalid input shape: input_shape=%s"
                             % (tuple(inputs_shape),))
        channels = inputs_shape[1] if first else inputs_shape[-1]
        if channels is None:
            raise ValueError("The channel dimension of the inputs (last axis) should be "
                             "defined. Found None. Full input shape received: input_shape=%s"
                             % (tuple(inputs_shape),))
        self.spatial_dims, self.input_dim = spatial, channels
        nd = self.rank + 2
        to_t = lambda k: k.permute(cu.keras_to_torch_perm(nd))  # noqa: E731
        to_k = lambda w: w.permute(cu.torch_to_keras_perm(nd))  # noqa: E731
        four = 4 * self.filters
        for key, name, shape, init, reg, con in (
                ("weight_ih", "kernel", self.kernel_size + (channels, four),
                 self.kernel_initializer, self.kernel_regularizer, self.kernel_constraint),
                ("weight_hh", "recurrent_kernel", self.kernel_size + (self.filters, four),
                 self.recurrent_initializer, self.recurrent_regularizer,
                 self.recurrent_constraint)):
            kvar = self.add_weight(name=name, shape=shape, initializer=init, regularizer=reg,
                                   constraint=con)
            self._parameters = {k: p for k, p in self._parameters.items() if p is not kvar}
            self.register_parameter(key, cu.torch_variable(kvar, to_t, to_k))
        if self.use_bias:
            init = (forget_bias_initializer(self.bias_initializer, self.filters)
                    if self.unit_forget_bias else self.bias_initializer)
            self.add_weight(name="bias", shape=(four,), initializer=init,
                            regularizer=self.bias_regularizer, constraint=self.bias_constraint)
        self._in_pad = self._padding(spatial, self.kernel_size, self.strides,
                                     self.dilation_rate, self.padding)
        ones = (1,) * self.rank
        self._rec_pad = self._padding(self._out_spatial(spatial), self.kernel_size, ones, ones,
                                      "same")
        self.built = True

    @staticmethod
    def _padding(spatial, kernel, strides, dilation, padding):
        """(torch padding, explicit F.pad list or None) of Keras's "valid"/"same"."""
        if padding == "valid":
            return 0, None
        return cu.same_padding_args(spatial, kernel, strides, dilation)

    def _out_spatial(self, spatial):
        return tuple(cu.conv_output_length(s, k, st, self.padding, d) for s, k, st, d in
                     zip(spatial, self.kernel_size, self.strides, self.dilation_rate))

    def _to_keras_layout(self, key, tensor):
        if key in ("weight_ih", "weight_hh"):
            return tensor.permute(cu.torch_to_keras_perm(tensor.dim()))
        return tensor

    def _from_keras_layout(self, key, tensor):
        if key in ("weight_ih", "weight_hh"):
            return tensor.permute(cu.keras_to_torch_perm(tensor.dim()))
        return tensor

    @property
    def kernel(self):
        return self._to_keras_layout("weight_ih", self.weight_ih)

    @property
    def recurrent_kernel(self):
        return self._to_keras_layout("weight_hh", self.weight_hh)

    # ------------------------------------------------------------ computation
    def _conv(self, x, weight, bias, strides, dilation, pad):
        padding, explicit = pad
        if explicit is not None:
            x = F.pad(x, explicit)
        return cu.conv(x, weight, bias, strides, padding, dilation)

    def _gate_conv(self, xs, weight, bias, strides, dilation, pad):
        if not isinstance(xs, list):
            return self._conv(xs, weight, bias, strides, dilation, pad)
        ws = weight.chunk(4, 0)
        bs = bias.chunk(4, 0) if bias is not None else [None] * 4
        return torch.cat([self._conv(x, w, b, strides, dilation, pad)
                          for x, w, b in zip(xs, ws, bs)], 1)

    def project(self, x, training=None):
        """Input convolution of every step at once: (B, T, ...) -> (B, T, 4F, *spatial)."""
        batch, steps = x.shape[0], x.shape[1]
        xs = x
        if training and self.dropout > 0:
            masks = self.get_dropout_mask(x[:, 0])
            xs = [x * m.unsqueeze(1) for m in masks]
        fold = (lambda t: cu.to_nc(t.reshape((batch * steps,) + tuple(t.shape[2:])),  # noqa
                                   self.data_format))
        xs = [fold(t) for t in xs] if isinstance(xs, list) else fold(xs)
        bias = self.bias if self.use_bias else None
        out = self._gate_conv(xs, self.weight_ih, bias, self.strides, self.dilation_rate,
                              self._in_pad)
        return out.reshape((batch, steps) + tuple(out.shape[1:]))

    def step(self, xp, states, training=None):
        fmt = self.data_format
        h, c = cu.to_nc(states[0], fmt), cu.to_nc(states[1], fmt)
        hs = h
        if training and self.recurrent_dropout > 0:
            hs = [h * cu.to_nc(m, fmt) for m in self.get_recurrent_dropout_mask(states[0])]
        ones = (1,) * self.rank
        z = xp + self._gate_conv(hs, self.weight_hh, None, ones, ones, self._rec_pad)
        i, f, g, o = z.chunk(4, 1)
        ract = self._ract
        c = ract(f) * c + ract(i) * self._act(g)
        h = cu.from_nc(ract(o) * self._act(c), fmt)
        return h, [h, cu.from_nc(c, fmt)]

    def call(self, inputs, states, training=None):
        return self.step(self.project(inputs.unsqueeze(1), training)[:, 0], list(states),
                          training)

    def compute_output_shape(self, inputs_shape, states_shape=None):
        shape = cu.conv_output_shape(inputs_shape, self.filters, self.kernel_size,
                                     self.strides, self.padding, self.data_format,
                                     self.dilation_rate, layer=type(self).__name__)
        return shape, [shape, shape]

    def get_initial_state(self, batch_size=None) -> list:
        if self.data_format == "channels_last":
            shape = (batch_size,) + self.spatial_dims + (self.input_dim,)
        else:
            shape = (batch_size, self.input_dim) + self.spatial_dims
        out = self.compute_output_shape(shape)[0]
        w = self.weight_ih
        return [torch.zeros(out, dtype=w.dtype, device=w.device) for _ in range(2)]

    def get_config(self) -> dict:
        return {**super().get_config(), **conv_lstm_config(self)}


def conv_lstm_config(cell) -> dict:
    return {
        "filters": cell.filters,
        "kernel_size": cell.kernel_size,
        "strides": cell.strides,
        "padding": cell.padding,
        "data_format": cell.data_format,
        "dilation_rate": cell.dilation_rate,
        "activation": activations.serialize(cell.activation),
        "recurrent_activation": activations.serialize(cell.recurrent_activation),
        "use_bias": cell.use_bias,
        "kernel_initializer": initializers.serialize(cell.kernel_initializer),
        "recurrent_initializer": initializers.serialize(cell.recurrent_initializer),
        "bias_initializer": initializers.serialize(cell.bias_initializer),
        "unit_forget_bias": cell.unit_forget_bias,
        "kernel_regularizer": regularizers.serialize(cell.kernel_regularizer),
        "recurrent_regularizer": regularizers.serialize(cell.recurrent_regularizer),
        "bias_regularizer": regularizers.serialize(cell.bias_regularizer),
        "kernel_constraint": constraints.serialize(cell.kernel_constraint),
        "recurrent_constraint": constraints.serialize(cell.recurrent_constraint),
        "bias_constraint": constraints.serialize(cell.bias_constraint),
        "dropout": cell.dropout,
        "recurrent_dropout": cell.recurrent_dropout,
        "seed": cell.seed,
    }
