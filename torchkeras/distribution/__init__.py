"""``keras.distribution``: data parallelism over processes (DDP/FSDP under torchrun).

Model parallelism (``ModelParallel``, ``LayoutMap``, ``TensorLayout``,
``distribute_tensor``) raises NotImplementedError: use ``DataParallel(fsdp=True)``.
``torchkeras.distribute`` remains the torch-flavoured interface to the same machinery.
"""
from torchkeras.distribution.device_mesh import DeviceMesh
from torchkeras.distribution.devices import get_device_count, list_devices
from torchkeras.distribution.distribution_api import (
    DataParallel, LayoutMap, ModelParallel, TensorLayout, distribute_tensor, distribution,
    initialize, set_distribution,
)

__all__ = ["DataParallel", "DeviceMesh", "LayoutMap", "ModelParallel", "TensorLayout",
           "distribute_tensor", "distribution", "get_device_count", "initialize",
           "list_devices", "set_distribution"]
