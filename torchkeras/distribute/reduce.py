"""Cross-rank reductions for the loops: metric state, step logs, predictions."""
from __future__ import annotations

import contextlib

import torch
import torch.distributed as dist

from torchkeras.distribute import context


def _metric_leaves(metrics) -> list:
    out = []
    for m in metrics:
        inner = m.metrics() if callable(getattr(m, "metrics", None)) else None
        if inner is not None:
            out.extend(_metric_leaves(inner))
        else:
            out.append(m)
    return out


@contextlib.contextmanager
def reduced_metrics(model):
    """Inside the block the model's metric state holds the sum over all ranks (or the
    mean / rank 0's value, per variable ``aggregation``); afterwards the local state
    is back, so accumulation continues unchanged."""
    if not context.is_distributed():
        yield
        return
    variables = []
    for metric in _metric_leaves(model.metrics):
        variables.extend(metric.variables)
    saved = [v.detach().clone() for v in variables]
    with torch.no_grad():
        for v in variables:
            agg = getattr(v, "aggregation", "sum")
            buf = v.detach().clone()
            if agg == "only_first_replica":
                dist.broadcast(buf, src=0)
            else:
                dist.all_reduce(buf, op=dist.ReduceOp.SUM)
                if agg == "mean":
                    buf /= context.world_size()
            v.copy_(buf)
    try:
        yield
    finally:
        with torch.no_grad():
            for v, s in zip(variables, saved):
                v.copy_(s)


def mean_logs(logs: dict) -> dict:
    """Averages scalar float logs across ranks (custom steps' own logs)."""
    if not context.is_distributed() or not logs:
        return logs
    keys = [k for k, v in logs.items() if isinstance(v, float)]
    if not keys:
        return logs
    t = torch.tensor([logs[k] for k in keys], dtype=torch.float64,
                     device=context._collective_device())
    dist.all_reduce(t, op=dist.ReduceOp.SUM)
    t /= context.world_size()
    out = dict(logs)
    out.update(zip(keys, t.tolist()))
    return out


def gather_rows(x: torch.Tensor) -> torch.Tensor:
    """Concatenates each rank's rows in rank order (shards may differ by one row)."""
    if not context.is_distributed():
        return x
    device = context._collective_device()
    n = torch.tensor([x.shape[0]], device=device)
    sizes = [torch.zeros_like(n) for _ in range(context.world_size())]
    dist.all_gather(sizes, n)
    sizes = [int(s.item()) for s in sizes]
    longest = max(sizes)
    padded = torch.zeros((longest,) + tuple(x.shape[1:]), dtype=x.dtype, device=device)
    padded[:x.shape[0]] = x.to(device)
    parts = [torch.zeros_like(padded) for _ in sizes]
    dist.all_gather(parts, padded)
    return torch.cat([p[:s] for p, s in zip(parts, sizes)]).to(x.device)
