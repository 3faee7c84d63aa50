"""``keras.device``: run a block with another default device."""
from __future__ import annotations

from typing import Any

import torch

from torchkeras import config as _config


def _torch_device(device_name: Any) -> torch.device:
    if isinstance(device_name, torch.device):
        return device_name
    if not isinstance(device_name, str):
        raise ValueError("Invalid device name %r: use e.g. 'cpu', 'gpu:0' or 'cuda:1'."
                         % (device_name,))
    name = device_name.lower()
    if name.startswith("/device:"):
        name = name[len("/device:"):]
    if name.startswith("gpu"):
        name = "cuda" + name[3:]
    try:
        return torch.device(name)
    except RuntimeError:
        raise ValueError("Invalid device name %r: use e.g. 'cpu', 'gpu:0' or 'cuda:1'."
                         % (device_name,)) from None


class device:  # noqa: N801  (Keras's public name)
    """Context manager: new weights, ``keras.random`` draws and torch factory functions
    (``torch.zeros`` …) go to ``device_name`` inside the block.

    Args:
        device_name: ``"cpu"``, ``"gpu"``/``"gpu:1"`` (Keras spelling) or ``"cuda:1"``.

    Example:
        >>> with torchkeras.device("cpu"):
        ...     layer = torchkeras.layers.Dense(2)
    """

    def __init__(self, device_name: Any):
        self.device = _torch_device(device_name)
        self._previous: torch.device | None = None
        self._torch_ctx: Any = None

    def __enter__(self) -> torch.device:
        self._previous = _config.get_device()
        _config.set_device(self.device)
        self._torch_ctx = torch.device(self.device)
        self._torch_ctx.__enter__()
        return self.device

    def __exit__(self, *exc: Any) -> None:
        self._torch_ctx.__exit__(*exc)
        _config.set_device(self._previous)
