"""Cost of ``torchkeras.ops`` against the torch call each op wraps.

Covers the numpy family and the nn (relu, softmax, sigmoid, conv, one_hot,
dot_product_attention), math (logsumexp, top_k), linalg (solve) and image (resize) ops.
Each case pairs ``ops.<name>(...)`` with the plain torch code that computes the same result
(for channels-last conv/resize that includes the layout permutes Keras's layout implies).

How the ratio is measured (CPU, ``torch.set_num_threads(1)``, sizes n=32 and n=256):

1. Calibration: the torch call is repeated until one block takes about ``--block`` seconds
   (1 ms by default), which fixes ``reps`` for both sides, so a block of a ~1 us view op is
   hundreds of calls and the timer's resolution and the loop's own cost are negligible.
2. Rounds: ``rounds`` times, one block of torch and one block of ours run back to back,
   the order alternating each round, so slow phases of a shared machine hit both sides.
3. Ratio = (best ours block) / (best torch block), the best (minimum) mean per call being
   the least noisy estimate of each side's cost.

Reference for ``take``: Keras's ``take`` accepts negative indices (they count from the
end), which a bare ``index_select`` rejects, so the case draws indices in ``[-n, n)`` and
its reference is the fastest plain torch code that gives the same result,
``index_select(a, 0, remainder(idx, n))`` (``a[idx]`` also maps negatives but is ~10x
slower on CPU). Measured alone, that mapping makes ``take`` ~1.4-2x a bare ``index_select``
on non-negative indices at n=256: the cost of Keras's semantics, not of the wrapper.
Likewise ``one_hot``'s reference ``F.one_hot`` does no out-of-range handling.

Prints per-op ratios for both sizes and, per size, the median and the max. Target: median
<= 1.10 and none above 1.5 at the medium size (n=256); the small size is reported too,
where the fixed Python cost of the wrapper is a larger share.

    python bench/ops.py            # about a minute
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
    idx = torch.randint(-n, n, (n,))  # negative ids count from the end, as in Keras
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
        ("take", lambda: ops.take(a, idx, axis=0),
         lambda: torch.index_select(a, 0, torch.remainder(idx, n))),
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
    out += _other_families(n, a)
    return out


def _other_families(n: int, a: torch.Tensor) -> list:
    """nn / math / linalg / image cases at a scale tied to ``n``."""
    side = max(n // 8, 4)                      # 4x4 or 32x32 images
    img = torch.rand(2, side, side, 8)         # channels_last, as Keras's default
    kernel = torch.rand(3, 3, 8, 8)            # Keras layout (kh, kw, in, out)
    weight = kernel.permute(3, 2, 0, 1)
    labels = torch.randint(0, 10, (n,))
    seq = max(n // 8, 4)
    q = torch.rand(2, seq, 4, 16)              # (batch, seq, heads, head_dim)
    sq = torch.rand(n // 4, n // 4) + torch.eye(n // 4) * n
    rhs = torch.rand(n // 4, 4)

    def conv_ref():
        y = F.conv2d(img.permute(0, 3, 1, 2), weight, None, 1, 1)
        return y.permute(0, 2, 3, 1)

    def attn_ref():
        t = [x.transpose(1, 2) for x in (q, q, q)]
        return F.scaled_dot_product_attention(*t, scale=0.25).transpose(1, 2)

    def resize_ref():
        y = F.interpolate(img.permute(0, 3, 1, 2), size=(2 * side, 2 * side),
                          mode="bilinear", align_corners=False, antialias=False)
        return y.permute(0, 2, 3, 1)

    return [
        ("conv", lambda: ops.conv(img, kernel, padding="same"), conv_ref),
        ("one_hot", lambda: ops.one_hot(labels, 10),
         lambda: F.one_hot(labels, 10).float()),
        ("dot_attention", lambda: ops.dot_product_attention(q, q, q, scale=0.25), attn_ref),
        ("logsumexp", lambda: ops.logsumexp(a, axis=-1),
         lambda: torch.logsumexp(a, dim=-1)),
        ("top_k", lambda: ops.top_k(a, 4), lambda: torch.topk(a, 4, dim=-1, sorted=True)),
        ("solve", lambda: ops.solve(sq, rhs), lambda: torch.linalg.solve(sq, rhs)),
        ("resize", lambda: ops.image.resize(img, (2 * side, 2 * side)), resize_ref),
    ]


def _block(fn, reps: int) -> float:
    t0 = time.perf_counter()
    for _ in range(reps):
        fn()
    return (time.perf_counter() - t0) / reps


def calibrate(ref, block_s: float) -> int:
    """Repetitions of ``ref`` that take about ``block_s`` seconds."""
    reps = 1
    while True:
        took = _block(ref, reps) * reps
        if took >= block_s / 4 or reps >= 1 << 16:
            return max(1, int(reps * block_s / max(took, 1e-9)))
        reps *= 4


def time_pair(ours, ref, rounds: int, reps: int) -> float:
    """Best-of-``rounds`` mean time of ``ours`` over that of ``ref`` (order alternating)."""
    best_o = best_r = float("inf")
    for r in range(rounds):
        if r % 2:
            best_o = min(best_o, _block(ours, reps))
            best_r = min(best_r, _block(ref, reps))
        else:
            best_r = min(best_r, _block(ref, reps))
            best_o = min(best_o, _block(ours, reps))
    return best_o / best_r


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--block", type=float, default=1e-3,
                        help="seconds per timed block (sets the repetitions)")
    parser.add_argument("--only", nargs="*", help="op names to run (all by default)")
    args = parser.parse_args()
    torch.set_num_threads(1)
    rounds = 5 if args.quick else 11
    summary = {}
    for n in (32, 256):
        ratios = {}
        for name, ours, ref in cases(n):
            if args.only and name not in args.only:
                continue
            ours(), ref()  # warm-up
            reps = calibrate(ref, args.block)
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
