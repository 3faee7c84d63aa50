"""CategoryEncoding: integer ids to one-hot, multi-hot or count vectors."""
from __future__ import annotations

import torch

from torchkeras import config as _config
from torchkeras.layers.layer import Layer
from torchkeras.layers.preprocessing.encoding import check_output_mode, encode


class CategoryEncoding(Layer):
    """Encodes integer features whose number of values is known in advance.

    Args:
        num_tokens: Number of distinct ids; inputs must lie in ``[0, num_tokens)``.
        output_mode: ``"multi_hot"`` (default: a 1 for each id in the sample, the last
            axis being the sample), ``"one_hot"`` (one vector per id) or ``"count"``
            (how often each id occurs, optionally weighted by ``count_weights``).
        sparse: Accepted for Keras compatibility; must be ``False`` (dense outputs).

    Example:
        >>> CategoryEncoding(num_tokens=4, output_mode="one_hot")([3, 2, 0, 1])
        tensor([[0., 0., 0., 1.], [0., 0., 1., 0.], [1., 0., 0., 0.], [0., 1., 0., 0.]])
    """

    def __init__(self, num_tokens: int | None = None, output_mode: str = "multi_hot",
                 sparse: bool = False, **kwargs):
        super().__init__(**kwargs)
        self.output_mode = check_output_mode("CategoryEncoding", output_mode,
                                             ("count", "one_hot", "multi_hot"))
        if num_tokens is None:
            raise ValueError("CategoryEncoding: `num_tokens` must be set. If the number of "
                             "tokens is not known beforehand, use IntegerLookup instead.")
        if num_tokens < 1:
            raise ValueError("CategoryEncoding: `num_tokens` must be >= 1. Received: "
                             "num_tokens=%r." % (num_tokens,))
        if sparse:
            raise ValueError("CategoryEncoding: `sparse=True` is not supported on torch; "
                             "outputs are dense.")
        self.num_tokens = int(num_tokens)
        self.sparse = False

    def call(self, inputs, count_weights=None):
        if count_weights is not None:
            if self.output_mode != "count":
                raise ValueError("`count_weights` is only used when `output_mode` is "
                                 "'count'. Received output_mode=%r." % self.output_mode)
            count_weights = torch.as_tensor(count_weights, device=inputs.device,
                                            dtype=_config.to_torch_dtype(self.compute_dtype))
        return encode(inputs, self.output_mode, self.num_tokens, self._out_dtype, count_weights)

    @property
    def _out_dtype(self) -> torch.dtype:
        return _config.to_torch_dtype(self.compute_dtype)

    def compute_output_shape(self, input_shape):
        input_shape = tuple(input_shape)
        if not input_shape:
            return (self.num_tokens,)
        if self.output_mode == "one_hot" and (input_shape[-1] != 1 or len(input_shape) == 1):
            return input_shape + (self.num_tokens,)
        return input_shape[:-1] + (self.num_tokens,)

    def get_config(self) -> dict:
        return {**super().get_config(), "num_tokens": self.num_tokens,
                "output_mode": self.output_mode}
