"""CIFAR-10 to 94% as fast as known: the airbench94 recipe, trained with ``fit``.

Keller Jordan's airbench94 reaches 94% test accuracy in under 10 epochs: a frozen
whitening conv fitted to patch statistics, a small BatchNorm/GELU conv net, Nesterov SGD
with a triangular learning-rate schedule and Lookahead, label smoothing, flip and
translate augmentation, and test-time augmentation. Here every piece is a torchkeras
piece: ``layers.WhiteningConv2D`` (+ ``adapt``), ``optimizers.Lookahead`` around a
custom ``Optimizer``, a ``PyDataset`` that augments on the device, callbacks, ``fit``.

    python examples/cifar10_fast.py                   # CIFAR-10 (synthetic if offline)
    python examples/cifar10_fast.py --synthetic --epochs 2 --train-size 2048

On a CUDA GPU it trains in mixed bfloat16 with channels_last activations (the
NHWC tensors' native layout); on CPU in float32. ``bench/gpu_cifar.py`` times it
against the same recipe written as a raw torch loop.
"""
from __future__ import annotations

import math
import os
import sys
import time

_HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:0] = [_HERE, os.path.dirname(_HERE)]   # the examples, then the repository

import numpy as np  # noqa: E402
import torch  # noqa: E402

import _airbench as ab  # noqa: E402
import _cifar_common as common  # noqa: E402
import torchkeras as keras  # noqa: E402


def _sync(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def prepare_data(x_train, y_train, x_test, y_test, device, dtype=torch.float32):
    """uint8 arrays -> normalised NHWC tensors and int64 labels, on ``device``."""
    def images(x):
        return torch.as_tensor(common.normalize(x)).to(device=device, dtype=dtype)

    def labels(y):
        return torch.as_tensor(np.asarray(y).reshape(-1).astype(np.int64)).to(device)
    return images(x_train), labels(y_train), images(x_test), labels(y_test)


def train(x_train, y_train, x_test, y_test, hyp=None, jit=False,
          logdir: str | None = None, verbose: int = 0, steps_per_epoch: int | None = None,
          model=None, data_seed: int | None = None):
    """Trains airbench94 with ``fit`` on device tensors; returns accuracy and timings.

    Args:
        x_train, x_test: Normalised ``(N, 32, 32, 3)`` tensors on the training device.
        y_train, y_test: int64 label tensors.
        hyp: Overrides of ``_airbench.HYP``.
        jit: ``compile(jit_compile=jit)``: False, True or a ``torch.compile`` mode such
            as ``"reduce-overhead"`` (CUDA graphs on CUDA).
        logdir: TensorBoard folder, or None.
        verbose: ``fit`` verbosity.
        steps_per_epoch: Cap on the batches per epoch (CI-sized runs).
        model: A fresh ``_airbench.build_model`` network to train (None: built here);
            the fit-vs-raw comparison copies its initial weights into the raw network.
        data_seed: Seed of the augmentation's own generator (None: the global one).

    Returns:
        Dict with ``accuracy`` (TTA), ``seconds`` (whitening fit + training + TTA, the
        time airbench reports), ``train_seconds``, ``images`` (trained on), ``model``,
        ``history`` (per-epoch training ``loss`` and ``accuracy``).
    """
    hyp = {**ab.HYP, **(hyp or {})}
    device = x_train.device
    _sync(device)
    t0 = time.perf_counter()
    if model is None:
        model = ab.build_model(hyp["widths"], hyp["bn_momentum"], hyp["scaling_factor"])
    # Conv kernels in channels_last memory format, like the NHWC activations: the conv
    # kernels then take no layout conversions (every layer is an nn.Module).
    model.to(device=device, memory_format=torch.channels_last)
    whiten = model.get_layer("whiten")
    whiten.adapt(x_train[:hyp["whiten_images"]])
    onehot = torch.nn.functional.one_hot(y_train, 10).to(torch.float32)
    gen = None if data_seed is None else torch.Generator(device=device).manual_seed(data_seed)
    data = ab.AugmentedCifar(x_train, onehot, hyp["batch_size"], flip=True,
                             translate=hyp["translate"], generator=gen)
    steps = min(len(data), steps_per_epoch or len(data))
    # The mean loss per image (what Keras reports), with airbench's summed-loss step.
    const = ab.schedule_constants(hyp, steps, mean_loss=True)
    total = const["total_steps"]
    sgd = ab.AirbenchSGD(ab.TriangularSchedule(const["lr"], total), momentum=hyp["momentum"],
                         l2=const["l2"], lr_multipliers={"^beta$": const["bias_lr_factor"]})
    # airbench averages the whole state, BatchNorm statistics included.
    stats = [w for w in model.non_trainable_weights if w.is_floating_point()]
    optimizer = keras.optimizers.Lookahead(sgd, sync_period=hyp["lookahead_period"],
                                           slow_step_size=ab.LookaheadDecay(total),
                                           extra_variables=stats)
    model.compile(optimizer=optimizer,
                  loss=keras.losses.CategoricalCrossentropy(
                      from_logits=True, label_smoothing=hyp["label_smoothing"]),
                  metrics=["accuracy"], jit_compile=jit)
    callbacks = [
        # The whitening bias trains for the first epochs only (its kernel never does).
        keras.callbacks.LambdaCallback(on_epoch_begin=lambda epoch, logs=None: setattr(
            whiten, "trainable", epoch < hyp["whiten_bias_epochs"])),
        ab.StopAfterSteps(total),
    ]
    if logdir:
        callbacks.append(keras.callbacks.TensorBoard(logdir, write_graph=False))
    t1 = time.perf_counter()
    history = model.fit(data, epochs=math.ceil(total / steps), steps_per_epoch=steps_per_epoch,
              shuffle=False, verbose=verbose, callbacks=callbacks)
    optimizer.finalize_variable_values(model.trainable_weights)   # keep the slow weights
    _sync(device)
    train_seconds = time.perf_counter() - t1

    def predict(views):
        return torch.as_tensor(model.predict(views, batch_size=2000, verbose=0))

    logits = ab.tta_logits(predict, x_test, hyp["tta_level"])
    accuracy = float((logits.argmax(1) == y_test.cpu()).float().mean())
    _sync(device)
    seconds = time.perf_counter() - t0
    return {"accuracy": accuracy, "seconds": seconds, "train_seconds": train_seconds,
            "images": int(optimizer.iterations) * hyp["batch_size"], "model": model,
            "history": {k: list(history.history[k]) for k in ("loss", "accuracy")}}


def jit_option(flag: str | None):
    """``--jit [MODE]`` -> ``compile(jit_compile=...)``: absent False, bare True, else MODE."""
    return {None: False, "default": True}.get(flag, flag)


def main(argv=None) -> float:
    p = common.base_parser(__doc__.splitlines()[0], epochs=ab.HYP["epochs"],
                           batch_size=ab.HYP["batch_size"])
    p.add_argument("--widths", default="64,256,256", help="channels of the three conv groups")
    p.add_argument("--tta-level", type=int, default=2, choices=(0, 1, 2))
    p.add_argument("--jit", nargs="?", const="default", default=None,
                   choices=("default", "reduce-overhead", "max-autotune"),
                   help="compile(jit_compile=...): faster steps after a compile of a minute "
                        "or so, worth it for repeated runs; 'reduce-overhead' replays CUDA "
                        "graphs on CUDA (bench/gpu_cifar.py --compile)")
    p.add_argument("--precision", default="auto",
                   choices=("auto", "float32", "mixed_bfloat16"),
                   help="dtype policy (auto: mixed_bfloat16 on CUDA, float32 on CPU)")
    args = p.parse_args(argv)
    keras.utils.set_random_seed(args.seed)
    device = keras.config.get_device()
    cuda = device.type == "cuda"
    if cuda:
        torch.backends.cudnn.benchmark = True
    precision = args.precision if args.precision != "auto" else (
        "mixed_bfloat16" if cuda else "float32")
    keras.mixed_precision.set_global_policy(precision)
    jit = jit_option(args.jit)

    (x_train, y_train), (x_test, y_test), source = common.load_cifar10(
        args.synthetic, args.train_size, args.test_size, args.seed)
    dtype = torch.bfloat16 if precision == "mixed_bfloat16" else torch.float32
    xt, yt, xv, yv = prepare_data(x_train, y_train, x_test, y_test, device, dtype)
    hyp = {"epochs": args.epochs, "batch_size": min(args.batch_size, len(xt)),
           "tta_level": args.tta_level,
           "widths": tuple(int(w) for w in args.widths.split(","))}
    logdir = common.default_logdir("cifar10_fast", args.logdir)
    print("Training airbench94 on %d %s images (%s, %s, jit_compile=%s), logs in %s"
          % (len(xt), source, device, precision, jit, logdir), flush=True)
    result = train(xt, yt, xv, yv, hyp, jit=jit, logdir=logdir, verbose=args.verbose,
                   steps_per_epoch=args.steps_per_epoch)
    plain = result["model"].evaluate(
        xv, torch.nn.functional.one_hot(yv, 10).float(), batch_size=2000, verbose=0,
        return_dict=True)["accuracy"]
    print("%d training images in %.2f s (%.0f images/s); %.2f s with whitening and TTA; "
          "accuracy without TTA %.4f" % (result["images"], result["train_seconds"],
                                         result["images"] / result["train_seconds"],
                                         result["seconds"], plain))
    common.report("cifar10_fast", source, result["accuracy"])
    return result["accuracy"]


if __name__ == "__main__":
    main()
