"""``keras.distribution`` over torchkeras's DDP machinery (``torchkeras.distribute``)."""
from __future__ import annotations

import os
from typing import Any, Sequence

from torchkeras import distribute as _distribute
from torchkeras.distribution.device_mesh import DeviceMesh
from torchkeras.distribution.devices import get_device_count

_MODEL_PARALLEL = ("Model parallelism (ModelParallel, LayoutMap, TensorLayout, "
                   "distribute_tensor) is not supported by torchkeras; shard large models "
                   "with FSDP via keras.distribution.DataParallel(fsdp=True).")


def initialize(job_addresses: str | None = None, num_processes: int | None = None,
               process_id: int | None = None) -> bool:
    """Joins the multi-process group (torchrun's environment, or the arguments given).

    Args:
        job_addresses: ``"host:port"`` of process 0 (first entry if comma-separated).
        num_processes: World size.
        process_id: This process's rank.

    Returns:
        Whether a process group is now initialised.
    """
    if job_addresses:
        host, _, port = job_addresses.split(",")[0].partition(":")
        os.environ.setdefault("MASTER_ADDR", host)
        if port:
            os.environ.setdefault("MASTER_PORT", port)
    if num_processes is not None:
        os.environ["WORLD_SIZE"] = str(int(num_processes))
    if process_id is not None:
        os.environ["RANK"] = str(int(process_id))
        os.environ.setdefault("LOCAL_RANK", str(int(process_id)))
    return _distribute.initialize()


class DataParallel(_distribute.DataParallel):
    """Keras's ``DataParallel`` on torch: DDP (or FSDP with ``fsdp=True``) over processes.

    Args:
        device_mesh: A 1-D ``DeviceMesh`` (accepted; the process group decides placement).
        devices: Device names (accepted, as in Keras).
        auto_shard_dataset: Kept for Keras compatibility (``fit`` always shards per rank).
        **kwargs: ``torchkeras.distribute.DataParallel`` options (``fsdp``,
            ``sync_batchnorm``, ``find_unused_parameters``, ``gradient_as_bucket_view``).

    Example:
        >>> keras.distribution.set_distribution(keras.distribution.DataParallel())
    """

    def __init__(self, device_mesh: DeviceMesh | None = None,
                 devices: Sequence[Any] | None = None, auto_shard_dataset: bool = True,
                 **kwargs: Any):
        if device_mesh is not None and not isinstance(device_mesh, DeviceMesh):
            raise ValueError("Expected `device_mesh` to be a DeviceMesh, got %r"
                             % (device_mesh,))
        if device_mesh is not None and len(device_mesh.shape) != 1:
            raise ValueError("DataParallel needs a 1-D DeviceMesh; " + _MODEL_PARALLEL)
        if device_mesh is None:
            device_mesh = DeviceMesh((len(devices),), ["batch"], devices) if devices \
                else DeviceMesh((get_device_count(),), ["batch"])
        super().__init__(**kwargs)
        self.device_mesh = device_mesh
        self.auto_shard_dataset = auto_shard_dataset
        self.batch_dim_name = device_mesh.axis_names[0]


def set_distribution(value: Any) -> None:
    """Sets the distribution ``fit`` uses (``None``: automatic under torchrun)."""
    _distribute.set_distribution(value)


def distribution() -> Any:
    """The active distribution (``None`` outside a multi-process run)."""
    return _distribute.distribution()


def _unsupported(name: str) -> type:
    def init(self, *args: Any, **kwargs: Any) -> None:
        raise NotImplementedError(_MODEL_PARALLEL)
    return type(name, (), {"__init__": init, "__doc__": "Not supported. " + _MODEL_PARALLEL})


ModelParallel = _unsupported("ModelParallel")
LayoutMap = _unsupported("LayoutMap")
TensorLayout = _unsupported("TensorLayout")


def distribute_tensor(tensor: Any, layout: Any) -> Any:
    """Not supported: raises NotImplementedError (model parallelism)."""
    raise NotImplementedError(_MODEL_PARALLEL)
