"""Forward + backward time of the recurrent layers against torch's own modules, on CPU
with one thread.

Columns (milliseconds, medians over alternating repeats; ratios are medians of the
per-repeat ratios, which cancels most of the noise of a shared machine):

* ``layer``: the torchkeras layer (LSTM/GRU/SimpleRNN, Bidirectional…);
* ``torch``: the equivalent ``nn.LSTM``/``nn.GRU``/``nn.RNN(batch_first=True)`` holding the
  same weights (loaded from the layer's ``state_dict``) — ``ratio`` = layer / torch,
  target <= 1.2x;
* ``loop``: the same layer forced onto its per-step cell loop (``use_cudnn=False``):
  ``loop / layer`` is what the fused kernel buys;
* ``keras``: Keras 3 (torch backend) on the same weights, when it is installed.

    python bench/rnn.py              # full table
    python bench/rnn.py --quick      # fewer repeats
    python bench/rnn.py gru          # only rows whose name contains "gru"
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
os.environ.setdefault("TORCHKERAS_DEVICE", "cpu")
os.environ.setdefault("KERAS_BACKEND", "torch")

import torch  # noqa: E402
from torch import nn  # noqa: E402

from torchkeras import layers as L  # noqa: E402

torch.set_num_threads(1)

TORCH_MODULES = {"LSTM": nn.LSTM, "GRU": nn.GRU, "SimpleRNN": nn.RNN}


def _keras_twin(layer, x):
    """The same layer in Keras 3 with the same weights, or None without Keras."""
    try:
        import keras
    except Exception:  # pragma: no cover - optional
        return None
    if keras.backend.backend() != "torch":
        return None
    twin = keras.layers.deserialize({"class_name": type(layer).__name__,
                                     "config": layer.get_config(), "module": "keras.layers"})
    twin(x.numpy())
    twin.set_weights(layer.get_weights())
    return twin


def case(kind: str, batch: int, steps: int, features: int, units: int,
         return_sequences: bool = True, bidirectional: bool = False, keras_col: bool = True):
    x = torch.randn(batch, steps, features)
    kw = dict(return_sequences=return_sequences)
    layer = getattr(L, kind)(units, **kw)
    loop = getattr(L, kind)(units, use_cudnn=False, **kw) if kind != "SimpleRNN" else \
        L.SimpleRNN(units, unroll=True, **kw)
    if bidirectional:
        layer, loop = L.Bidirectional(layer), L.Bidirectional(loop)
    layer(x)
    loop(x)
    loop.set_weights(layer.get_weights())
    mod = TORCH_MODULES[kind](features, units, batch_first=True, bidirectional=bidirectional)
    state = layer.state_dict()
    if bidirectional:
        state = {**{k.split(".", 1)[1]: v for k, v in state.items()
                    if k.startswith("forward_layer.")},
                 **{k.split(".", 1)[1] + "_reverse": v for k, v in state.items()
                    if k.startswith("backward_layer.")}}
    mod.load_state_dict(state)
    xl = x.clone().requires_grad_()
    y = layer(xl)
    g = torch.randn(y.shape)

    def ours():
        layer(xl).backward(g)

    def raw():
        out, h = mod(xl)
        if not return_sequences:
            h = h[0] if isinstance(h, tuple) else h
            out = torch.cat([h[0], h[1]], -1) if bidirectional else h[0]
        out.backward(g)

    def stepped():
        loop(xl).backward(g)

    keras_layer = _keras_twin(layer, x) if keras_col else None
    torch.testing.assert_close(layer(x), raw_out(mod, x, return_sequences, bidirectional),
                               rtol=1e-4, atol=1e-5)

    def in_keras():
        keras_layer(xl).backward(g)

    return ours, raw, stepped, (in_keras if keras_layer is not None else None)


def raw_out(mod, x, return_sequences, bidirectional):
    out, h = mod(x)
    if return_sequences:
        return out
    h = h[0] if isinstance(h, tuple) else h
    return torch.cat([h[0], h[1]], -1) if bidirectional else h[0]


def rows():
    for kind in ("LSTM", "GRU", "SimpleRNN"):
        yield "%s b32 t50 64->128 seq" % kind, lambda k=kind: case(k, 32, 50, 64, 128)
        yield "%s b16 t20 16->32 last" % kind, lambda k=kind: case(k, 16, 20, 16, 32, False)
    yield "Bidirectional(LSTM) b32 t50", lambda: case("LSTM", 32, 50, 64, 64,
                                                      bidirectional=True, keras_col=False)
    yield "Bidirectional(GRU) b16 t20 last", lambda: case("GRU", 16, 20, 16, 32, False,
                                                          bidirectional=True, keras_col=False)


def measure(fns, budget: float):
    """Median time of each closure, and the median per-repeat ratio of the first to each
    other one (a repeat runs all of them back to back, so load changes hit all alike)."""
    for _ in range(2):
        for f in fns:
            f()
    t0 = time.perf_counter()
    for f in fns:
        f()
    one = time.perf_counter() - t0
    reps = max(5, min(61, int(budget / max(one, 1e-6))))
    times = [[] for _ in fns]
    for r in range(reps):
        order = range(len(fns)) if r % 2 == 0 else reversed(range(len(fns)))
        for i in order:
            s = time.perf_counter()
            fns[i]()
            times[i].append(time.perf_counter() - s)
    medians = [statistics.median(t) * 1e3 for t in times]
    ratios = [statistics.median(a / b for a, b in zip(times[0], t)) for t in times[1:]]
    return medians, ratios


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("filter", nargs="?", default="")
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    budget = 0.5 if args.quick else 2.0
    torch.manual_seed(0)
    print("%-32s %9s %9s %7s %9s %8s %9s %8s" % (
        "layer (fwd+bwd, 1 thread)", "layer ms", "torch ms", "ratio", "loop ms", "loop/x",
        "keras ms", "keras/x"))
    worst, start = 0.0, time.perf_counter()
    for name, builder in rows():
        if args.filter.lower() not in name.lower():
            continue
        ours, raw, stepped, in_keras = builder()
        fns = [ours, raw, stepped] + ([in_keras] if in_keras is not None else [])
        ts, ratios = measure(fns, budget)
        worst = max(worst, ratios[0])
        keras_cols = ("%9.3f %7.1fx" % (ts[3], 1 / ratios[2])) if in_keras else \
            "%9s %8s" % ("-", "-")
        print("%-32s %9.3f %9.3f %6.2fx %9.3f %7.1fx %s" % (
            name, ts[0], ts[1], ratios[0], ts[2], 1 / ratios[1], keras_cols), flush=True)
    print("worst ratio vs torch %.2fx (target <= 1.20x); %.0f s"
          % (worst, time.perf_counter() - start))


if __name__ == "__main__":
    main()
