"""Overhead of ``fit``/``evaluate``/``predict`` against a hand-written torch loop.

Both sides train the same architecture for one epoch on the same data, in the same
process, on CPU with one thread; the ratio is torchkeras time / raw loop time (thread CPU
time; the median over repeats of back-to-back raw/ours/ours/raw runs), and the verdict is
the median ratio over three fresh processes per workload. Targets: fit <= 1.10x on the first workload and <= 1.03x on
the other two; evaluate and predict <= 1.05x.

    python bench/overhead.py            # all three workloads
    python bench/overhead.py --quick    # fewer samples (CI smoke run)
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
os.environ.setdefault("TORCHKERAS_DEVICE", "cpu")

import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402
from torch import nn  # noqa: E402

import torchkeras as keras  # noqa: E402


def mlp_keras(sizes):
    layers = [keras.Input((sizes[0],))]
    for units in sizes[1:-1]:
        layers.append(keras.layers.Dense(units, activation="relu"))
    layers.append(keras.layers.Dense(sizes[-1]))
    return keras.Sequential(layers)


def mlp_torch(sizes):
    mods = []
    for a, b in zip(sizes[:-2], sizes[1:-1]):
        mods += [nn.Linear(a, b), nn.ReLU()]
    mods.append(nn.Linear(sizes[-2], sizes[-1]))
    return nn.Sequential(*mods)


def conv_keras():
    return keras.Sequential([
        keras.Input((32, 32, 3)),
        keras.layers.Conv2D(16, 3, padding="same", activation="relu"),
        keras.layers.MaxPooling2D(2),
        keras.layers.Conv2D(32, 3, padding="same", activation="relu"),
        keras.layers.MaxPooling2D(2),
        keras.layers.Flatten(),
        keras.layers.Dense(10),
    ])


class ConvTorch(nn.Module):
    """The same convnet on NHWC data, permuted to a channels_last NCHW view like Conv2D."""

    def __init__(self):
        super().__init__()
        self.c1 = nn.Conv2d(3, 16, 3, padding=1)
        self.c2 = nn.Conv2d(16, 32, 3, padding=1)
        self.fc = nn.Linear(8 * 8 * 32, 10)

    def forward(self, x):
        x = x.permute(0, 3, 1, 2)
        x = F.max_pool2d(F.relu(self.c1(x)), 2)
        x = F.max_pool2d(F.relu(self.c2(x)), 2)
        x = x.permute(0, 2, 3, 1).reshape(x.shape[0], -1)
        return self.fc(x)


def raw_fit(model, x, y, batch_size):
    try:   # torch's fastest Adam on this device: fused, else foreach
        opt = torch.optim.Adam(model.parameters(), lr=1e-3, eps=1e-7, fused=True)
    except (RuntimeError, TypeError):
        opt = torch.optim.Adam(model.parameters(), lr=1e-3, eps=1e-7, foreach=True)
    model.train()
    n = x.shape[0]
    perm = torch.randperm(n)
    total = torch.zeros(())
    correct = torch.zeros(())
    for i in range(0, n, batch_size):
        idx = perm[i:i + batch_size]
        xb, yb = x.index_select(0, idx), y.index_select(0, idx)
        opt.zero_grad(set_to_none=True)
        out = model(xb)
        loss = F.cross_entropy(out, yb)
        loss.backward()
        opt.step()
        total += loss.detach() * xb.shape[0]
        correct += (out.detach().argmax(-1) == yb).sum()
    return float(total / n), float(correct / n)


def raw_evaluate(model, x, y, batch_size):
    model.eval()
    total = torch.zeros(())
    correct = torch.zeros(())
    with torch.no_grad():
        for i in range(0, x.shape[0], batch_size):
            xb, yb = x[i:i + batch_size], y[i:i + batch_size]
            out = model(xb)
            total += F.cross_entropy(out, yb) * xb.shape[0]
            correct += (out.argmax(-1) == yb).sum()
    return float(total / x.shape[0]), float(correct / x.shape[0])


def raw_predict(model, x, batch_size):
    model.eval()
    outs = []
    with torch.no_grad():
        for i in range(0, x.shape[0], batch_size):
            outs.append(model(x[i:i + batch_size]))
    return torch.cat(outs).numpy()


def timed(fn):
    # CPU time of this thread: with one torch thread it is the work done, and it does
    # not count time the OS gave to other processes on a shared machine.
    t0 = time.thread_time()
    fn()
    return time.thread_time() - t0


def run(name, make_keras, make_torch, x_np, y_np, batch_size, repeats):
    x = torch.as_tensor(x_np)
    y = torch.as_tensor(y_np)
    kmodel = make_keras()
    kmodel.compile(optimizer=keras.optimizers.Adam(1e-3),
                   loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                   metrics=["accuracy"])
    tmodel = make_torch()
    # warm-up both sides (allocator, first-call paths)
    kmodel.fit(x_np, y_np, batch_size=batch_size, epochs=1, verbose=0)
    raw_fit(tmodel, x, y, batch_size)
    # Paired timing: each repeat runs raw, ours, ours, raw back to back (ABBA), and its
    # ratio compares the two pairs. This machine's speed drifts by up to 2x over seconds
    # (neighbours on the shared cores): a pair sees the same state, a best-of-N per side
    # need not. The median of the per-repeat ratios is the process's figure.
    sides = {
        "fit": (lambda: raw_fit(tmodel, x, y, batch_size),
                lambda: kmodel.fit(x_np, y_np, batch_size=batch_size, epochs=1, verbose=0)),
        "evaluate": (lambda: raw_evaluate(tmodel, x, y, batch_size),
                     lambda: kmodel.evaluate(x_np, y_np, batch_size=batch_size, verbose=0)),
        "predict": (lambda: raw_predict(tmodel, x, batch_size),
                    lambda: kmodel.predict(x_np, batch_size=batch_size, verbose=0)),
    }
    per_repeat = {k: [] for k in sides}
    best = {k: [float("inf"), float("inf")] for k in sides}
    for _ in range(repeats):
        for k, (raw_fn, ours_fn) in sides.items():
            r1, o1, o2, r2 = timed(raw_fn), timed(ours_fn), timed(ours_fn), timed(raw_fn)
            per_repeat[k].append((o1 + o2) / (r1 + r2))
            best[k] = [min(best[k][0], r1, r2), min(best[k][1], o1, o2)]
    ratios = {k: statistics.median(v) for k, v in per_repeat.items()}
    print("%-28s fit %.3fs vs raw %.3fs -> %.3fx | evaluate %.3fx | predict %.3fx"
          % (name, best["fit"][1], best["fit"][0], ratios["fit"], ratios["evaluate"],
             ratios["predict"]), flush=True)
    return ratios


WORKLOADS = {
    "mlp 32-64-10 b64": ("mlp 32-64-10 batch 64", 1.10),
    "mlp 784-256-10 b128": ("mlp 784-256-10 batch 128", 1.03),
    "convnet cifar b128": ("convnet 32x32x3 batch 128", 1.03),
}


def run_workload(key: str, scale: int, repeats: int) -> dict:
    torch.set_num_threads(1)
    # Denormal floats make CPU kernels erratically slow for whichever side happens to
    # produce them; flush them to zero for both sides.
    torch.set_flush_denormal(True)
    torch.manual_seed(0)
    rng = np.random.default_rng(0)
    label = WORKLOADS[key][0]
    if key == "mlp 32-64-10 b64":
        n = 20000 // scale
        return run(label, lambda: mlp_keras([32, 64, 10]), lambda: mlp_torch([32, 64, 10]),
                   rng.normal(size=(n, 32)).astype("float32"), rng.integers(0, 10, n), 64,
                   repeats)
    if key == "mlp 784-256-10 b128":
        n = 20000 // scale
        return run(label, lambda: mlp_keras([784, 256, 10]), lambda: mlp_torch([784, 256, 10]),
                   rng.normal(size=(n, 784)).astype("float32"), rng.integers(0, 10, n), 128,
                   repeats)
    n = 2500 // scale
    return run(label, conv_keras, ConvTorch, rng.normal(size=(n, 32, 32, 3)).astype("float32"),
               rng.integers(0, 10, n), 128, repeats)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="small sizes for a smoke run")
    ap.add_argument("--repeats", type=int, default=7, help="alternating repeats per process")
    ap.add_argument("--processes", type=int, default=3,
                    help="fresh processes per workload; the median ratio is the verdict")
    ap.add_argument("--workload", choices=sorted(WORKLOADS), help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    scale = 10 if args.quick else 1
    repeats = 1 if args.quick else args.repeats
    if args.workload:
        ratios = run_workload(args.workload, scale, repeats)
        print("RATIOS %s" % json.dumps(ratios), flush=True)
        return 0
    # Each workload in fresh processes (raw loop and fit side by side inside each), so the
    # memory state one workload leaves behind does not tilt the next one's timings. A
    # process's memory layout can favour one side by several percent for its whole life
    # (seen on the convnet: 0.98x in two processes, 1.04x in a third), so the verdict is
    # the median over several processes; the range is printed too.
    processes = 1 if args.quick else args.processes
    results = {}
    for key in WORKLOADS:
        runs = []
        for _ in range(processes):
            cmd = [sys.executable, os.path.abspath(__file__), "--workload", key,
                   "--repeats", str(repeats)] + (["--quick"] if args.quick else [])
            proc = subprocess.run(cmd, capture_output=True, text=True)
            if proc.returncode != 0:
                raise SystemExit(proc.stdout + proc.stderr)
            for line in proc.stdout.splitlines():
                if line.startswith("RATIOS "):
                    runs.append(json.loads(line[len("RATIOS "):]))
                else:
                    print(line, flush=True)
        results[key] = {m: statistics.median(r[m] for r in runs) for m in runs[0]}
        if processes > 1:
            print("%-28s median of %d processes: fit %.3fx (%.3f-%.3f) | evaluate %.3fx "
                  "(%.3f-%.3f) | predict %.3fx (%.3f-%.3f)"
                  % ((WORKLOADS[key][0], processes) + tuple(
                      v for m in ("fit", "evaluate", "predict")
                      for v in (results[key][m], min(r[m] for r in runs),
                                max(r[m] for r in runs)))), flush=True)
    ok = True
    for key, r in results.items():
        target = WORKLOADS[key][1]
        met = r["fit"] <= target and r["evaluate"] <= 1.05 and r["predict"] <= 1.05
        ok &= met
        print("%-22s target fit<=%.2fx eval/pred<=1.05x: %s" % (key, target,
                                                                 "met" if met else "MISSED"))
    return 0 if ok or args.quick else 1


if __name__ == "__main__":
    sys.exit(main())
