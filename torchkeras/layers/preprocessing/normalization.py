"""Normalization: ``(x - mean) / sqrt(variance)`` with statistics given or learned by ``adapt``."""
from __future__ import annotations

import itertools
import math

import numpy as np
import torch

from torchkeras import config as _config
from torchkeras.layers.layer import Layer


def _first_of_batch(batch):
    # (x, y) / (x, y, sample_weight) batches, and the lists a DataLoader collates them to.
    if isinstance(batch, (tuple, list)) and batch and hasattr(batch[0], "shape"):
        return batch[0]
    return batch


def _batches_of(dataset):
    for i in range(len(dataset)):
        yield dataset[i]


class Normalization(Layer):
    """Shifts and scales inputs to zero mean and unit variance per feature.

    The statistics are passed as ``mean``/``variance`` or computed with :meth:`adapt`; in
    the latter case they are the layer's non-trainable weights ``mean``, ``variance`` (and
    Keras's legacy ``count``), so they are saved, loaded and moved with the model. The
    output is ``(x - mean) / max(sqrt(variance), epsilon)`` (or its inverse).

    Args:
        axis: Axis or axes that keep separate statistics (``-1``: one per feature of the
            last axis); ``None`` for one scalar mean and variance.
        mean: Mean value(s), broadcast to the kept axes. Needs ``variance`` too.
        variance: Variance value(s), broadcast to the kept axes.
        invert: Apply the inverse transformation (de-normalize).

    Example:
        >>> norm = Normalization()
        >>> norm.adapt(np.array([[0., 7.], [2., 9.]]))
        >>> norm(torch.tensor([[0., 7.]]))
        tensor([[-1., -1.]])
    """

    def __init__(self, axis=-1, mean=None, variance=None, invert: bool = False, **kwargs):
        super().__init__(**kwargs)
        if axis is None:
            axis = ()
        elif isinstance(axis, int) and not isinstance(axis, bool):
            axis = (axis,)
        else:
            try:
                axis = tuple(axis)
            except TypeError:
                raise ValueError("Normalization expects `axis` to be an int, a tuple of ints "
                                 "or None. Received: axis=%r" % (axis,)) from None
            if not all(isinstance(a, int) and not isinstance(a, bool) for a in axis):
                raise ValueError("Normalization expects `axis` to be an int, a tuple of ints "
                                 "or None. Received: axis=%r" % (axis,))
        self.axis = axis
        if (mean is not None) != (variance is not None):
            raise ValueError("When setting values directly, both `mean` and `variance` must be "
                             "set. Received: mean=%r and variance=%r" % (mean, variance))
        if mean is not None:
            if np.shape(mean) != np.shape(variance):
                raise ValueError("When setting values directly, `mean` and `variance` must "
                                 "have the same shape. Received: mean shape %s and variance "
                                 "shape %s" % (np.shape(mean), np.shape(variance)))
            if len(np.shape(mean)) > len(self.axis):
                raise ValueError("The rank of `mean` must be less than or equal to the number "
                                 "of axes (%d). Received: mean shape %s for axis %s"
                                 % (len(self.axis), np.shape(mean), self.axis))
        self.input_mean = mean
        self.input_variance = variance
        self.invert = invert
        self.supports_masking = True

    # ------------------------------------------------------------------ build
    def build(self, input_shape) -> None:
        input_shape = tuple(input_shape)
        ndim = len(input_shape)
        if any(a < -ndim or a >= ndim for a in self.axis):
            raise ValueError("Normalization: all `axis` values must be in the range "
                             "[-ndim, ndim). Received inputs with ndim=%d, while axis=%s"
                             % (ndim, self.axis))
        keep = tuple(sorted(a % ndim for a in self.axis))
        for d in keep:
            if input_shape[d] is None:
                raise ValueError("Normalization: all `axis` values to be kept must have a "
                                 "known shape. Received axis=%s, inputs.shape=%s, with unknown "
                                 "axis at index %d" % (self.axis, input_shape, d))
        self._ndim = ndim
        self._keep_axis = keep
        self._reduce_axis = tuple(d for d in range(ndim) if d not in keep)
        self._broadcast_shape = tuple(input_shape[d] if d in keep else 1 for d in range(ndim))
        self._mean_and_var_shape = tuple(input_shape[d] for d in keep)
        self._adapt_shape = input_shape
        if self.input_mean is None:
            self.mean = self.add_weight(name="mean", shape=self._mean_and_var_shape,
                                        initializer="zeros", trainable=False)
            self.variance = self.add_weight(name="variance", shape=self._mean_and_var_shape,
                                            initializer="ones", trainable=False)
            # Keras keeps this (always 0) for backwards compatibility of saved models.
            self.count = self.add_weight(name="count", shape=(), dtype="int32",
                                         initializer="zeros", trainable=False)
        else:
            dtype = _config.to_torch_dtype(self.compute_dtype)
            self.register_buffer("mean", self._broadcast(self.input_mean, dtype),
                                 persistent=False)
            self.register_buffer("variance", self._broadcast(self.input_variance, dtype),
                                 persistent=False)
        self.built = True

    def _broadcast(self, value, dtype) -> torch.Tensor:
        arr = torch.as_tensor(np.asarray(value, dtype="float64"))
        if arr.dim() > 0:
            # Align the given dims with the kept axes from the right.
            shape = [1] * self._ndim
            for i in range(1, arr.dim() + 1):
                shape[self._keep_axis[-i]] = arr.shape[-i]
            arr = arr.reshape(shape)
        try:
            arr = torch.broadcast_to(arr, self._broadcast_shape)
        except RuntimeError:
            raise ValueError("Normalization: `mean`/`variance` of shape %s cannot be broadcast "
                             "to the kept axes shape %s" % (np.shape(value),
                                                            self._broadcast_shape)) from None
        return arr.to(device=self._weight_device(), dtype=dtype).contiguous()

    # ------------------------------------------------------------------ call
    def call(self, inputs):
        dtype = _config.to_torch_dtype(self.compute_dtype)
        x = inputs if inputs.dtype == dtype else inputs.to(dtype)
        mean = self.mean.reshape(self._broadcast_shape)
        var = self.variance.reshape(self._broadcast_shape)
        if mean.dtype != dtype:
            mean, var = mean.to(dtype), var.to(dtype)
        denom = torch.sqrt(var).clamp_min(_config.epsilon())
        if self.invert:
            return torch.addcmul(mean, x, denom)
        return (x - mean) / denom

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def compute_output_spec(self, inputs, **kwargs):
        from torchkeras.layers.keras_tensor import KerasTensor
        return KerasTensor(tuple(inputs.shape), dtype=self.compute_dtype)

    # ------------------------------------------------------------------ adapt
    def adapt(self, data) -> None:
        """Computes the per-feature mean and variance of ``data`` (as Keras does).

        Args:
            data: A numpy array, a tensor, a ``PyDataset``, or an iterable of batches
                (a list of arrays, a generator, a ``DataLoader``); ``(x, y)`` batches use
                ``x``. Batches are combined exactly (pooled mean and variance).
        """
        from torchkeras.utils.py_dataset import PyDataset
        if self.input_mean is not None:
            raise ValueError("Normalization was given `mean` and `variance`; it cannot also "
                             "be adapted.")
        iterable = False
        if isinstance(data, (np.ndarray, torch.Tensor)):
            input_shape = tuple(data.shape)
        elif isinstance(data, PyDataset):
            input_shape = tuple(_first_of_batch(data[0]).shape)
            data = _batches_of(data)
            iterable = True
        elif hasattr(data, "__iter__"):
            it = iter(data)
            first = next(it, None)
            if first is None:
                raise ValueError("adapt() received an empty iterable (no batches). Pass a "
                                 "non-empty iterable of arrays or tensors.")
            first = _first_of_batch(first)
            if getattr(first, "shape", None) is None:
                raise TypeError("adapt() expects an iterable that yields arrays or tensors "
                                "with a `.shape` attribute. Got an element of type %s."
                                % type(first).__name__)
            input_shape = tuple(first.shape)
            data = itertools.chain([first], it)
            iterable = True
        else:
            raise TypeError("Unsupported data type: %s. `adapt` supports numpy arrays, "
                            "tensors, PyDataset and iterables of batches." % type(data))
        if not self.built:
            self._maybe_build(input_shape, data.device if isinstance(data, torch.Tensor)
                              else None)
        else:
            self._check_shape(input_shape)
        if isinstance(data, np.ndarray):
            mean = np.mean(data, axis=self._reduce_axis)
            var = np.var(data, axis=self._reduce_axis)
        elif not iterable:
            x = data if data.is_floating_point() else data.float()
            mean, var = self._moments(x)
        else:
            mean, var = self._pooled_moments(data)
        self.mean.assign(mean)
        self.variance.assign(var)

    def _check_shape(self, shape) -> None:
        for d in self._keep_axis:
            if len(shape) != self._ndim or shape[d] != self._adapt_shape[d]:
                raise ValueError("The layer was built with input_shape=%s, but adapt() is "
                                 "being called with data with an incompatible shape, "
                                 "data.shape=%s" % (self._adapt_shape, tuple(shape)))

    def _moments(self, x: torch.Tensor):
        if not self._reduce_axis:
            return x, torch.zeros_like(x)
        var, mean = torch.var_mean(x, dim=self._reduce_axis, correction=0)
        return mean, var

    def _pooled_moments(self, batches):
        device = self.mean.device
        dtype = _config.to_torch_dtype(self.compute_dtype)
        total_mean = torch.zeros(self._mean_and_var_shape, device=device)
        total_var = torch.zeros(self._mean_and_var_shape, device=device)
        total_count = 0
        for batch in batches:
            batch = _first_of_batch(batch)
            if isinstance(batch, torch.Tensor):
                batch = batch.to(device=device, dtype=dtype, non_blocking=True)
            else:
                batch = torch.as_tensor(np.asarray(batch), dtype=dtype).to(device)
            self._check_shape(tuple(batch.shape))
            batch_mean, batch_var = self._moments(batch)
            count = math.prod(batch.shape[d] for d in self._reduce_axis)
            total_count += count
            w_new = float(count) / total_count
            w_old = 1.0 - w_new
            new_mean = total_mean * w_old + batch_mean * w_new
            # Pooled variance: within-batch plus between-batch (lack-of-fit) sums of squares.
            total_var = (total_var + (total_mean - new_mean) ** 2) * w_old \
                + (batch_var + (batch_mean - new_mean) ** 2) * w_new
            total_mean = new_mean
        return total_mean, total_var

    # ------------------------------------------------------------------ config
    def get_config(self) -> dict:
        return {**super().get_config(), "axis": self.axis, "invert": self.invert,
                "mean": np.array(self.input_mean).tolist(),
                "variance": np.array(self.input_variance).tolist()}

    def build_from_config(self, config: dict) -> None:
        if config and config.get("input_shape") is not None and not self.built:
            self._maybe_build(tuple(config["input_shape"]))
