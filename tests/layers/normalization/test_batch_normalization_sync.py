"""synchronized=True under torch.distributed (gloo, 2 CPU processes): each rank sees
half the batch, and the result equals BatchNormalization on the whole batch."""
import os
import sys

import numpy as np
import pytest
import torch
import torch.distributed as dist
import torch.multiprocessing as mp

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))))


def _worker(rank, world, init_file, out_dir):
    sys.path.insert(0, ROOT)
    os.environ["TORCHKERAS_DEVICE"] = "cpu"
    torch.set_num_threads(1)
    dist.init_process_group("gloo", init_method="file://" + init_file, rank=rank,
                            world_size=world)
    from torchkeras import layers
    torch.manual_seed(0)
    x = torch.randn(8, 5, 3) * 2 + 1
    mask = torch.rand(8, 5) > 0.3
    part = slice(rank * 4, rank * 4 + 4)
    out = {}
    for use_mask in (False, True):
        bn = layers.BatchNormalization(synchronized=True, momentum=0.5)
        xs = x[part].clone().requires_grad_()
        y = bn(xs, training=True, mask=mask[part] if use_mask else None)
        (y * torch.arange(3.0)).sum().backward()
        out[use_mask] = (y.detach(), xs.grad, bn.weight.grad, bn.running_var.detach().clone())
    torch.save(out, os.path.join(out_dir, "rank%d.pt" % rank))
    dist.barrier()   # both ranks done before tearing gloo down (else it can abort)
    dist.destroy_process_group()
    os._exit(0)      # skip static destructors, where torch's gloo can still abort


@pytest.mark.skipif(not dist.is_available(), reason="torch.distributed unavailable")
def test_synchronized_matches_full_batch(tmp_path):
    mp.spawn(_worker, args=(2, str(tmp_path / "init"), str(tmp_path)), nprocs=2)
    from torchkeras import layers
    torch.manual_seed(0)
    x = torch.randn(8, 5, 3) * 2 + 1
    mask = torch.rand(8, 5) > 0.3
    results = [torch.load(tmp_path / ("rank%d.pt" % r)) for r in range(2)]
    for use_mask in (False, True):
        bn = layers.BatchNormalization(momentum=0.5)
        xs = x.clone().requires_grad_()
        y = bn(xs, training=True, mask=mask if use_mask else None)
        (y * torch.arange(3.0)).sum().backward()
        got_y = torch.cat([r[use_mask][0] for r in results])
        got_gx = torch.cat([r[use_mask][1] for r in results])
        torch.testing.assert_close(got_y, y.detach(), rtol=1e-4, atol=1e-5)
        torch.testing.assert_close(got_gx, xs.grad, rtol=1e-4, atol=1e-5)
        # each rank's gamma gradient is its share; DDP sums/averages them
        torch.testing.assert_close(results[0][use_mask][2] + results[1][use_mask][2],
                                   bn.weight.grad, rtol=1e-4, atol=1e-5)
        np.testing.assert_allclose(results[0][use_mask][3].numpy(),
                                   bn.running_var.detach().numpy(), rtol=1e-5)
