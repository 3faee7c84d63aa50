"""Rescaling: ``inputs * scale + offset``."""
from __future__ import annotations

import numpy as np
import torch

from torchkeras import config as _config
from torchkeras.layers.layer import Layer


def _serialize_value(value):
    """Keras writes numpy arrays in configs as ``{"class_name": "__numpy__", ...}``."""
    if isinstance(value, np.ndarray):
        return {"class_name": "__numpy__",
                "config": {"value": value.tolist(), "dtype": value.dtype.name}}
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, torch.Tensor):
        return value.detach().cpu().tolist()
    return value


def _deserialize_value(value):
    if isinstance(value, dict) and value.get("class_name") == "__numpy__":
        cfg = value["config"]
        return np.array(cfg["value"], dtype=cfg.get("dtype"))
    return value


class Rescaling(Layer):
    """Multiplies inputs by ``scale`` and adds ``offset`` (in training and inference).

    Integer inputs (e.g. ``uint8`` images) come out in the compute dtype. ``scale`` and
    ``offset`` may be per-channel arrays; with ``image_data_format() ==
    "channels_first"`` an array scale is aligned with the channel axis, as in Keras.

    Args:
        scale: Float or array, the multiplier.
        offset: Float or array, added after scaling.

    Example:
        >>> Rescaling(1.0 / 127.5, offset=-1)(torch.tensor([[0, 255]], dtype=torch.uint8))
        tensor([[-1.,  1.]])
    """

    def __init__(self, scale, offset=0.0, **kwargs):
        super().__init__(**kwargs)
        for arg, value in (("scale", scale), ("offset", offset)):
            try:
                arr = np.asarray(value if not isinstance(value, torch.Tensor)
                                 else value.detach().cpu().numpy(), dtype="float64")
            except (TypeError, ValueError):
                raise ValueError("Rescaling expects `%s` to be a number or an array of "
                                 "numbers. Received: %s=%r" % (arg, arg, value)) from None
            if arr.ndim > 3:
                raise ValueError("Rescaling expects `%s` to have rank <= 3. Received shape %s"
                                 % (arg, arr.shape))
        self.scale = scale
        self.offset = offset
        self.supports_masking = True
        self._consts: dict = {}
        self.built = True

    def _const(self, which: str, like: torch.Tensor):
        value = getattr(self, which)
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return float(value)
        key = (which, like.device, like.dtype)
        t = self._consts.get(key)
        if t is None:
            # Made once per device/dtype, so later calls do no host-to-device copies.
            src = value.detach() if isinstance(value, torch.Tensor) else np.asarray(value)
            from torchkeras.layers import call_context
            with call_context.no_fake_mode():   # a real constant even during shape tracing
                t = torch.as_tensor(src).to(device=like.device, dtype=like.dtype)
                if which == "scale" and t.dim() > 0 \
                        and _config.image_data_format() == "channels_first":
                    t = t.reshape(tuple(t.shape) + (1,) * (3 - t.dim()))
            self._consts[key] = t
        return t

    def call(self, inputs):
        dtype = _config.to_torch_dtype(self.compute_dtype)
        x = inputs if inputs.dtype == dtype else inputs.to(dtype)
        out = x * self._const("scale", x)
        offset = self._const("offset", x)
        if isinstance(offset, float) and offset == 0.0:
            return out
        return out + offset

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def compute_output_spec(self, inputs, **kwargs):
        from torchkeras.layers.keras_tensor import KerasTensor
        return KerasTensor(tuple(inputs.shape), dtype=self.compute_dtype)

    def get_config(self) -> dict:
        return {**super().get_config(), "scale": _serialize_value(self.scale),
                "offset": _serialize_value(self.offset)}

    @classmethod
    def from_config(cls, config: dict):
        config = dict(config)
        config["scale"] = _deserialize_value(config["scale"])
        config["offset"] = _deserialize_value(config["offset"])
        return super().from_config(config)
