"""Many GPUs and machines: the same script under ``torchrun`` runs data-parallel (DDP).

``fit``/``evaluate``/``predict`` notice torchrun's environment (or an initialised process
group): the model is wrapped in ``DistributedDataParallel``, each rank trains on its
shard of every epoch's global order, metrics are reduced across ranks and only rank 0
prints and writes files.
"""
from torchkeras.distribute.context import (
    barrier,
    initialize,
    is_chief,
    is_distributed,
    local_rank,
    rank,
    world_size,
)
from torchkeras.distribute.data_parallel import (
    DataParallel,
    convert_sync_batchnorm,
    distribution,
    set_distribution,
)

__all__ = ["DataParallel", "barrier", "convert_sync_batchnorm", "distribution", "initialize",
           "is_chief", "is_distributed", "local_rank", "rank", "set_distribution", "world_size"]
