"""Forward + backward time of each layer against the plain torch kernel it wraps, on CPU
with one thread (convolution, pooling and normalization here; the other families in
layers_core.py; recurrent layers in rnn.py).

Columns (milliseconds, medians over alternating repeats; ratios are medians of the
per-repeat ratios, which cancels most of the noise of a shared machine):

* ``layer``: the torchkeras layer on its default (channels_last) input;
* ``kernel``: the raw torch call on the *same* tensor (the NCHW view of that input, the
  layer's own weights) — ``ratio`` = layer / kernel is the cost of the Keras wrapper,
  target <= 1.2x;
* ``nchw``: the torch call on a contiguous NCHW copy (what a torch user would write);
  ``vs nchw`` = layer / nchw shows the effect of the data layout.

    python bench/layers.py            # full table (< 2 minutes)
    python bench/layers.py --quick    # fewer repeats
    python bench/layers.py conv       # only rows whose name contains "conv"
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
os.environ.setdefault("TORCHKERAS_DEVICE", "cpu")

import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402
from torch import nn  # noqa: E402

from torchkeras import layers as L  # noqa: E402

torch.set_num_threads(1)


def nc(x):
    """(N, *spatial, C) -> (N, C, *spatial) view."""
    return x.permute(0, x.dim() - 1, *range(1, x.dim() - 1))


def nl(y):
    """(N, C, *spatial) -> (N, *spatial, C) view."""
    return y.permute(0, *range(2, y.dim()), 1)


def _leaf(t):
    return t.detach().clone().requires_grad_()


def case(layer, shape, kernel, training=False, nchw_input=True):
    """Builds the three closures of one row. ``kernel(x_nc)`` is the torch call on an
    (N, C, ...) tensor using ``layer``'s weights; its result is (N, C, ...)."""
    x = torch.randn(shape)
    layer(x)  # build
    xl = _leaf(x)
    xc = _leaf(nc(x).contiguous()) if nchw_input else None
    y = layer(xl, training=training)
    g = torch.randn(y.shape)
    gc = nc(g).contiguous() if nchw_input else None

    def ours():
        layer(xl, training=training).backward(g)

    def raw():
        nl(kernel(nc(xl))).backward(g)

    def torch_nchw():
        kernel(xc).backward(gc)

    return ours, raw, (torch_nchw if nchw_input else None)


def conv_kernel(layer, fn, padding):
    return lambda x: fn(x, layer.weight, layer.bias, layer.strides, padding,
                        layer.dilation_rate, layer.groups)


def rows():
    out = []

    def add(name, builder):
        out.append((name, builder))

    # ---------------------------------------------------------------- convolution
    def conv(cls, shape, padding_torch, **kw):
        layer = cls(**kw)
        fn = {1: F.conv1d, 2: F.conv2d, 3: F.conv3d}[len(shape) - 2]
        return case(layer, shape, lambda x: fn(x, layer.weight, layer.bias, layer.strides,
                                               padding_torch, layer.dilation_rate,
                                               layer.groups))

    add("Conv1D k3 same", lambda: conv(L.Conv1D, (16, 128, 64), 1, filters=64, kernel_size=3,
                                       padding="same"))
    add("Conv2D k3 same", lambda: conv(L.Conv2D, (8, 32, 32, 32), 1, filters=64,
                                       kernel_size=3, padding="same"))
    add("Conv2D k3 s2 valid", lambda: conv(L.Conv2D, (8, 33, 33, 32), 0, filters=64,
                                           kernel_size=3, strides=2))
    add("Conv2D k3 groups=4", lambda: conv(L.Conv2D, (8, 32, 32, 32), 1, filters=64,
                                           kernel_size=3, padding="same", groups=4))
    add("Conv3D k3 same", lambda: conv(L.Conv3D, (2, 16, 16, 16, 16), 1, filters=16,
                                       kernel_size=3, padding="same"))

    def conv_t(cls, shape, **kw):
        layer = cls(**kw)
        fn = {1: F.conv_transpose1d, 2: F.conv_transpose2d, 3: F.conv_transpose3d}[
            len(shape) - 2]
        # k=4, s=2, "same": Keras crops 1 on each side = torch padding=1
        return case(layer, shape, lambda x: fn(x, layer.weight, layer.bias, layer.strides, 1))

    add("Conv1DTranspose k4 s2", lambda: conv_t(L.Conv1DTranspose, (16, 64, 64), filters=32,
                                                kernel_size=4, strides=2, padding="same"))
    add("Conv2DTranspose k4 s2", lambda: conv_t(L.Conv2DTranspose, (8, 16, 16, 64),
                                                filters=32, kernel_size=4, strides=2,
                                                padding="same"))
    add("Conv3DTranspose k4 s2", lambda: conv_t(L.Conv3DTranspose, (2, 8, 8, 8, 16),
                                                filters=16, kernel_size=4, strides=2,
                                                padding="same"))

    def depthwise(cls, shape, **kw):
        layer = cls(**kw)
        fn = {1: F.conv1d, 2: F.conv2d}[len(shape) - 2]
        return case(layer, shape, lambda x: fn(x, layer.weight, layer.bias, 1, 1, 1,
                                               x.shape[1]))

    add("DepthwiseConv1D k3", lambda: depthwise(L.DepthwiseConv1D, (16, 128, 64),
                                                kernel_size=3, padding="same"))
    add("DepthwiseConv2D k3", lambda: depthwise(L.DepthwiseConv2D, (8, 32, 32, 64),
                                                kernel_size=3, padding="same"))

    def separable(cls, shape, **kw):
        layer = cls(**kw)
        fn = {1: F.conv1d, 2: F.conv2d}[len(shape) - 2]

        def k(x):
            y = fn(x, layer.depthwise_weight, None, 1, 1, 1, x.shape[1])
            return fn(y, layer.pointwise_weight, layer.bias)
        return case(layer, shape, k)

    add("SeparableConv1D k3", lambda: separable(L.SeparableConv1D, (16, 128, 64), filters=64,
                                                kernel_size=3, padding="same"))
    add("SeparableConv2D k3", lambda: separable(L.SeparableConv2D, (8, 32, 32, 32),
                                                filters=64, kernel_size=3, padding="same"))

    # ---------------------------------------------------------------- pooling
    def pool(cls, shape, fn, **kw):
        layer = cls(**kw)
        return case(layer, shape, lambda x: fn(x, layer.pool_size, layer.strides))

    add("MaxPooling1D", lambda: pool(L.MaxPooling1D, (16, 256, 64), F.max_pool1d))
    add("MaxPooling2D", lambda: pool(L.MaxPooling2D, (8, 64, 64, 32), F.max_pool2d))
    add("MaxPooling3D", lambda: pool(L.MaxPooling3D, (4, 16, 16, 16, 32), F.max_pool3d))
    add("AveragePooling1D", lambda: pool(L.AveragePooling1D, (16, 256, 64), F.avg_pool1d,
                                         pool_size=2))
    add("AveragePooling2D", lambda: pool(L.AveragePooling2D, (8, 64, 64, 32), F.avg_pool2d,
                                         pool_size=2))
    add("AveragePooling3D", lambda: pool(L.AveragePooling3D, (4, 16, 16, 16, 32),
                                         F.avg_pool3d, pool_size=2))

    def same_pool(cls, shape, fn, **kw):
        layer = cls(pool_size=3, strides=2, padding="same", **kw)
        # size 64, k3, s2: TF pads (0, 1) -> torch padding 0 + ceil_mode
        return case(layer, shape, lambda x: fn(x, 3, 2, 0, ceil_mode=True))

    add("MaxPooling2D k3 s2 same", lambda: same_pool(L.MaxPooling2D, (8, 64, 64, 32),
                                                     F.max_pool2d))

    def global_pool(cls, shape, mode):
        layer = cls()
        dims = tuple(range(2, len(shape)))
        if mode == "max":
            return case(layer, shape, lambda x: x.amax(dims), nchw_input=True)
        return case(layer, shape, lambda x: x.mean(dims), nchw_input=True)

    add("GlobalAveragePooling1D", lambda: global_pool(L.GlobalAveragePooling1D,
                                                      (32, 256, 64), "avg"))
    add("GlobalAveragePooling2D", lambda: global_pool(L.GlobalAveragePooling2D,
                                                      (8, 32, 32, 64), "avg"))
    add("GlobalAveragePooling3D", lambda: global_pool(L.GlobalAveragePooling3D,
                                                      (4, 16, 16, 16, 32), "avg"))
    add("GlobalMaxPooling1D", lambda: global_pool(L.GlobalMaxPooling1D, (32, 256, 64), "max"))
    add("GlobalMaxPooling2D", lambda: global_pool(L.GlobalMaxPooling2D, (8, 32, 32, 64),
                                                  "max"))
    add("GlobalMaxPooling3D", lambda: global_pool(L.GlobalMaxPooling3D,
                                                  (4, 16, 16, 16, 32), "max"))

    def adaptive(cls, shape, fn):
        layer = cls(output_size=5)
        return case(layer, shape, lambda x: fn(x, layer.output_size))

    add("AdaptiveAveragePooling1D", lambda: adaptive(L.AdaptiveAveragePooling1D,
                                                     (16, 256, 64), F.adaptive_avg_pool1d))
    add("AdaptiveAveragePooling2D", lambda: adaptive(L.AdaptiveAveragePooling2D,
                                                     (8, 32, 32, 64), F.adaptive_avg_pool2d))
    add("AdaptiveAveragePooling3D", lambda: adaptive(L.AdaptiveAveragePooling3D,
                                                     (4, 16, 16, 16, 32), F.adaptive_avg_pool3d))
    add("AdaptiveMaxPooling1D", lambda: adaptive(
        L.AdaptiveMaxPooling1D, (16, 256, 64), lambda x, s: F.adaptive_max_pool1d(x, s)))
    add("AdaptiveMaxPooling2D", lambda: adaptive(
        L.AdaptiveMaxPooling2D, (8, 32, 32, 64), lambda x, s: F.adaptive_max_pool2d(x, s)))
    add("AdaptiveMaxPooling3D", lambda: adaptive(
        L.AdaptiveMaxPooling3D, (4, 16, 16, 16, 32), lambda x, s: F.adaptive_max_pool3d(x, s)))

    # ---------------------------------------------------------------- normalization
    def batch_norm(shape, training):
        layer = L.BatchNormalization()
        ref = nn.BatchNorm2d(shape[-1], eps=1e-3, momentum=0.01)
        ref.train(training)
        with torch.no_grad():
            ref.weight.copy_(torch.rand(shape[-1]))
        layer(torch.zeros(shape))
        layer.load_state_dict(ref.state_dict())
        return case(layer, shape, ref, training=training)

    add("BatchNormalization train", lambda: batch_norm((16, 32, 32, 64), True))
    add("BatchNormalization infer", lambda: batch_norm((16, 32, 32, 64), False))

    def batch_norm_1d(shape):
        layer = L.BatchNormalization()
        ref = nn.BatchNorm1d(shape[-1], eps=1e-3, momentum=0.01)
        layer(torch.zeros(shape))
        return case(layer, shape, ref, training=True)

    add("BatchNormalization (N,C) train", lambda: batch_norm_1d((512, 256)))

    def layer_norm(shape):
        layer = L.LayerNormalization()
        return case(layer, shape, lambda x: nc(F.layer_norm(
            nl(x), layer.weight.shape, layer.weight, layer.bias, 1e-3)), nchw_input=False)

    add("LayerNormalization", lambda: layer_norm((32, 128, 256)))

    def rms_norm(shape):
        layer = L.RMSNormalization()
        return case(layer, shape, lambda x: nc(F.rms_norm(nl(x), layer.weight.shape,
                                                           layer.weight, 1e-6)),
                    nchw_input=False)

    add("RMSNormalization", lambda: rms_norm((32, 128, 256)))

    def group_norm(shape):
        layer = L.GroupNormalization(groups=8)
        return case(layer, shape, lambda x: F.group_norm(x, 8, layer.weight, layer.bias, 1e-3))

    add("GroupNormalization", lambda: group_norm((8, 32, 32, 64)))

    def unit_norm(shape):
        layer = L.UnitNormalization()
        return case(layer, shape, lambda x: F.normalize(x, dim=1, eps=1e-12))

    add("UnitNormalization", lambda: unit_norm((64, 128, 256)))

    def spectral(shape):
        layer = L.SpectralNormalization(L.Dense(256))
        ref = nn.utils.parametrizations.spectral_norm(nn.Linear(shape[-1], 256))
        ref.train()
        layer(torch.zeros(shape))
        x = _leaf(torch.randn(shape))
        g = torch.randn(shape[0], 256)

        def ours():
            layer(x, training=True).backward(g)

        def raw():
            ref(x).backward(g)
        return ours, raw, None

    add("SpectralNormalization(Dense)", lambda: spectral((256, 256)))

    # ---------------------------------------------------------------- audio spectrograms
    def stft_log(shape, trainable):
        """STFTSpectrogram(mode="log") against the same numbers written with torch.stft
        (frozen kernels: the layer's FFT path) or with F.conv1d on the layer's kernels
        (trainable kernels: the Keras formulation, gradients reach the kernels)."""
        layer = L.STFTSpectrogram(mode="log", frame_length=256, frame_step=128,
                                  fft_length=512, trainable=trainable)
        x = _leaf(torch.randn(shape))
        y = layer(x)
        g = torch.randn(y.shape)
        win = F.pad(layer.real_kernel.detach()[:, 0, 0], (0, 256))

        def log_mag(re, im):
            return (re.square() + im.square()).clamp_min(1e-7).sqrt().clamp_min(1e-7).log()

        def raw_fft():
            sig = F.pad(x[..., 0], (0, 256))
            spec = torch.stft(sig, 512, 128, 512, window=win, center=False,
                              return_complex=True)
            log_mag(spec.real, spec.imag).transpose(1, 2).backward(g)

        def raw_conv():
            sig = x.transpose(1, 2)
            re = F.conv1d(sig, layer.real_kernel.permute(2, 1, 0), stride=128)
            im = F.conv1d(sig, layer.imag_kernel.permute(2, 1, 0), stride=128)
            log_mag(re, im).transpose(1, 2).backward(g)

        def ours():
            layer(x).backward(g)
        return ours, (raw_conv if trainable else raw_fft), None

    add("STFTSpectrogram log frozen", lambda: stft_log((8, 16000, 1), False))
    add("STFTSpectrogram log trainable", lambda: stft_log((8, 16000, 1), True))

    def mel(shape):
        layer = L.MelSpectrogram(fft_length=1024, sequence_stride=256, num_mel_bins=64)
        x = _leaf(torch.randn(shape))
        y = layer(x)
        g = torch.randn(y.shape)
        matrix = layer.linear_to_mel_weight_matrix(64, 513, 16000, 20.0, 8000)
        win = torch.hann_window(1024)

        def raw():
            spec = torch.stft(x, 1024, 256, 1024, window=win, center=True,
                              return_complex=True).abs().square()
            db = 10.0 * torch.log10((spec.transpose(1, 2) @ matrix).clamp_min(1e-10))
            db = torch.maximum(db, db.amax() - 80.0)
            db.transpose(1, 2).backward(g)

        def ours():
            layer(x).backward(g)
        return ours, raw, None

    add("MelSpectrogram", lambda: mel((8, 16000)))
    # ---------------------------------------------------------------- colour augmentation
    # Training-mode calls with pinned draws, against the torch kernel each layer wraps.
    def gauss5(c):
        t = torch.arange(5, dtype=torch.float32) - 2
        k = torch.exp(-0.5 * (t / 0.8) ** 2)
        k = k / k.sum()
        return torch.outer(k, k).expand(c, 1, 5, 5)

    add("RandomGaussianBlur k5", lambda: case(
        L.RandomGaussianBlur((1, 1), kernel_size=5, sigma=(0.8, 0.8), value_range=(-9, 9)),
        (16, 64, 64, 3), lambda x: F.conv2d(x, gauss5(3), padding=2, groups=3).clamp(-9, 9),
        training=True))

    def sharpness_kernel(x):
        k = torch.full((3, 3), 1 / 13)
        k[1, 1] = 5 / 13
        smooth = F.conv2d(x, k.expand(3, 1, 3, 3), padding=1, groups=3)
        return (x + 0.5 * (smooth - x)).clamp(-9, 9)

    add("RandomSharpness", lambda: case(L.RandomSharpness((0.25, 0.25), value_range=(-9, 9)),
                                        (16, 64, 64, 3), sharpness_kernel, training=True))

    def shear_kernel(x):
        theta = torch.tensor([[1.0, 0.2, 0.2 * 63 / 64], [0.0, 1.0, 0.0]]).expand(x.shape[0], 2, 3)
        grid = F.affine_grid(theta, list(x.shape), align_corners=False)
        return F.grid_sample(x, grid, padding_mode="reflection", align_corners=False)

    add("RandomShear", lambda: case(L.RandomShear((0.2, 0.2)), (16, 64, 64, 3), shear_kernel,
                                    training=True))
    add("RandomGrayscale(1.0)", lambda: case(
        L.RandomGrayscale(1.0), (16, 64, 64, 3),
        lambda x: (0.2989 * x[:, 0] + 0.587 * x[:, 1] + 0.114 * x[:, 2]).unsqueeze(1)
        .expand(-1, 3, -1, -1), training=True))

    from layers_core import core_rows   # core/activation/reshaping/merging/... rows
    out.extend(core_rows())
    out.extend(augmentation_rows())
    return out


def augmentation_rows() -> list:
    """Training-mode augmentation layers on a (32, 64, 64, 3) batch against what a torch
    user writes: MixUp/CutMix by hand, the others with torchvision's per-image functional
    ops in a loop (torchvision draws one set of parameters per call)."""
    from torchvision.transforms.v2 import functional as TF
    shape = (32, 64, 64, 3)
    out = []

    def aug(layer, kernel):
        x = torch.rand(shape).requires_grad_()
        y = layer(x, training=True)
        g = torch.randn(y.shape)

        def ours():
            layer(x, training=True).backward(g)

        def raw():
            nl(kernel(nc(x))).backward(g)
        return ours, raw, None

    def mixup_kernel(x):
        b = x.shape[0]
        lam = torch.distributions.Beta(0.2, 0.2).sample((b, 1, 1, 1))
        return torch.lerp(x[torch.randperm(b)], x, lam)

    def cutmix_kernel(x):
        # Hand-written CutMix with Keras's semantics: one box (and one partner) per image.
        b, _, h, w = x.shape
        lam = torch.distributions.Beta(1.0, 1.0).sample((b,))
        perm = torch.randperm(b)
        mixed = x.clone()
        for i in range(b):
            ch, cw = int(h * (1 - lam[i]) ** 0.5), int(w * (1 - lam[i]) ** 0.5)
            top = int(torch.randint(0, h - ch + 1, ()))
            left = int(torch.randint(0, w - cw + 1, ()))
            mixed[i, :, top:top + ch, left:left + cw] = x[perm[i], :, top:top + ch,
                                                          left:left + cw]
        return mixed

    def erase_kernel(x):
        # torchvision's erase per image, filled with noise as Keras's RandomErasing is.
        outs = []
        for img in x:
            i, j = int(torch.randint(0, 40, ())), int(torch.randint(0, 40, ()))
            outs.append(TF.erase(img, i, j, 20, 20, torch.rand(img.shape[0], 20, 20)))
        return torch.stack(outs)

    def perspective_kernel(x):
        corners = [[0, 0], [63, 0], [63, 63], [0, 63]]
        outs = []
        for img in x:
            end = [[int(a + torch.randint(-8, 9, ())), int(b + torch.randint(-8, 9, ()))]
                   for a, b in corners]
            outs.append(TF.perspective(img, corners, end))
        return torch.stack(outs)

    def elastic_kernel(x):
        outs = []
        for img in x:
            disp = torch.randn(1, 64, 64, 2) * 0.05
            outs.append(TF.elastic(img, disp))
        return torch.stack(outs)

    out.append(("MixUp (train)", lambda: aug(L.MixUp(), mixup_kernel)))
    out.append(("CutMix (train)", lambda: aug(L.CutMix(), cutmix_kernel)))
    out.append(("RandomErasing (train)", lambda: aug(
        L.RandomErasing(factor=(1.0, 1.0), value_range=(0, 1)), erase_kernel)))
    out.append(("RandomPerspective (train)", lambda: aug(
        L.RandomPerspective(scale=0.3), perspective_kernel)))
    out.append(("RandomElasticTransform (train)", lambda: aug(
        L.RandomElasticTransform(value_range=(0, 1)), elastic_kernel)))
    return out


def measure(fns, budget: float):
    """Median time of each closure, and the median of the per-repeat ratios of the first
    to each other one: a repeat runs all closures back to back, so load changes from
    other processes hit both sides of a ratio alike."""
    for _ in range(3):
        for f in fns:
            f()
    t0 = time.perf_counter()
    for f in fns:
        f()
    one = time.perf_counter() - t0
    reps = max(7, min(101, int(budget / max(one, 1e-6))))
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
    budget = 0.3 if args.quick else 1.2
    torch.manual_seed(0)
    print("%-30s %9s %9s %7s %9s %8s" % ("layer (fwd+bwd, 1 thread)", "layer ms", "kernel ms",
                                         "ratio", "nchw ms", "vs nchw"))
    worst = 0.0
    start = time.perf_counter()
    for name, builder in rows():
        if args.filter.lower() not in name.lower():
            continue
        ours, raw, nchw = builder()
        fns = [ours, raw] + ([nchw] if nchw is not None else [])
        ts, ratios = measure(fns, budget)
        worst = max(worst, ratios[0])
        extra = ("%9.3f %7.2fx" % (ts[2], ratios[1])) if nchw is not None else \
            "%9s %8s" % ("-", "-")
        print("%-30s %9.3f %9.3f %6.2fx %s" % (name, ts[0], ts[1], ratios[0], extra),
              flush=True)
    print("worst ratio %.2fx (target <= 1.20x); %.0f s" % (worst, time.perf_counter() - start))


if __name__ == "__main__":
    main()
