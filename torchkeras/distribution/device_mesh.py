"""DeviceMesh: the devices a distribution runs on, arranged on named axes."""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np


class DeviceMesh:
    """A grid of devices with named axes (Keras's ``keras.distribution.DeviceMesh``).

    torchkeras distributes data-parallel over ``torchrun`` processes, so only the device
    list is used; multi-axis meshes are for model parallelism, which is not supported.

    Args:
        shape: Mesh shape, e.g. ``(8,)``.
        axis_names: One name per axis, e.g. ``["batch"]``.
        devices: Device names (default: ``list_devices()``); their count must equal the
            product of ``shape``.

    Example:
        >>> mesh = DeviceMesh((1,), ["batch"], devices=["cpu:0"])
    """

    def __init__(self, shape: Sequence[int], axis_names: Sequence[str],
                 devices: Sequence[Any] | None = None):
        if not shape or not axis_names:
            raise ValueError("Shape and axis_names cannot be empty.")
        if len(shape) != len(axis_names):
            raise ValueError("Shape and axis_names should have same size. Received "
                             "shape=%s and axis_names=%s" % (tuple(shape), list(axis_names)))
        if devices is None:
            from torchkeras.distribution.devices import list_devices
            devices = list_devices()
        devices = np.array(devices, dtype=object)
        if int(np.prod(shape)) != devices.size:
            raise ValueError("Shape does not match the number of devices. Received "
                             "shape=%s; devices.shape=%s" % (tuple(shape), devices.shape))
        self._shape = tuple(int(s) for s in shape)
        self._axis_names = list(axis_names)
        self._devices = devices.reshape(self._shape)

    @property
    def shape(self) -> tuple:
        return self._shape

    @property
    def axis_names(self) -> list:
        return self._axis_names

    @property
    def devices(self) -> np.ndarray:
        return self._devices

    def __repr__(self) -> str:
        return "<DeviceMesh shape=%s, axis_names=%s>" % (self._shape, self._axis_names)
