"""``compile`` arguments <-> the JSON ``compile_config`` stored in model files."""
from __future__ import annotations

from torchkeras.saving.serialization import deserialize_keras_object, serialize_keras_object


def _ser(value):
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    if isinstance(value, (list, tuple)):
        return [_ser(v) for v in value]
    if isinstance(value, dict):
        return {k: _ser(v) for k, v in value.items()}
    return serialize_keras_object(value)


def serialize_compile_config(config: dict) -> dict:
    return {k: _ser(v) for k, v in config.items()}


def _de(value, family):
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    if isinstance(value, list):
        return [_de(v, family) for v in value]
    if isinstance(value, dict) and "class_name" in value:
        return family.deserialize(value) if hasattr(family, "deserialize") else \
            deserialize_keras_object(value)
    if isinstance(value, dict):
        return {k: _de(v, family) for k, v in value.items()}
    return value


def deserialize_compile_config(config: dict) -> dict:
    from torchkeras import losses, metrics, optimizers
    out = dict(config)
    out["optimizer"] = _de(config.get("optimizer"), optimizers)
    out["loss"] = _de(config.get("loss"), losses)
    out["metrics"] = _de(config.get("metrics"), metrics)
    out["weighted_metrics"] = _de(config.get("weighted_metrics"), metrics)
    return {k: v for k, v in out.items()
            if k in ("optimizer", "loss", "loss_weights", "metrics", "weighted_metrics",
                     "run_eagerly", "steps_per_execution", "jit_compile")}
