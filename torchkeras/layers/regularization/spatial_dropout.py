"""SpatialDropout1D/2D/3D: drop whole feature maps instead of single entries."""
from __future__ import annotations

import torch

from torchkeras import config as _config
from torchkeras.layers.regularization.dropout import Dropout


class BaseSpatialDropout(Dropout):
    """Dropout whose keep-mask is shared over the spatial axes (one draw per channel).

    Subclasses set ``rank`` (number of spatial axes).
    """

    rank = 0

    def __init__(self, rate: float, seed: int | None = None, name: str | None = None,
                 dtype=None, data_format: str | None = None, **kwargs):
        super().__init__(rate, seed=seed, name=name, dtype=dtype, **kwargs)
        self.data_format = _config.standardize_data_format(data_format)
        self.built = False   # build checks the input rank

    def build(self, input_shape) -> None:
        if len(input_shape) != self.rank + 2:
            raise ValueError("%s expects inputs of rank %d, got shape %s"
                             % (type(self).__name__, self.rank + 2, tuple(input_shape)))
        self.built = True

    def call(self, inputs, training=None):
        if not training or self.rate == 0:
            return inputs
        if self.rate == 1:
            return torch.zeros_like(inputs)
        keep = 1.0 - self.rate
        shape = [1] * inputs.ndim
        shape[0] = inputs.shape[0]
        channel_axis = 1 if self.data_format == "channels_first" else inputs.ndim - 1
        shape[channel_axis] = inputs.shape[channel_axis]
        mask = self._rng.bernoulli_keep(shape, keep, inputs)
        return inputs * mask.to(inputs.dtype) * (1.0 / keep)

    def get_config(self) -> dict:
        # Keras writes exactly these keys for spatial dropout, with dtype as a plain name.
        return {"rate": self.rate, "seed": self.seed, "name": self.name, "dtype": self.dtype}


class SpatialDropout1D(BaseSpatialDropout):
    """Drops entire feature channels of ``(batch, steps, features)`` inputs while training.

    Args:
        rate: Fraction of channels to drop.
        seed: Integer seed for a private random stream.

    Example:
        >>> y = SpatialDropout1D(0.5)(torch.ones(2, 10, 8), training=True)
    """

    rank = 1

    def __init__(self, rate: float, seed: int | None = None, name: str | None = None,
                 dtype=None, **kwargs):
        super().__init__(rate, seed=seed, name=name, dtype=dtype,
                         data_format="channels_last", **kwargs)


class SpatialDropout2D(BaseSpatialDropout):
    """Drops entire feature maps of images while training.

    Args:
        rate: Fraction of channels to drop.
        data_format: ``"channels_last"`` (default from config) or ``"channels_first"``.
        seed: Integer seed for a private random stream.

    Example:
        >>> y = SpatialDropout2D(0.2)(torch.ones(2, 8, 8, 16), training=True)
    """

    rank = 2

    def __init__(self, rate: float, data_format: str | None = None, seed: int | None = None,
                 name: str | None = None, dtype=None, **kwargs):
        super().__init__(rate, seed=seed, name=name, dtype=dtype, data_format=data_format,
                         **kwargs)

    def get_config(self) -> dict:
        return {**super().get_config(), "data_format": self.data_format}


class SpatialDropout3D(BaseSpatialDropout):
    """Drops entire feature volumes of 3D inputs while training.

    Args:
        rate: Fraction of channels to drop.
        data_format: ``"channels_last"`` (default from config) or ``"channels_first"``.
        seed: Integer seed for a private random stream.

    Example:
        >>> y = SpatialDropout3D(0.2)(torch.ones(2, 4, 4, 4, 8), training=True)
    """

    rank = 3

    def __init__(self, rate: float, data_format: str | None = None, seed: int | None = None,
                 name: str | None = None, dtype=None, **kwargs):
        super().__init__(rate, seed=seed, name=name, dtype=dtype, data_format=data_format,
                         **kwargs)

    def get_config(self) -> dict:
        return {**super().get_config(), "data_format": self.data_format}
