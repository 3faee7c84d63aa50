"""Deep functional graphs: time to build, train one step, save and load (in the saved
layer order and reversed) for chains of 1,000 and 10,000 layers; prints the 10k/1k
ratios. Linear time means ratios near 10 (the issue asks for at most 12). Times are
CPU seconds of this process (torch on one thread), so other programs sharing the machine
do not distort the ratios; wall-clock seconds are printed too.

Python's cyclic garbage collector scans the whole heap now and then, and a 10k-layer
model is a large heap: ``--gc-off`` turns it off during the timed steps to separate its
cost from the algorithms'.

Run: PYTHONPATH=. python bench/graph_depth.py [--layer dense|activation] [--small 1000]
     [--large 10000] [--gc-off]
"""
from __future__ import annotations

import argparse
import gc
import json
import os
import tempfile
import time
import zipfile

import numpy as np
import torch

import torchkeras as tk


def chain(depth: int, layer: str):
    inp = tk.Input((4,))
    x = inp
    for _ in range(depth):
        x = tk.layers.Dense(4)(x) if layer == "dense" else tk.layers.Activation("relu")(x)
    if layer != "dense":
        x = tk.layers.Dense(4)(x)
    return tk.Model(inp, x)


def reversed_copy(path: str) -> str:
    with zipfile.ZipFile(path) as z:
        members = {k: z.read(k) for k in z.namelist()}
    config = json.loads(members["config.json"])
    config["config"]["layers"].reverse()
    members["config.json"] = json.dumps(config).encode()
    out = path.replace(".keras", ".reversed.keras")
    with zipfile.ZipFile(out, "w") as z:
        for k, v in members.items():
            z.writestr(k, v)
    return out


class _Timer:
    """CPU and wall-clock seconds of one step."""

    gc_off = False

    def __enter__(self):
        gc.collect()
        if self.gc_off:
            gc.disable()
        self.cpu, self.wall = time.process_time(), time.perf_counter()
        return self

    def __exit__(self, *exc):
        self.cpu = time.process_time() - self.cpu
        self.wall = time.perf_counter() - self.wall
        gc.enable()


def measure(depth: int, layer: str, folder: str) -> dict:
    times = {}
    with _Timer() as t:
        model = chain(depth, layer)
    times["build"] = t
    model.compile(optimizer="sgd", loss="mse")
    x = np.ones((8, 4), "float32")
    with _Timer() as t:
        model.fit(x, x, batch_size=8, epochs=1, verbose=0)
    times["train 1 step"] = t
    path = os.path.join(folder, "chain%d.keras" % depth)
    with _Timer() as t:
        model.save(path)
    times["save"] = t
    rpath = reversed_copy(path)
    del model
    for name, p in (("load", path), ("load reversed", rpath)):
        with _Timer() as t:
            tk.models.load_model(p)
        times[name] = t
    return times


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--layer", choices=["dense", "activation"], default="dense")
    parser.add_argument("--small", type=int, default=1000)
    parser.add_argument("--large", type=int, default=10000)
    parser.add_argument("--gc-off", action="store_true")
    args = parser.parse_args()
    _Timer.gc_off = args.gc_off
    tk.config.set_device("cpu")
    torch.set_num_threads(1)
    with tempfile.TemporaryDirectory() as folder:
        small = measure(args.small, args.layer, folder)
        large = measure(args.large, args.layer, folder)
    print("%-14s %10s %10s %7s   %10s %10s %7s" % ("step", "cpu %d" % args.small,
                                                   "cpu %d" % args.large, "ratio",
                                                   "wall %d" % args.small,
                                                   "wall %d" % args.large, "ratio"))
    rows = [(key, small[key].cpu, large[key].cpu, small[key].wall, large[key].wall)
            for key in small]
    rows.append(("total",) + tuple(sum(r[i] for r in rows) for i in range(1, 5)))
    for key, cs, cl, ws, wl in rows:
        print("%-14s %9.2fs %9.2fs %6.1fx   %9.2fs %9.2fs %6.1fx"
              % (key, cs, cl, cl / cs, ws, wl, wl / ws))

if __name__ == "__main__":
    main()
