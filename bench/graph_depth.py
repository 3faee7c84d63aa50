"""Deep functional graphs: time to build, train one step, save and load (in the saved
layer order and reversed) for chains of 1,000 and 10,000 layers; prints the 10k/1k
ratios. Linear time means ratios near 10 (the issue asks for at most 12).

Run: PYTHONPATH=. python bench/graph_depth.py [--layer dense|activation] [--small 1000]
     [--large 10000]
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


def measure(depth: int, layer: str, folder: str) -> dict:
    times = {}
    gc.collect()
    t = time.perf_counter()
    model = chain(depth, layer)
    times["build"] = time.perf_counter() - t
    model.compile(optimizer="sgd", loss="mse")
    x = np.ones((8, 4), "float32")
    t = time.perf_counter()
    model.fit(x, x, batch_size=8, epochs=1, verbose=0)
    times["train 1 step"] = time.perf_counter() - t
    path = os.path.join(folder, "chain%d.keras" % depth)
    t = time.perf_counter()
    model.save(path)
    times["save"] = time.perf_counter() - t
    rpath = reversed_copy(path)
    del model
    for name, p in (("load", path), ("load reversed", rpath)):
        gc.collect()
        t = time.perf_counter()
        tk.models.load_model(p)
        times[name] = time.perf_counter() - t
    return times


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--layer", choices=["dense", "activation"], default="dense")
    parser.add_argument("--small", type=int, default=1000)
    parser.add_argument("--large", type=int, default=10000)
    args = parser.parse_args()
    tk.config.set_device("cpu")
    with tempfile.TemporaryDirectory() as folder:
        small = measure(args.small, args.layer, folder)
        large = measure(args.large, args.layer, folder)
    print("%-14s %10s %10s %7s" % ("step", "%d" % args.small, "%d" % args.large, "ratio"))
    for key in small:
        print("%-14s %9.2fs %9.2fs %6.1fx" % (key, small[key], large[key],
                                               large[key] / small[key]))
    total_s, total_l = sum(small.values()), sum(large.values())
    print("%-14s %9.2fs %9.2fs %6.1fx" % ("total", total_s, total_l, total_l / total_s))


if __name__ == "__main__":
    main()
