"""Cost of ``torchkeras.ops`` against the torch call each op wraps.

For each op and each size (small 32x32, medium 256x256 float32, CPU, one thread) the ratio
is ours / torch, both timed in interleaved rounds (min of per-round means, so scheduler
noise on a shared machine cancels). Prints per-op ratios and the median. Target: median
<= 1.10, none above 1.5 (at the medium size; small tensors are reported too, where the
fixed Python cost of the wrapper is a larger share).

    python bench/ops.py            # about half a minute
    python bench/ops.py --quick    # fewer rounds
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
os.environ.setdefault("TORCHKERAS_DEVICE", "cpu")

import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

from torchkeras import ops  # noqa: E402


def cases(n: int) -> list:
    a = torch.rand(n, n) + 0.1
    b = torch.rand(n, n) + 0.1
    i = torch.randint(0, 10, (n, n), dtype=torch.int32)
    idx = torch.randint(0, n, (n,))
    m = a > 0.5
    out = [
        ("add", lambda: ops.add(a, b), lambda: torch.add(a, b)),
        ("add_scalar", lambda: ops.add(a, 1.0), lambda: torch.add(a, 1.0)),
        ("subtract", lambda: ops.subtract(a, b), lambda: torch.sub(a, b)),
        ("multiply", lambda: ops.multiply(a, b), lambda: torch.mul(a, b)),
        ("divide", lambda: ops.divide(a, b), lambda: torch.div(a, b)),
        ("maximum", lambda: ops.maximum(a, b), lambda: torch.maximum(a, b)),
        ("power", lambda: ops.power(a, 2.0), lambda: torch.pow(a, 2.0)),
        ("greater", lambda: ops.greater(a, b), lambda: torch.gt(a, b)),
        ("where", lambda: ops.where(m, a, b), lambda: torch.where(m, a, b)),
        ("exp", lambda: ops.exp(a), lambda: torch.exp(a)),
        ("log", lambda: ops.log(a), lambda: torch.log(a)),
        ("sqrt", lambda: ops.sqrt(a), lambda: torch.sqrt(a)),
        ("tanh", lambda: ops.tanh(a), lambda: torch.tanh(a)),
        ("abs", lambda: ops.abs(a), lambda: torch.abs(a)),
        ("square", lambda: ops.square(a), lambda: torch.square(a)),
        ("clip", lambda: ops.clip(a, 0.2, 0.8), lambda: torch.clamp(a, 0.2, 0.8)),
        ("sum", lambda: ops.sum(a, axis=-1), lambda: torch.sum(a, dim=-1)),
        ("mean", lambda: ops.mean(a, axis=0), lambda: torch.mean(a, dim=0)),
        ("max", lambda: ops.max(a, axis=1), lambda: torch.amax(a, dim=1)),
        ("var", lambda: ops.var(a, axis=-1), lambda: torch.var(a, dim=-1, correction=0)),
        ("argmax", lambda: ops.argmax(a, axis=-1), lambda: torch.argmax(a, dim=-1).int()),
        ("cumsum", lambda: ops.cumsum(a, axis=1), lambda: torch.cumsum(a, dim=1)),
        ("matmul", lambda: ops.matmul(a, b), lambda: torch.matmul(a, b)),
        ("einsum", lambda: ops.einsum("ij,jk->ik", a, b), lambda: torch.einsum("ij,jk->ik", a, b)),
        ("concatenate", lambda: ops.concatenate([a, b], axis=-1), lambda: torch.cat([a, b], -1)),
        ("stack", lambda: ops.stack([a, b]), lambda: torch.stack([a, b])),
        ("reshape", lambda: ops.reshape(a, (-1,)), lambda: torch.reshape(a, (-1,))),
        ("transpose", lambda: ops.transpose(a), lambda: a.permute(1, 0)),
        ("expand_dims", lambda: ops.expand_dims(a, 0), lambda: torch.unsqueeze(a, 0)),
        ("take", lambda: ops.take(a, idx, axis=0), lambda: torch.index_select(a, 0, idx)),
        ("sort", lambda: ops.sort(a), lambda: torch.sort(a, stable=True).values),
        ("pad", lambda: ops.pad(a, ((1, 1), (2, 2))), lambda: F.pad(a, (2, 2, 1, 1))),
        ("tile", lambda: ops.tile(a, (2, 1)), lambda: torch.tile(a, (2, 1))),
        ("tril", lambda: ops.tril(a), lambda: torch.tril(a)),
        ("zeros_like", lambda: ops.zeros_like(a), lambda: torch.zeros_like(a)),
        ("sum_int", lambda: ops.sum(i), lambda: torch.sum(i, dtype=torch.int32)),
    ]
    # Other families, when present in this tree.
    if hasattr(ops, "relu"):
        out.append(("relu", lambda: ops.relu(a), lambda: torch.relu(a)))
    if hasattr(ops, "softmax"):
        out.append(("softmax", lambda: ops.softmax(a, axis=-1), lambda: torch.softmax(a, -1)))
    if hasattr(ops, "sigmoid"):
        out.append(("sigmoid", lambda: ops.sigmoid(a), lambda: torch.sigmoid(a)))
    return out


def time_pair(ours, ref, rounds: int, reps: int) -> float:
    best_o = best_r = float("inf")
    for _ in range(rounds):
        t0 = time.perf_counter()
        for _ in range(reps):
            ref()
        t1 = time.perf_counter()
        for _ in range(reps):
            ours()
        t2 = time.perf_counter()
        best_r = min(best_r, (t1 - t0) / reps)
        best_o = min(best_o, (t2 - t1) / reps)
    return best_o / best_r


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    torch.set_num_threads(1)
    rounds = 3 if args.quick else 7
    summary = {}
    for n, reps in ((32, 200), (256, 20)):
        ratios = {}
        for name, ours, ref in cases(n):
            ours(), ref()  # warm-up
            ratios[name] = time_pair(ours, ref, rounds, reps)
        summary[n] = ratios
    names = list(summary[32])
    print("%-14s %10s %10s" % ("op", "32x32", "256x256"))
    for name in names:
        print("%-14s %10.3f %10.3f" % (name, summary[32][name], summary[256][name]))
    for n in (32, 256):
        vals = list(summary[n].values())
        worst = max(summary[n], key=summary[n].get)
        print("size %d: median %.3f, max %.3f (%s)" % (n, statistics.median(vals),
                                                       max(vals), worst))


if __name__ == "__main__":
    main()
