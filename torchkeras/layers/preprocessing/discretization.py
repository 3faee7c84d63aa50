"""Discretization: buckets continuous values by boundaries, given or adapted from data."""
from __future__ import annotations

import numpy as np
import torch

from torchkeras import config as _config
from torchkeras.layers.layer import Layer
from torchkeras.layers.preprocessing import quantile_summary as qs
from torchkeras.layers.preprocessing.encoding import check_output_mode, encode


class Discretization(Layer):
    """Maps each value to the index of the bucket it falls in (``b[i-1] <= x < b[i]``).

    Args:
        bin_boundaries: Sorted inner boundaries; ``n`` boundaries make ``n + 1`` bins.
        num_bins: Number of bins to learn with :meth:`adapt` (instead of boundaries).
        epsilon: Error tolerance of the adapted quantiles (memory ~ ``1 / epsilon``).
        output_mode: ``"int"`` (bucket ids, int32), ``"one_hot"``, ``"multi_hot"`` or
            ``"count"``.
        sparse: Must be ``False`` (dense outputs).

    Example:
        >>> Discretization(bin_boundaries=[0.0, 1.0, 2.0])(np.array([[-1.5, 1.0, 3.4, 0.5]]))
        tensor([[0, 2, 3, 1]], dtype=torch.int32)
    """

    def __init__(self, bin_boundaries=None, num_bins: int | None = None, epsilon: float = 0.01,
                 output_mode: str = "int", sparse: bool = False, **kwargs):
        super().__init__(**kwargs)
        self.output_mode = check_output_mode("Discretization", output_mode,
                                             ("int", "one_hot", "multi_hot", "count"))
        if sparse:
            raise ValueError("Discretization: `sparse=True` is not supported on torch; "
                             "outputs are dense.")
        if num_bins is not None and num_bins < 0:
            raise ValueError("Discretization: `num_bins` must be greater than or equal to 0. "
                             "Received: num_bins=%r" % (num_bins,))
        if num_bins is not None and bin_boundaries is not None:
            raise ValueError("Discretization: both `num_bins` and `bin_boundaries` were set "
                             "(num_bins=%r, bin_boundaries=%r); set only one."
                             % (num_bins, bin_boundaries))
        if num_bins is None and bin_boundaries is None:
            raise ValueError("Discretization: set either `num_bins` or `bin_boundaries`.")
        if bin_boundaries is not None:
            bin_boundaries = [float(b) for b in bin_boundaries]
            if any(b2 < b1 for b1, b2 in zip(bin_boundaries, bin_boundaries[1:])):
                raise ValueError("Discretization: `bin_boundaries` must be sorted; received "
                                 "%r" % (bin_boundaries,))
        self.bin_boundaries = bin_boundaries
        self.num_bins = num_bins
        self.epsilon = epsilon
        self.sparse = False
        self.summary = None if bin_boundaries else qs.empty_summary()
        self._boundaries = None

    def adapt(self, data, steps: int | None = None) -> None:
        """Learns ``num_bins`` quantile boundaries from ``data``.

        Args:
            data: An array or tensor, or an iterable of batches (list, generator,
                ``DataLoader``).
            steps: Number of batches to read from an iterable (all by default).
        """
        if self.num_bins is None:
            raise ValueError("Cannot adapt a Discretization layer that has been initialized "
                             "with `bin_boundaries`; use `num_bins` instead.")
        self.summary = qs.empty_summary()
        if isinstance(data, (np.ndarray, torch.Tensor)) or not hasattr(data, "__iter__"):
            batches = [data]
        else:
            batches = data
        for i, batch in enumerate(batches):
            if steps is not None and i >= steps:
                break
            self.update_state(batch)
        self.finalize_state()

    def update_state(self, data) -> None:
        if isinstance(data, torch.Tensor):
            data = data.detach().cpu().numpy()
        values = np.asarray(data).astype("float32")
        self.summary = qs.merge(qs.summarize(values, self.epsilon), self.summary, self.epsilon)

    def finalize_state(self) -> None:
        if self.num_bins is not None:
            self.bin_boundaries = qs.bin_boundaries(self.summary, self.num_bins)
            self._boundaries = None

    def reset_state(self) -> None:
        if self.num_bins is not None:
            self.summary = qs.empty_summary()

    def call(self, inputs):
        if self.bin_boundaries is None:
            raise ValueError("Discretization needs `bin_boundaries` at construction or a call "
                             "to `adapt(data)` before it can be used.")
        b = self._boundaries
        if b is None or b.device != inputs.device:
            b = self._boundaries = torch.tensor(self.bin_boundaries, dtype=torch.float32,
                                                device=inputs.device)
        x = inputs if inputs.is_floating_point() else inputs.float()
        ids = torch.bucketize(x, b.to(x.dtype), right=True, out_int32=True)
        return encode(ids, self.output_mode, len(self.bin_boundaries) + 1,
                      _config.to_torch_dtype(self.compute_dtype))

    def compute_output_shape(self, input_shape):
        input_shape = tuple(input_shape)
        if self.output_mode == "int":
            return input_shape
        depth = len(self.bin_boundaries) + 1 if self.bin_boundaries is not None \
            else self.num_bins
        if self.output_mode == "one_hot":
            if len(input_shape) > 1 and input_shape[-1] == 1:
                return input_shape[:-1] + (depth,)
            return input_shape + (depth,)
        return input_shape[:-1] + (depth,)

    def get_config(self) -> dict:
        return {**super().get_config(), "bin_boundaries": self.bin_boundaries,
                "num_bins": self.num_bins, "epsilon": self.epsilon,
                "output_mode": self.output_mode, "sparse": self.sparse}

    @classmethod
    def from_config(cls, config: dict, custom_objects=None):
        config = dict(config)
        if config.get("bin_boundaries") is not None and config.get("num_bins") is not None:
            # An adapted layer: keep its learned boundaries without re-adapting.
            boundaries = config.pop("bin_boundaries")
            layer = cls(**config)
            layer.bin_boundaries = boundaries
            return layer
        return cls(**config)
