"""Data adapters: batching, shuffling on the device, class weights, rank shards."""
import numpy as np
import pytest
import torch

from torchkeras.trainers.data_adapters import ArrayAdapter, get_adapter, train_validation_split


def test_array_batches_cover_data_once_per_epoch_and_reshuffle():
    x = torch.arange(10).float().reshape(10, 1)
    a = ArrayAdapter(x, torch.arange(10), batch_size=4, shuffle=True, device=torch.device("cpu"))
    assert len(a) == 3
    e1 = torch.cat([b[1] for b in a.epoch()])
    e2 = torch.cat([b[1] for b in a.epoch()])
    assert sorted(e1.tolist()) == list(range(10)) == sorted(e2.tolist())
    assert e1.tolist() != e2.tolist()
    plain = ArrayAdapter(x, torch.arange(10), batch_size=4, device=torch.device("cpu"))
    assert [b[1].tolist() for b in plain.epoch()] == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]


def test_shuffle_batch_keeps_batches_together():
    a = ArrayAdapter(np.zeros((8, 1), "float32"), np.arange(8), batch_size=2, shuffle="batch",
                     device=torch.device("cpu"))
    for b in a.epoch():
        lo = int(b[1][0])
        assert b[1].tolist() == [lo, lo + 1] and lo % 2 == 0


def test_train_shards_partition_each_global_batch():
    n, world, bs = 23, 3, 2
    y = np.arange(n)
    per_rank = []
    for r in range(world):
        a = ArrayAdapter(np.zeros((n, 1), "float32"), y, batch_size=bs, shuffle=True,
                         device=torch.device("cpu"), shard=("train", r, world, 123))
        per_rank.append([b[1].tolist() for b in a.epoch()])
    steps = {len(p) for p in per_rank}
    assert steps == {4}      # 3 full global batches of 6, then 5 left: >= world, kept
    seen = [i for p in per_rank for batch in p for i in batch]
    assert sorted(seen) == list(range(n))
    for step in range(4):
        sizes = [len(p[step]) for p in per_rank]
        assert max(sizes) - min(sizes) <= 1


def test_shards_need_a_sample_per_rank():
    with pytest.raises(ValueError, match="ranks"):
        ArrayAdapter(np.zeros((2, 1), "float32"), np.arange(2), batch_size=4,
                     device=torch.device("cpu"), shard=("train", 0, 3, 0))
    with pytest.raises(ValueError, match="ranks"):
        ArrayAdapter(np.zeros((2, 1), "float32"), None, batch_size=4,
                     device=torch.device("cpu"), shard=("contiguous", 0, 3))


def test_contiguous_shards_split_in_order():
    parts = [ArrayAdapter(np.arange(7).reshape(7, 1).astype("float32"), None, batch_size=10,
                          device=torch.device("cpu"), shard=("contiguous", r, 3))
             for r in range(3)]
    got = [int(v) for p in parts for b in p.epoch() for v in b[0].reshape(-1)]
    assert got == list(range(7))


def test_validation_split_takes_the_tail_and_errors():
    x = torch.arange(10)
    (tx,), (vx,) = train_validation_split((x,), 0.3)
    assert tx.tolist() == list(range(7)) and vx.tolist() == [7, 8, 9]
    with pytest.raises(ValueError):
        train_validation_split((x,), 1.0)


def test_class_weight_and_generators_need_no_y():
    a = ArrayAdapter(np.zeros((4, 1), "float32"), np.array([0, 1, 1, 0]), batch_size=4,
                     class_weight={0: 0.5, 1: 2.0}, device=torch.device("cpu"))
    (_, _, w), = list(a.epoch())
    assert w.tolist() == [0.5, 2.0, 2.0, 0.5]
    with pytest.raises(ValueError, match="`y` argument is not supported"):
        get_adapter(iter([]), y=np.zeros(3))


def test_shard_plan_and_batch_size_home():
    from torchkeras.trainers.data_adapters import (DEFAULT_BATCH_SIZE, ShardPlan,
                                                   resolve_batch_size)
    assert ShardPlan.coerce(("train", 1, 4, 9)) == ShardPlan.train(1, 4, 9)
    assert ShardPlan.coerce(None) is None
    with pytest.raises(ValueError, match="rank"):
        ShardPlan.contiguous(3, 2)
    with pytest.raises(ValueError, match="kind"):
        ShardPlan("eval", 0, 1)
    assert resolve_batch_size(None) == DEFAULT_BATCH_SIZE == 32
    assert resolve_batch_size(np.int64(5)) == 5 and type(resolve_batch_size(np.int64(5))) is int
    for bad in (0, -1, 2.0, True, "8"):
        with pytest.raises(ValueError, match="batch_size must be a positive integer"):
            resolve_batch_size(bad)
    a = ArrayAdapter(np.zeros((10, 2)), np.zeros(10), device=torch.device("cpu"),
                     shard=ShardPlan.contiguous(1, 2))
    assert a.num_samples == 5 and a.batch_size == 32
