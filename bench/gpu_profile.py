"""Where ``fit`` spends GPU time against the raw loop: one profiled epoch of each side of
``bench/gpu_cifar.py`` (airbench94), on CUDA.

Prints, per side: wall time, CUDA kernel count and summed kernel time (a gap between the
two sides' kernel time is extra GPU work; a gap only in wall time is host overhead or a
wait on the GPU), the host-device synchronisations ``fit`` makes (sync-debug mode), and
the kernels each side runs most often.

    python bench/gpu_profile.py [--epochs 1] [--rows 25]
"""
from __future__ import annotations

import argparse
import os
import sys
import time
import traceback
import warnings
from collections import Counter

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import torch  # noqa: E402
from torch.profiler import ProfilerActivity, profile  # noqa: E402

import gpu_cifar  # noqa: E402  (puts examples/ and the repository on sys.path)
import _airbench as ab  # noqa: E402
import _cifar_common as common  # noqa: E402
import cifar10_fast  # noqa: E402
import torchkeras as keras  # noqa: E402


def _kernels(prof):
    names, total = Counter(), 0.0
    for e in prof.events():
        if e.device_type == torch.autograd.DeviceType.CUDA:
            names[e.name[:90]] += 1
            total += e.time_range.elapsed_us()
    return names, total


def main(argv=None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--epochs", type=float, default=1.0)
    p.add_argument("--rows", type=int, default=25)
    args = p.parse_args(argv)
    if not torch.cuda.is_available():
        raise SystemExit("gpu_profile.py needs CUDA")
    device = torch.device("cuda")
    keras.config.set_device(device)
    torch.backends.cudnn.benchmark = True
    keras.mixed_precision.set_global_policy("mixed_bfloat16")
    (xa, ya), (xb, yb) = common.synthetic_cifar10(50000, 10000)
    xt, yt, xv, yv = cifar10_fast.prepare_data(xa, ya, xb, yb, device, torch.bfloat16)
    hyp = {**ab.HYP, "epochs": args.epochs}
    sides = {"raw": lambda: gpu_cifar.raw_train(xt, yt, xv, yv, hyp),
             "fit": lambda: cifar10_fast.train(xt, yt, xv, yv, hyp)}
    for fn in sides.values():   # warm-up: cuDNN autotuning, allocator, first calls
        fn()
    counts = {}
    for name, fn in sides.items():
        torch.cuda.synchronize()
        t = time.perf_counter()
        result = fn()
        torch.cuda.synchronize()
        wall = time.perf_counter() - t
        with profile(activities=[ProfilerActivity.CPU, ProfilerActivity.CUDA]) as prof:
            fn()
        names, total = _kernels(prof)
        counts[name] = names
        steps = result["images"] // hyp["batch_size"]
        print("%s: %.3f s wall (%.3f s training, %d steps, %.2f ms/step); %d CUDA kernels "
              "(%.1f per step), %.3f s of kernel time"
              % (name, wall, result["train_seconds"], steps,
                 1e3 * result["train_seconds"] / steps, sum(names.values()),
                 sum(names.values()) / steps, total / 1e6), flush=True)
        print(prof.key_averages().table(sort_by="self_device_time_total",
                                        row_limit=args.rows), flush=True)
    extra = counts["fit"] - counts["raw"]
    print("kernels fit runs more often than raw (name: extra launches):")
    for k, v in extra.most_common(args.rows):
        print("  %6d  %s" % (v, k))
    syncs = Counter()

    def record(message, category, filename, lineno, file=None, line=None):
        if "synchroniz" in str(message):
            frames = [f for f in traceback.extract_stack()[:-1]
                      if "site-packages" not in f.filename and "warnings" not in f.filename]
            syncs[" <- ".join("%s:%d" % (os.path.basename(f.filename), f.lineno)
                              for f in frames[-3:][::-1])] += 1

    with warnings.catch_warnings():
        warnings.simplefilter("always")
        warnings.showwarning = record
        torch.cuda.set_sync_debug_mode("warn")
        try:
            sides["fit"]()
        finally:
            torch.cuda.set_sync_debug_mode("default")
    print("host-device syncs in one fit run (whole run, TTA included): %d"
          % sum(syncs.values()))
    for where, n in syncs.most_common(12):
        print("  %4d  %s" % (n, where))


if __name__ == "__main__":
    main()
