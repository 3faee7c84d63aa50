"""airbench94 on CIFAR-10: torchkeras ``fit`` against the same recipe in a raw torch loop.

Both sides train the same network with the same tricks on the same device-resident
data (the augmenting batch source of ``examples/_airbench.py``): whitening conv fitted
to patch statistics, BatchNorm/GELU conv groups, Nesterov SGD with two learning-rate
groups and a triangular schedule, Lookahead over the whole state, label smoothing,
alternating flips and 2-pixel translations, mixed bfloat16, channels_last, and
test-time augmentation. The raw side is plain ``torch.nn`` + ``torch.optim.SGD`` +
``LambdaLR``, keeping a running loss and accuracy on the device as a loop that reports
them would (``fit`` keeps both in its logs); the torchkeras side is
``examples/cifar10_fast.py``'s ``train`` (``fit``).

Printed: training throughput of each (images/s) and their ratio, the time of a whole
run (whitening fit + training + TTA evaluation, what airbench reports) and its ratio,
and mean TTA accuracies. Targets on a GPU: fit >= 0.97x the raw loop's images/s, and
``cifar10_fast`` at >= 94.0% mean accuracy within 1.15x the raw loop's time.

    python bench/gpu_cifar.py                 # CUDA: CIFAR-10 (synthetic if offline)
    python bench/gpu_cifar.py --runs 10 --compile
    python bench/gpu_cifar.py --graphs        # + fit with CUDA graphs vs the raw eager loop
    python bench/gpu_cifar.py --curves        # fit and raw loop train alike, epoch by epoch
    python bench/gpu_cifar.py --cpu           # the shortened CI configuration

Without CUDA (or with ``--cpu``) it runs a shortened configuration — a few hundred
synthetic images, one epoch, narrow network — to check that everything still works;
its figures are printed but mean nothing about GPU speed.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time

_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path[:0] = [os.path.join(_ROOT, "examples"), _ROOT]

import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402
from torch import nn  # noqa: E402

import _airbench as ab  # noqa: E402
import _cifar_common as common  # noqa: E402
import cifar10_fast  # noqa: E402
import torchkeras as keras  # noqa: E402
from torchkeras.layers.core.whitening_conv2d import patch_whitening_kernel  # noqa: E402


# ----------------------------------------------------------------------------- raw torch
class RawBatchNorm(nn.BatchNorm2d):
    """airbench's BatchNorm: frozen unit scale, trained offset, momentum 0.6 (Keras sense)."""

    def __init__(self, channels: int, momentum: float):
        super().__init__(channels, eps=1e-12, momentum=1 - momentum)
        self.weight.requires_grad = False


class RawConv(nn.Conv2d):
    """3x3 "same" conv without bias; the first ``in_channels`` filters start as identity."""

    def __init__(self, cin: int, cout: int):
        super().__init__(cin, cout, 3, padding="same", bias=False)

    def reset_parameters(self) -> None:
        super().reset_parameters()
        w = self.weight.data
        nn.init.dirac_(w[:w.size(1)])


class RawGroup(nn.Module):
    def __init__(self, cin: int, cout: int, momentum: float):
        super().__init__()
        self.conv1, self.pool = RawConv(cin, cout), nn.MaxPool2d(2)
        self.norm1, self.conv2 = RawBatchNorm(cout, momentum), RawConv(cout, cout)
        self.norm2, self.activ = RawBatchNorm(cout, momentum), nn.GELU()

    def forward(self, x):
        x = self.activ(self.norm1(self.pool(self.conv1(x))))
        return self.activ(self.norm2(self.conv2(x)))


class RawNet(nn.Module):
    def __init__(self, widths, momentum: float, scaling: float):
        super().__init__()
        self.whiten = nn.Conv2d(3, 24, 2, bias=True)
        self.whiten.weight.requires_grad = False
        chans = (24,) + tuple(widths)
        self.groups = nn.Sequential(*[RawGroup(chans[i], chans[i + 1], momentum)
                                      for i in range(3)])
        self.pool = nn.MaxPool2d(3)
        self.head = nn.Linear(widths[-1], 10, bias=False)
        self.scaling = scaling

    def forward(self, x):
        x = self.groups(F.gelu(self.whiten(x)))
        return self.head(self.pool(x).flatten(1)) * self.scaling


def copy_weights(model, net: "RawNet") -> None:
    """Copies an ``_airbench.build_model`` network's weights and statistics into ``net``.

    Every torchkeras layer is an ``nn.Module`` whose ``weight`` is in torch's layout, so
    the copy is one ``copy_`` per tensor.
    """
    with torch.no_grad():
        whiten = model.get_layer("whiten")
        net.whiten.weight.copy_(whiten.weight)
        net.whiten.bias.copy_(whiten.bias)
        for i, group in enumerate(net.groups):
            for j, (conv, norm) in enumerate(((group.conv1, group.norm1),
                                              (group.conv2, group.norm2))):
                conv.weight.copy_(model.get_layer("block%d_conv%d" % (i + 1, j + 1)).weight)
                tk_norm = model.get_layer("block%d_norm%d" % (i + 1, j + 1))
                norm.bias.copy_(tk_norm.bias)
                norm.running_mean.copy_(tk_norm.moving_mean)
                norm.running_var.copy_(tk_norm.moving_variance)
        net.head.weight.copy_(model.get_layer("head").weight)


def raw_train(x_train, y_train, x_test, y_test, hyp: dict, compile_net=False,
              init_from=None, data_seed: int | None = None) -> dict:
    """airbench94 as a hand-written loop, timed as ``cifar10_fast.train`` is.

    ``compile_net``: False, True or a ``torch.compile`` mode for the network.
    ``init_from``: an ``_airbench.build_model`` network whose initial weights to start
    from (the fit-vs-raw comparison). ``data_seed``: seed of the augmentation's generator.
    The result's ``history`` holds the per-epoch training loss and accuracy.
    """
    device = x_train.device
    cuda = device.type == "cuda"
    amp = torch.autocast(device.type, dtype=torch.bfloat16, enabled=cuda)
    _sync(device)
    t0 = time.perf_counter()
    net = RawNet(hyp["widths"], hyp["bn_momentum"], hyp["scaling_factor"]).to(
        device, memory_format=torch.channels_last)
    if init_from is not None:
        copy_weights(init_from, net)
    with torch.no_grad():
        net.whiten.weight.copy_(patch_whitening_kernel(
            x_train[:hyp["whiten_images"]].permute(0, 3, 1, 2), (2, 2), 5e-4))
    gen = None if data_seed is None else torch.Generator(device=device).manual_seed(data_seed)
    data = ab.AugmentedCifar(x_train, y_train, hyp["batch_size"], translate=hyp["translate"],
                             generator=gen)
    const = ab.schedule_constants(hyp, len(data), mean_loss=True)
    total, lr, l2, factor = const["total_steps"], const["lr"], const["l2"], \
        const["bias_lr_factor"]
    norm = [p for k, p in net.named_parameters() if "norm" in k and p.requires_grad]
    other = [p for k, p in net.named_parameters() if "norm" not in k and p.requires_grad]
    opt = torch.optim.SGD([{"params": norm, "lr": lr * factor, "weight_decay": l2 / factor},
                           {"params": other, "lr": lr, "weight_decay": l2}],
                          momentum=hyp["momentum"], nesterov=True)
    shape = ab.TriangularSchedule(1.0, total)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: shape(s))
    decay = ab.LookaheadDecay(total)
    slow = {k: v.clone() for k, v in net.state_dict().items()}
    mode = compile_net if isinstance(compile_net, str) else None
    fwd = torch.compile(net, mode=mode) if compile_net else net

    def lookahead(alpha: float) -> None:
        with torch.no_grad():
            for s, w in zip(slow.values(), net.state_dict().values()):
                if w.is_floating_point():
                    s.lerp_(w, alpha)
                    w.copy_(s)

    # Running loss and accuracy on the device, as fit's logs keep them (no host sync).
    # One pair per epoch, read after training: per-epoch curves as fit's History has them.
    epochs_seen = []
    t1 = time.perf_counter()
    step, epoch = 0, 0
    while step < total:
        net.whiten.bias.requires_grad = epoch < hyp["whiten_bias_epochs"]
        net.train()
        seen_loss = torch.zeros((), device=device)
        seen_correct = torch.zeros((), device=device, dtype=torch.long)
        epochs_seen.append((seen_loss, seen_correct, step))
        for i in range(len(data)):
            x, y = data[i]
            with amp:
                out = fwd(x.permute(0, 3, 1, 2))
            loss = F.cross_entropy(out.float(), y, label_smoothing=hyp["label_smoothing"],
                                   reduction="mean")
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            sched.step()
            seen_loss += loss.detach()
            seen_correct += (out.detach().argmax(1) == y).sum()
            step += 1
            if step % hyp["lookahead_period"] == 0:
                lookahead(decay(step))
            if step >= total:
                if step >= hyp["lookahead_period"]:
                    lookahead(0.0)   # end on the slow weights, once there are any
                break
        data.on_epoch_end()
        epoch += 1
    _sync(device)
    train_seconds = time.perf_counter() - t1
    ends = [start for _, _, start in epochs_seen[1:]] + [step]
    history = {"loss": [float(l_) / (end - start) for (l_, _, start), end
                        in zip(epochs_seen, ends)],
               "accuracy": [float(c) / ((end - start) * hyp["batch_size"]) for (_, c, start), end
                            in zip(epochs_seen, ends)]}
    net.eval()

    def predict(views):
        outs = []
        with torch.no_grad(), amp:
            for i in range(0, len(views), 2000):
                outs.append(net(views[i:i + 2000].permute(0, 3, 1, 2)).float())
        return torch.cat(outs)

    logits = ab.tta_logits(predict, x_test, hyp["tta_level"])
    accuracy = float((logits.argmax(1) == y_test).float().mean())
    _sync(device)
    return {"accuracy": accuracy, "seconds": time.perf_counter() - t0,
            "train_seconds": train_seconds, "images": step * hyp["batch_size"],
            "history": history, "net": net}


# Per-epoch agreement of fit with the raw loop: float32 on CPU differs by summation order
# only; mixed bfloat16 on a GPU adds rounding noise that the training amplifies a little.
CURVE_TOLERANCE = {"float32": {"loss_rel": 1e-4, "accuracy_abs": 0.01},
                   "mixed_bfloat16": {"loss_rel": 0.03, "accuracy_abs": 0.02}}


def compare_curves(x_train, y_train, x_test, y_test, hyp: dict, seed: int = 0,
                   precision: str = "float32") -> dict:
    """Trains airbench94 through ``fit`` and through the raw loop from the same start.

    Same seed, same data, same initial weights (the raw network copies the torchkeras
    one's), same augmentation draws (one generator each, seeded alike). Returns both
    per-epoch histories, the largest relative loss and absolute accuracy differences,
    the tolerance for ``precision`` and ``ok``.
    """
    hyp = {**ab.HYP, **hyp}
    keras.utils.set_random_seed(seed)
    model = ab.build_model(hyp["widths"], hyp["bn_momentum"], hyp["scaling_factor"])
    raw = raw_train(x_train, y_train, x_test, y_test, hyp, init_from=model, data_seed=seed)
    fit = cifar10_fast.train(x_train, y_train, x_test, y_test, hyp, model=model,
                             data_seed=seed)
    r, f = raw["history"], fit["history"]
    if len(r["loss"]) != len(f["loss"]):
        raise AssertionError("fit ran %d epochs, the raw loop %d" % (len(f["loss"]),
                                                                   len(r["loss"])))
    loss_rel = max(abs(a - b) / abs(b) for a, b in zip(f["loss"], r["loss"]))
    acc_abs = max(abs(a - b) for a, b in zip(f["accuracy"], r["accuracy"]))
    tol = CURVE_TOLERANCE[precision]
    return {"raw": r, "fit": f, "loss_rel": loss_rel, "accuracy_abs": acc_abs,
            "tolerance": tol, "raw_test_accuracy": raw["accuracy"],
            "fit_test_accuracy": fit["accuracy"],
            "ok": loss_rel <= tol["loss_rel"] and acc_abs <= tol["accuracy_abs"]}


def print_curves(c: dict) -> None:
    print("epoch | raw loss  raw acc | fit loss  fit acc")
    for i, (rl, ra, fl, fa) in enumerate(zip(c["raw"]["loss"], c["raw"]["accuracy"],
                                             c["fit"]["loss"], c["fit"]["accuracy"])):
        print("%5d | %8.3f  %7.4f | %8.3f  %7.4f" % (i + 1, rl, ra, fl, fa))
    print("fit vs raw: max loss difference %.2e (relative, tolerance %.0e), max accuracy "
          "difference %.4f (tolerance %.3f): %s" % (
              c["loss_rel"], c["tolerance"]["loss_rel"], c["accuracy_abs"],
              c["tolerance"]["accuracy_abs"], "SAME TRAINING" if c["ok"] else "DIFFERENT"))
    print("test accuracy (TTA): raw %.4f, fit %.4f" % (c["raw_test_accuracy"],
                                                       c["fit_test_accuracy"]), flush=True)


def _sync(device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)


# ----------------------------------------------------------------------------- driver
def _summary(results: list) -> dict:
    n = len(results)
    return {"runs": n,
            "accuracy": sum(r["accuracy"] for r in results) / n,
            "seconds": sum(r["seconds"] for r in results) / n,
            "train_seconds": sum(r["train_seconds"] for r in results) / n,
            "images_per_s": sum(r["images"] for r in results)
            / sum(r["train_seconds"] for r in results)}


def main(argv=None) -> dict:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--cpu", action="store_true", help="force the shortened CPU configuration")
    p.add_argument("--runs", type=int, default=None, help="timed runs of each (GPU default 8)")
    p.add_argument("--epochs", type=float, default=None,
                   help="training epochs (GPU default 10: a small margin over airbench94's "
                        "9.9 for the 94%% mean)")
    p.add_argument("--compile", nargs="?", const="default", default=None,
                   choices=("default", "reduce-overhead", "max-autotune"),
                   help="torch.compile the raw forward and compile(jit_compile=...) for fit "
                        "(default mode if no mode is given)")
    p.add_argument("--graphs", action="store_true",
                   help="also time fit with compile(jit_compile='reduce-overhead') (CUDA "
                        "graphs on CUDA) against the raw eager loop")
    p.add_argument("--curves", action="store_true",
                   help="instead of timing: one run of fit and one of the raw loop from the "
                        "same seed, data and initial weights; compare per-epoch loss and "
                        "accuracy (exit status 1 when they differ beyond the tolerance)")
    p.add_argument("--synthetic", action="store_true", help="synthetic data even on GPU")
    p.add_argument("--json", default=None, help="also write the results to this file")
    args = p.parse_args(argv)

    cuda = torch.cuda.is_available() and not args.cpu
    device = torch.device("cuda", torch.cuda.current_device()) if cuda else torch.device("cpu")
    keras.config.set_device(device)
    if cuda:
        torch.backends.cudnn.benchmark = True
        keras.mixed_precision.set_global_policy("mixed_bfloat16")
        hyp = {"epochs": args.epochs or 10.0}
        runs, train_n, test_n, synthetic = args.runs or 8, None, None, args.synthetic
        n_syn = (50000, 10000)
    else:
        # CI: a few hundred images, one epoch, a narrow net; checks, not timings.
        keras.mixed_precision.set_global_policy("float32")
        hyp = {"epochs": args.epochs or 1.0, "batch_size": 64, "widths": (16, 32, 32),
               "whiten_images": 256}
        runs, train_n, test_n, synthetic = args.runs or 1, 384, 256, True
        n_syn = (train_n, test_n)
    hyp = {**ab.HYP, **hyp}
    if synthetic:
        (xa, ya), (xb, yb) = common.synthetic_cifar10(*n_syn)
        source = "synthetic"
    else:
        (xa, ya), (xb, yb), source = common.load_cifar10(False, train_n, test_n,
                                                         synthetic_sizes=n_syn)
    dtype = torch.bfloat16 if cuda else torch.float32
    xt, yt, xv, yv = cifar10_fast.prepare_data(xa, ya, xb, yb, device, dtype)
    print("device %s, %s data (%d train / %d test), %d run(s) of %.2f epochs, batch %d, "
          "compile=%s" % (torch.cuda.get_device_name(device) if cuda else "cpu", source,
                         len(xt), len(xv), runs, hyp["epochs"], hyp["batch_size"],
                         args.compile), flush=True)

    if args.curves:
        precision = "mixed_bfloat16" if cuda else "float32"
        c = compare_curves(xt, yt, xv, yv, hyp, seed=0, precision=precision)
        print_curves(c)
        if args.json:
            with open(args.json, "w") as f:
                json.dump({"device": str(device), "data": source, **c}, f, indent=2)
        if __name__ == "__main__" and not c["ok"]:
            sys.exit(1)
        return c

    jit = cifar10_fast.jit_option(args.compile)

    def fit_run(mode=jit):
        r = cifar10_fast.train(xt, yt, xv, yv, hyp, jit=mode)
        r.pop("model")
        return r

    def raw_run():
        r = raw_train(xt, yt, xv, yv, hyp, compile_net=jit)
        r.pop("net")
        return r

    # Warm-up, untimed: cuDNN autotuning, torch.compile, allocators, first-call costs.
    short = {**hyp, "epochs": min(1.0, hyp["epochs"])}
    raw_train(xt, yt, xv, yv, short, compile_net=jit)
    cifar10_fast.train(xt, yt, xv, yv, short, jit=jit)
    if args.graphs:
        cifar10_fast.train(xt, yt, xv, yv, short, jit="reduce-overhead")
    raw, fit, graphs = [], [], []
    for i in range(runs):   # interleaved, so drifts (clocks, heat) hit all sides alike
        keras.utils.set_random_seed(i)
        raw.append(raw_run())
        keras.utils.set_random_seed(i)
        fit.append(fit_run())
        line = "run %d: raw %.4f in %.2f s | fit %.4f in %.2f s" % (
            i, raw[-1]["accuracy"], raw[-1]["seconds"], fit[-1]["accuracy"],
            fit[-1]["seconds"])
        if args.graphs:
            keras.utils.set_random_seed(i)
            graphs.append(fit_run("reduce-overhead"))
            line += " | fit+graphs %.4f in %.2f s" % (graphs[-1]["accuracy"],
                                                      graphs[-1]["seconds"])
        print(line, flush=True)
    out = {"device": str(device), "data": source, "hyp": {k: v for k, v in hyp.items()},
           "raw": _summary(raw), "fit": _summary(fit)}
    out["throughput_ratio"] = out["fit"]["images_per_s"] / out["raw"]["images_per_s"]
    if graphs:
        out["fit_graphs"] = _summary(graphs)
        out["graphs_ratio"] = out["fit_graphs"]["images_per_s"] / out["raw"]["images_per_s"]
    out["time_ratio"] = out["fit"]["seconds"] / out["raw"]["seconds"]
    for name in ("raw", "fit") + (("fit_graphs",) if graphs else ()):
        s = out[name]
        print("%-4s mean TTA accuracy %.4f | %.2f s per run (%.2f s training) | %.0f images/s"
              % (name, s["accuracy"], s["seconds"], s["train_seconds"], s["images_per_s"]))
    print("throughput ratio fit/raw: %.3f (target >= 0.97 on GPU)" % out["throughput_ratio"])
    if graphs:
        print("throughput ratio fit with CUDA graphs (jit_compile='reduce-overhead') / raw "
              "eager%s: %.3f (target >= 1.2 on GPU)"
              % (" (compiled)" if jit else "", out["graphs_ratio"]))
    reached = out["fit"]["accuracy"] >= 0.94
    print("time ratio fit/raw: %.3f (target <= 1.15 on GPU); fit mean accuracy %.4f %s 94.0%%"
          % (out["time_ratio"], out["fit"]["accuracy"], ">=" if reached else "<"))
    if source != "cifar10":
        print("(synthetic data: the accuracies only show that both sides learn alike; the "
              "94% target needs CIFAR-10)")
    if not cuda:
        print("(CPU configuration: a functional check; these figures say nothing about GPUs)")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(out, f, indent=2, default=str)
    return out


if __name__ == "__main__":
    main()
