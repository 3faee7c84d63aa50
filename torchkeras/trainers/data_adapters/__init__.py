"""Data adapters: every input kind ``fit``/``evaluate``/``predict`` accept, as batches on
the training device (one file per kind, as Keras's ``trainers/data_adapters``).

Arrays (numpy or torch, nested in lists/dicts) are moved to the device once and sliced
there with a device-side permutation; DataLoaders, Datasets, generators and PyDatasets
are consumed as they are, with pinned memory and ``non_blocking`` copies on CUDA.
"""
from torchkeras.trainers.data_adapters.array_adapter import ArrayAdapter
from torchkeras.trainers.data_adapters.data_adapter_utils import (
    class_weight_to_sample_weight, is_array_like, is_text_array, pack_x_y_sample_weight,
    to_tensor, train_validation_split, unpack_x_y_sample_weight)
from torchkeras.trainers.data_adapters.iterable_adapter import IterableAdapter
from torchkeras.trainers.data_adapters.shard_plan import (DEFAULT_BATCH_SIZE, ShardPlan,
                                                          check_batch_size,
                                                          resolve_batch_size)


def get_adapter(x, y=None, sample_weight=None, batch_size=None, shuffle=False, class_weight=None,
                device=None, steps=None, shard=None):
    """The adapter for ``x`` (and ``y``/``sample_weight`` when x is an array).

    ``shard`` (a :class:`ShardPlan`) splits the data across ranks: ``ShardPlan.train``
    gives each rank its part of every global batch, ``ShardPlan.contiguous`` one slice
    each. ``batch_size`` None means ``DEFAULT_BATCH_SIZE``.
    """
    if is_array_like(x):
        return ArrayAdapter(x, y, sample_weight, batch_size=batch_size, shuffle=shuffle,
                            class_weight=class_weight, device=device, steps=steps, shard=shard)
    if y is not None:
        raise ValueError("`y` argument is not supported when using a dataset, DataLoader, "
                         "generator or PyDataset as input; yield (x, y) from it instead.")
    if sample_weight is not None:
        raise ValueError("`sample_weight` is not supported when using a dataset, DataLoader, "
                         "generator or PyDataset as input; yield (x, y, sample_weight) instead.")
    return IterableAdapter(x, batch_size=batch_size, shuffle=shuffle, device=device, steps=steps,
                           class_weight=class_weight, shard=shard)




__all__ = ["ArrayAdapter", "DEFAULT_BATCH_SIZE", "IterableAdapter", "ShardPlan",
           "check_batch_size", "class_weight_to_sample_weight", "get_adapter",
           "resolve_batch_size",
           "is_array_like", "is_text_array", "pack_x_y_sample_weight", "to_tensor",
           "train_validation_split", "unpack_x_y_sample_weight"]
