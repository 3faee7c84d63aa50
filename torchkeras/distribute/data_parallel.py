"""DataParallel: how ``fit`` replicates the model across ranks (DDP, optionally FSDP)."""
from __future__ import annotations

import torch
from torch.nn.parallel import DistributedDataParallel

from torchkeras.distribute import context

_DISTRIBUTION = None


class DataParallel:
    """Data-parallel training with ``torch.nn.parallel.DistributedDataParallel``.

    ``fit`` uses it automatically under torchrun; set one explicitly to change options.
    ``batch_size`` in ``fit`` is the per-replica batch (the global batch is
    ``batch_size * world_size``), as in Keras's DataParallel.

    Args:
        find_unused_parameters: Passed to DDP (needed when some weights get no gradient).
        gradient_as_bucket_view: Passed to DDP (saves a gradient copy).
        sync_batchnorm: Synchronise BatchNormalization statistics across ranks.
        fsdp: Shard parameters, gradients and optimizer state with FSDP instead of
            replicating them (for models that do not fit one GPU).

    Example:
        >>> torchkeras.distribute.set_distribution(DataParallel(sync_batchnorm=True))
    """

    def __init__(self, find_unused_parameters: bool = False, gradient_as_bucket_view: bool = True,
                 sync_batchnorm: bool = False, fsdp: bool = False):
        self.find_unused_parameters = find_unused_parameters
        self.gradient_as_bucket_view = gradient_as_bucket_view
        self.sync_batchnorm = sync_batchnorm
        self.fsdp = fsdp

    def wrap(self, model) -> torch.nn.Module:
        """The DDP (or FSDP) wrapper ``fit`` routes training-mode forward passes through."""
        device = next(iter(model.parameters()), torch.empty(0)).device
        if self.fsdp and device.type != "cuda":
            raise ValueError("DataParallel(fsdp=True) shards the model over GPUs and needs CUDA; "
                             "the model is on %s. Use fsdp=False (DDP) on CPU." % device)
        import torch.distributed as dist
        if not (dist.is_available() and dist.is_initialized()):
            raise RuntimeError("DataParallel.wrap needs torch.distributed's process group: "
                               "launch with torchrun (fit then sets it up) or call "
                               "torchkeras.distribute.initialize() first.")
        if self.sync_batchnorm:
            convert_sync_batchnorm(model)
        if self.fsdp:
            from torch.distributed.fsdp import FullyShardedDataParallel
            return FullyShardedDataParallel(model, device_id=device if device.type == "cuda"
                                            else None, use_orig_params=True)
        return DistributedDataParallel(
            model, device_ids=[device] if device.type == "cuda" else None,
            find_unused_parameters=self.find_unused_parameters,
            gradient_as_bucket_view=self.gradient_as_bucket_view)


def set_distribution(distribution: DataParallel | None) -> None:
    """Sets the distribution ``fit`` uses (``None``: automatic under torchrun)."""
    global _DISTRIBUTION
    if distribution is not None and not isinstance(distribution, DataParallel):
        raise ValueError("set_distribution expects a DataParallel, got %r" % (distribution,))
    _DISTRIBUTION = distribution


def distribution() -> DataParallel | None:
    """The active distribution: the one set, or a default DataParallel under torchrun."""
    if not context.initialize():
        return None
    return _DISTRIBUTION or DataParallel()


def convert_sync_batchnorm(model) -> int:
    """Makes every BatchNormalization layer synchronise its batch statistics across ranks.

    Returns:
        The number of layers converted.
    """
    from torchkeras.layers import BatchNormalization
    count = 0
    for layer in model._flatten_layers(include_self=True):
        if isinstance(layer, BatchNormalization):
            layer.synchronized = True
            count += 1
    return count
