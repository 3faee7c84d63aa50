"""Adaptive average / max pooling to a fixed output size (torch's adaptive kernels)."""
from __future__ import annotations

import torch.nn.functional as F

from torchkeras import config as _config
from torchkeras.layers.convolutional import conv_utils as cu
from torchkeras.layers.layer import Layer

_FNS = {
    ("average", 1): F.adaptive_avg_pool1d, ("average", 2): F.adaptive_avg_pool2d,
    ("average", 3): F.adaptive_avg_pool3d, ("max", 1): F.adaptive_max_pool1d,
    ("max", 2): F.adaptive_max_pool2d, ("max", 3): F.adaptive_max_pool3d,
}


class BaseAdaptivePooling(Layer):
    """Pools each spatial dimension into ``output_size`` bins (bin ``i`` of ``n`` over
    ``L`` covers ``[floor(i * L / n), ceil((i + 1) * L / n))``).

    Args:
        output_size: Int or tuple of ``rank`` ints.
        data_format: ``"channels_last"``, ``"channels_first"`` or None (global setting).
    """

    rank = 1
    mode = "average"

    def __init__(self, output_size, data_format: str | None = None, **kwargs):
        cls = type(self).__name__
        if isinstance(output_size, int) and not isinstance(output_size, bool):
            output_size = (output_size,) * self.rank
        elif isinstance(output_size, (tuple, list)) and len(output_size) == self.rank:
            output_size = tuple(output_size)
        else:
            raise TypeError("%s expects `output_size` to be an integer or a tuple of %d "
                            "integers, got %r" % (cls, self.rank, output_size))
        super().__init__(**kwargs)
        self.output_size = cu.standardize_tuple(output_size, self.rank, "output_size",
                                                layer=cls)
        self.data_format = _config.standardize_data_format(data_format)
        self._fn = _FNS[(self.mode, self.rank)]
        self.built = True

    def call(self, inputs):
        if inputs.dim() != self.rank + 2:
            raise ValueError("%s expects inputs of rank %d, got shape %s"
                             % (type(self).__name__, self.rank + 2, tuple(inputs.shape)))
        y = self._fn(cu.to_nc(inputs, self.data_format), self.output_size)
        return cu.from_nc(y, self.data_format)

    def compute_output_shape(self, input_shape):
        input_shape = tuple(input_shape)
        if self.data_format == "channels_last":
            return (input_shape[0],) + self.output_size + (input_shape[-1],)
        return (input_shape[0], input_shape[1]) + self.output_size

    def get_config(self) -> dict:
        return {**super().get_config(), "output_size": self.output_size,
                "data_format": self.data_format}




class AdaptiveAveragePooling1D(BaseAdaptivePooling):
    """Adaptive average pooling of 1D inputs to a fixed ``output_size``.

    Args:
        output_size: Int or tuple of 1 ints: the output's spatial size.
        data_format: ``"channels_last"``, ``"channels_first"`` or None (global setting).

    Example:
        >>> AdaptiveAveragePooling1D(4)(torch.randn(2, 10, 3)).shape
        torch.Size([2, 4, 3])
    """

    rank = 1
    mode = "average"

    def __init__(self, output_size, data_format: str | None = None, **kwargs):
        super().__init__(output_size, data_format=data_format, **kwargs)


class AdaptiveAveragePooling2D(BaseAdaptivePooling):
    """Adaptive average pooling of 2D inputs to a fixed ``output_size``.

    Args:
        output_size: Int or tuple of 2 ints: the output's spatial size.
        data_format: ``"channels_last"``, ``"channels_first"`` or None (global setting).

    Example:
        >>> AdaptiveAveragePooling2D(4)(torch.randn(2, 10, 10, 3)).shape
        torch.Size([2, 4, 4, 3])
    """

    rank = 2
    mode = "average"

    def __init__(self, output_size, data_format: str | None = None, **kwargs):
        super().__init__(output_size, data_format=data_format, **kwargs)


class AdaptiveAveragePooling3D(BaseAdaptivePooling):
    """Adaptive average pooling of 3D inputs to a fixed ``output_size``.

    Args:
        output_size: Int or tuple of 3 ints: the output's spatial size.
        data_format: ``"channels_last"``, ``"channels_first"`` or None (global setting).

    Example:
        >>> AdaptiveAveragePooling3D(4)(torch.randn(2, 8, 8, 8, 3)).shape
        torch.Size([2, 4, 4, 4, 3])
    """

    rank = 3
    mode = "average"

    def __init__(self, output_size, data_format: str | None = None, **kwargs):
        super().__init__(output_size, data_format=data_format, **kwargs)


class AdaptiveMaxPooling1D(BaseAdaptivePooling):
    """Adaptive max pooling of 1D inputs to a fixed ``output_size``.

    Args:
        output_size: Int or tuple of 1 ints: the output's spatial size.
        data_format: ``"channels_last"``, ``"channels_first"`` or None (global setting).

    Example:
        >>> AdaptiveMaxPooling1D(4)(torch.randn(2, 10, 3)).shape
        torch.Size([2, 4, 3])
    """

    rank = 1
    mode = "max"

    def __init__(self, output_size, data_format: str | None = None, **kwargs):
        super().__init__(output_size, data_format=data_format, **kwargs)


class AdaptiveMaxPooling2D(BaseAdaptivePooling):
    """Adaptive max pooling of 2D inputs to a fixed ``output_size``.

    Args:
        output_size: Int or tuple of 2 ints: the output's spatial size.
        data_format: ``"channels_last"``, ``"channels_first"`` or None (global setting).

    Example:
        >>> AdaptiveMaxPooling2D(4)(torch.randn(2, 10, 10, 3)).shape
        torch.Size([2, 4, 4, 3])
    """

    rank = 2
    mode = "max"

    def __init__(self, output_size, data_format: str | None = None, **kwargs):
        super().__init__(output_size, data_format=data_format, **kwargs)


class AdaptiveMaxPooling3D(BaseAdaptivePooling):
    """Adaptive max pooling of 3D inputs to a fixed ``output_size``.

    Args:
        output_size: Int or tuple of 3 ints: the output's spatial size.
        data_format: ``"channels_last"``, ``"channels_first"`` or None (global setting).

    Example:
        >>> AdaptiveMaxPooling3D(4)(torch.randn(2, 8, 8, 8, 3)).shape
        torch.Size([2, 4, 4, 4, 3])
    """

    rank = 3
    mode = "max"

    def __init__(self, output_size, data_format: str | None = None, **kwargs):
        super().__init__(output_size, data_format=data_format, **kwargs)
