"""``Loss``: the Keras loss contract on torch tensors, and Keras's reductions.

A loss object converts its inputs to tensors, asks ``call`` for per-sample losses,
weights them (``sample_weight`` and any ``_keras_mask`` carried by the prediction or
the losses) and reduces them as Keras 3 does. Nothing here reads tensor values on
the host, so a call never waits for the device.
"""
from __future__ import annotations

from typing import Any

import numpy as np
import torch

from torchkeras import config as _config
from torchkeras.fast_paths import loss_inputs_ready

REDUCTIONS = ("sum_over_batch_size", "sum", None, "none", "mean", "mean_with_sample_weight")
_MEAN_REDUCTIONS = ("sum_over_batch_size", "mean", "mean_with_sample_weight")


def standardize_reduction(reduction: str | None) -> str | None:
    """Returns ``reduction`` unchanged, or raises ``ValueError`` naming the allowed values."""
    if reduction not in REDUCTIONS:
        raise ValueError(
            "Invalid value for argument `reduction`. Expected one of %s. Received: "
            "reduction=%r" % (sorted(REDUCTIONS, key=str), reduction))
    return reduction


def to_tensor(x: Any, dtype: torch.dtype | None = None,
              device: torch.device | None = None) -> torch.Tensor:
    """Array-like -> tensor; tensors keep their device unless ``device`` is given.

    Numpy arrays keep their dtype when ``dtype`` is None; Python numbers and lists of
    floats become ``floatx`` (as ``keras.ops.convert_to_tensor`` does).
    """
    if isinstance(x, torch.Tensor):
        if dtype is not None and x.dtype != dtype:
            x = x.to(dtype)
        if device is not None and x.device != device:
            x = x.to(device, non_blocking=True)
        return x
    if not isinstance(x, np.ndarray):
        x = np.asarray(x)
        if dtype is None and x.dtype == np.float64:
            dtype = _config.to_torch_dtype(None)
    if x.dtype.kind in "US" or x.dtype == object:
        raise ValueError("Losses expect numeric arrays or tensors, got dtype %s" % x.dtype)
    if any(st < 0 for st in x.strides):
        x = x.copy()  # torch cannot view negatively strided arrays
    return torch.as_tensor(x, dtype=dtype, device=device)


def squeeze_or_expand_to_same_rank(x1: torch.Tensor, x2: torch.Tensor,
                                   expand_rank_1: bool = True):
    """Aligns ranks that differ by one trailing axis of size 1 (Keras's rule)."""
    r1, r2 = x1.dim(), x2.dim()
    if r1 == r2:
        return x1, x2
    if r1 == r2 + 1 and x1.shape[-1] == 1:
        if r2 == 1 and expand_rank_1:
            x2 = x2.unsqueeze(-1)
        else:
            x1 = x1.squeeze(-1)
    elif r2 == r1 + 1 and x2.shape[-1] == 1:
        if r1 == 1 and expand_rank_1:
            x1 = x1.unsqueeze(-1)
        else:
            x2 = x2.squeeze(-1)
    return x1, x2


def _divide_no_nan(num, den: torch.Tensor) -> torch.Tensor:
    # 0 where the divisor is 0, without a host-side test of its value
    zero = den == 0
    return torch.where(zero, 0.0, num / torch.where(zero, 1.0, den))


def reduce_values(values: torch.Tensor, sample_weight: torch.Tensor | None = None,
                  reduction: str | None = "sum_over_batch_size") -> torch.Tensor:
    """Reduces (already weighted) per-sample losses.

    ``sum_over_batch_size``/``mean`` divide the sum by the number of loss elements,
    ``mean_with_sample_weight`` by the sum of the weights (when there are weights).
    Scalars and empty ``(0,)`` tensors are returned as they are, as in Keras.
    """
    if reduction is None or reduction == "none" or values.dim() == 0 \
            or tuple(values.shape) == (0,):
        return values
    total = values.sum()
    if reduction == "sum":
        return total
    if reduction == "mean_with_sample_weight" and sample_weight is not None:
        return _divide_no_nan(total, sample_weight.sum().to(total.dtype))
    n = values.numel()
    if n == 0:
        return total  # Keras's divide_no_nan of 0 by 0
    return total / n


def apply_mask(sample_weight: torch.Tensor | None, mask: torch.Tensor | None,
               dtype: torch.dtype, reduction: str | None) -> torch.Tensor | None:
    """Folds a boolean mask into the sample weights as Keras does.

    For the mean reductions valid entries weigh ``total / valid`` so that the mean is
    taken over valid entries only.
    """
    if mask is None:
        return sample_weight
    if reduction in ("mean", "sum_over_batch_size"):
        bool_mask = mask if mask.dtype == torch.bool else mask.to(torch.bool)
        valid = bool_mask.sum().to(dtype)
        weight = _divide_no_nan(float(mask.numel()), valid)  # numel is static: no sync
        float_mask = torch.where(bool_mask, weight, 0.0)
    else:
        float_mask = mask.to(dtype)
    if sample_weight is None:
        return float_mask
    float_mask, sample_weight = squeeze_or_expand_to_same_rank(float_mask,
                                                               sample_weight.to(dtype))
    return sample_weight * float_mask


def reduce_weighted_values(values: torch.Tensor, sample_weight=None,
                           mask: torch.Tensor | None = None,
                           reduction: str | None = "sum_over_batch_size",
                           dtype: torch.dtype | None = None) -> torch.Tensor:
    """Weights per-sample losses by ``sample_weight`` and ``mask``, then reduces them."""
    reduction = standardize_reduction(reduction)
    values = to_tensor(values, dtype)
    if sample_weight is not None:
        sample_weight = to_tensor(sample_weight, values.dtype, values.device)
    sample_weight = apply_mask(sample_weight, mask, values.dtype, reduction)
    if sample_weight is not None:
        values, sample_weight = squeeze_or_expand_to_same_rank(values, sample_weight)
        values = values * sample_weight
    return reduce_values(values, sample_weight, reduction)


def _auto_name(cls_name: str) -> str:
    from torchkeras.layers.layer import to_snake_case, unique_name
    return unique_name(to_snake_case(cls_name))


class Loss:
    """Base class of losses: subclass it and implement ``call(y_true, y_pred)``.

    ``call`` returns per-sample losses (torch ops); ``__call__`` converts inputs,
    applies ``sample_weight`` and masks, and reduces.

    Args:
        name: Name of the loss (default: the class name in snake case, made unique).
        reduction: ``"sum_over_batch_size"`` (default) and ``"mean"`` divide the
            weighted sum by the number of loss elements, ``"sum"`` sums,
            ``"mean_with_sample_weight"`` divides by the sum of the sample weights,
            ``None``/``"none"`` return per-sample losses.
        dtype: dtype the inputs are converted to (default: ``floatx()``); a policy
            name such as ``"mixed_bfloat16"`` uses its compute dtype.

    Example:
        >>> class ScaledAbsolute(Loss):
        ...     def __init__(self, scale=2.0, name="scaled_absolute", **kwargs):
        ...         super().__init__(name=name, **kwargs)
        ...         self.scale = scale
        ...     def call(self, y_true, y_pred):
        ...         return self.scale * torch.mean(torch.abs(y_true - y_pred), dim=-1)
    """

    # Built-ins that take integer labels (sparse, CTC, Circle) keep them as integers.
    _int_labels = False

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        # A subclass with its own call() must not inherit a fused shortcut of another call().
        own = cls.__dict__
        if "_fast_call" in own and "fast_call" not in own:
            cls.fast_call = own["_fast_call"]          # the name before fast_call was public
        elif "call" in own and "fast_call" not in own:
            cls.fast_call = Loss.fast_call

    def __init__(self, name: str | None = None, reduction: str | None = "sum_over_batch_size",
                 dtype=None):
        from torchkeras.mixed_precision.policy import get_policy
        self.name = name or _auto_name(type(self).__name__)
        self.reduction = reduction
        policy = get_policy(dtype or _config.floatx())
        self._dtype = policy.compute_dtype
        self._torch_dtype = _config.to_torch_dtype(self._dtype)

    @property
    def reduction(self) -> str | None:
        return self._reduction

    @reduction.setter
    def reduction(self, value: str | None) -> None:
        self._reduction = standardize_reduction(value)
        # cached so the per-step fast paths test one attribute
        self._mean_reduction = value in _MEAN_REDUCTIONS
        self._torch_reduction = "mean" if self._mean_reduction else ("sum" if value == "sum"
                                                                      else None)

    @property
    def dtype(self) -> str:
        return self._dtype

    def __call__(self, y_true, y_pred, sample_weight=None) -> torch.Tensor:
        if loss_inputs_ready(y_true, y_pred, sample_weight, self._torch_dtype,
                             self._int_labels):
            # Already converted (the training loop's case): go straight to the shortcut
            # (fast path 5 of torchkeras/fast_paths.py).
            fast = self.fast_call(y_true, y_pred)
            if fast is not None:
                return fast
        in_mask = getattr(y_pred, "_keras_mask", None)
        y_pred, y_true = self._convert(y_true, y_pred)
        if sample_weight is None and in_mask is None:
            fast = self.fast_call(y_true, y_pred)
            if fast is not None:
                return fast
        losses = self.call(y_true, y_pred)
        out_mask = getattr(losses, "_keras_mask", None)
        if in_mask is not None and out_mask is not None:
            mask = in_mask.to(torch.bool) & out_mask.to(torch.bool)
        else:
            mask = in_mask if out_mask is None else out_mask
        return reduce_weighted_values(losses, sample_weight=sample_weight, mask=mask,
                                      reduction=self._reduction, dtype=self._torch_dtype)

    def _convert(self, y_true, y_pred):
        dtype = self._torch_dtype
        if isinstance(y_pred, torch.Tensor):
            if y_pred.dtype != dtype:
                y_pred = y_pred.to(dtype)
        else:
            device = y_true.device if isinstance(y_true, torch.Tensor) else None
            y_pred = to_tensor(y_pred, dtype, device)
        if isinstance(y_true, torch.Tensor):
            if y_true.device != y_pred.device:
                y_true = y_true.to(y_pred.device, non_blocking=True)
            if y_true.dtype != dtype and not (self._int_labels and not y_true.is_floating_point()):
                y_true = y_true.to(dtype)
        elif self._int_labels:
            y_true = to_tensor(y_true, None, y_pred.device)
            if y_true.is_floating_point():
                y_true = y_true.to(dtype)
        else:
            y_true = to_tensor(y_true, dtype, y_pred.device)
        return y_pred, y_true

    def fast_call(self, y_true: torch.Tensor, y_pred: torch.Tensor) -> torch.Tensor | None:
        """A fused shortcut for unweighted, unmasked calls, or None for the general path.

        Called with tensors already converted to the loss's dtype and device. A subclass
        that overrides ``call`` gets this default (None) back unless it defines its own
        ``fast_call``, which must equal ``call`` + the reduction for the inputs it accepts.

        Args:
            y_true: Targets.
            y_pred: Predictions.

        Returns:
            The reduced loss, or None.
        """
        return None

    def _fast_call(self, y_true, y_pred):
        # The name fast_call had before it became public; kept for older callers.
        return self.fast_call(y_true, y_pred)

    def call(self, y_true: torch.Tensor, y_pred: torch.Tensor) -> torch.Tensor:
        raise NotImplementedError("%s must implement call(y_true, y_pred)" % type(self).__name__)

    def get_config(self) -> dict:
        return {"name": self.name, "reduction": self._reduction}

    @classmethod
    def from_config(cls, config: dict) -> "Loss":
        return cls(**config)

    def __repr__(self) -> str:
        return "<%s name=%r reduction=%r>" % (type(self).__name__, self.name, self._reduction)
