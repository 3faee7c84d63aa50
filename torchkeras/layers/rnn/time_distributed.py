"""TimeDistributed: applies a layer to every timestep of a sequence."""
from __future__ import annotations

from torchkeras.fast_paths import call_signature
from torchkeras.layers.core.wrapper import Wrapper
from torchkeras.layers.layer import Layer


class TimeDistributed(Wrapper):
    """Applies ``layer`` to every temporal slice of an input ``(batch, time, ...)``.

    The time axis is folded into the batch, so the wrapped layer runs once on
    ``(batch * time, ...)`` — one kernel call instead of one per step — with the same
    weights for every step.

    Args:
        layer: The layer to apply.

    Example:
        >>> layer = TimeDistributed(Dense(8))
        >>> y = layer(torch.randn(4, 10, 16))    # (4, 10, 8)
    """

    def __init__(self, layer, **kwargs):
        if not isinstance(layer, Layer):
            raise ValueError("Please initialize `TimeDistributed` layer with a "
                             "`keras.layers.Layer` instance. Received: %r" % (layer,))
        super().__init__(layer, **kwargs)
        self.supports_masking = True

    def _child_shape(self, input_shape):
        if not isinstance(input_shape, (tuple, list)) or len(input_shape) < 3:
            raise ValueError("`TimeDistributed` Layer should be passed an `input_shape` with "
                             "at least 3 dimensions, received: %s" % (input_shape,))
        return (input_shape[0],) + tuple(input_shape[2:])

    def build(self, input_shape) -> None:
        child = self._child_shape(input_shape)
        if not self.layer.built:
            self.layer._maybe_build(child, getattr(self, "_build_device", None))
        self.built = True

    def compute_output_shape(self, input_shape):
        out = self.layer.compute_output_shape(self._child_shape(input_shape))
        return (out[0], input_shape[1]) + tuple(out[1:])

    def call(self, inputs, training=None, mask=None):
        batch, steps = inputs.shape[0], inputs.shape[1]
        kwargs = {}
        if mask is not None:
            if mask.dim() < 2:
                raise ValueError("The `mask` passed to the `TimeDistributed` layer must be at "
                                 "least 2D (e.g., `(batch_size, timesteps)`), but it has %d "
                                 "dimension(s) with shape %s." % (mask.dim(), tuple(mask.shape)))
            if tuple(mask.shape[:2]) != (batch, steps):
                raise ValueError("The `mask` passed to the `TimeDistributed` layer has a shape "
                                 "%s that is incompatible with the input shape %s. The first "
                                 "two dimensions of the mask (batch size and timesteps) must "
                                 "match the input's first two dimensions. Expected mask shape "
                                 "prefix: (%d, %d)." % (tuple(mask.shape), tuple(inputs.shape),
                                                        batch, steps))
            if call_signature(type(self.layer))[1]:
                kwargs["mask"] = mask.reshape((batch * steps,) + tuple(mask.shape[2:]))
        flat = inputs.reshape((batch * steps,) + tuple(inputs.shape[2:]))
        out = self.layer(flat, training=training, **kwargs)
        return out.reshape((batch, steps) + tuple(out.shape[1:]))
