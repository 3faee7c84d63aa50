"""The local devices a distribution can use (``keras.distribution.list_devices``)."""
from __future__ import annotations

import torch


def list_devices(device_type: str | None = None) -> list:
    """Names of the local devices (``"cuda:0"``, … or ``["cpu:0"]``).

    Args:
        device_type: ``"cpu"``, ``"gpu"``/``"cuda"`` or ``None`` (GPUs when present).
    """
    kind = (device_type or ("cuda" if torch.cuda.is_available() else "cpu")).lower()
    if kind == "gpu":
        kind = "cuda"
    if kind == "cpu":
        return ["cpu:0"]
    if kind != "cuda":
        raise ValueError("Unknown device_type %r: expected 'cpu' or 'gpu'." % device_type)
    return ["cuda:%d" % i for i in range(torch.cuda.device_count())]


def get_device_count(device_type: str | None = None) -> int:
    """How many devices ``list_devices(device_type)`` has."""
    return len(list_devices(device_type))
