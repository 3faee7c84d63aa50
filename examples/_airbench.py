"""The airbench94 CIFAR-10 recipe (Keller Jordan, 2024) as torchkeras pieces.

Shared by ``cifar10_fast.py`` (training with ``fit``) and ``bench/gpu_cifar.py`` (the
same recipe in a hand-written torch loop):

* ``build_model``: whitening conv (frozen, fitted to patch statistics), three conv
  groups (conv, max-pool, BatchNorm, GELU, conv, BatchNorm, GELU), max-pool, linear
  head scaled by 1/9 — torch's default initialisation, identity-initialised convs.
* ``AugmentedCifar``: the training batches, made on the device: one random crop of the
  2-pixel reflect-padded image per sample and epoch, and "alternating" flips (a fixed
  random half of the images flipped on even epochs, the other half on odd ones).
* ``AirbenchSGD``: Nesterov SGD exactly as ``torch.optim.SGD`` computes it (L2 decay
  added to the gradient, learning rate applied outside the momentum buffer), with a
  learning-rate multiplier per variable name (BatchNorm offsets train 64x faster).
* ``TriangularSchedule`` (learning rate) and ``LookaheadDecay`` (Lookahead step size).
* ``tta_logits``: test-time augmentation (mirror, and 1-pixel translations).
"""
from __future__ import annotations

import math
import re

import torch
import torch.nn.functional as F

import torchkeras as keras
from torchkeras import initializers, layers
from torchkeras.optimizers import Optimizer
from torchkeras.optimizers.schedules import LearningRateSchedule
from torchkeras.utils.py_dataset import PyDataset

HYP = {
    "epochs": 9.9, "batch_size": 1024, "lr": 11.5, "momentum": 0.85,
    "weight_decay": 0.0153, "bias_scaler": 64.0, "label_smoothing": 0.2,
    "whiten_bias_epochs": 3, "widths": (64, 256, 256), "bn_momentum": 0.6,
    "scaling_factor": 1 / 9, "tta_level": 2, "translate": 2, "whiten_images": 5000,
    "lookahead_period": 5,
}


def torch_default_init() -> initializers.Initializer:
    """The initialisation ``nn.Conv2d``/``nn.Linear`` use: U(+-1/sqrt(fan_in))."""
    return initializers.VarianceScaling(scale=1.0 / 3.0, mode="fan_in", distribution="uniform")


class PartialDirac(initializers.Initializer):
    """torch's default conv init, with the first ``in_channels`` filters set to identity.

    Keras kernel layout ``(kh, kw, in, out)``: filter ``i < in`` passes input channel
    ``i`` through unchanged (``torch.nn.init.dirac_`` on those filters).
    """

    def __call__(self, shape, dtype=None) -> torch.Tensor:
        kernel = torch.as_tensor(torch_default_init()(shape, dtype=dtype))
        kh, kw, cin, cout = shape
        n = min(cin, cout)
        kernel[..., :n] = 0
        idx = torch.arange(n)
        kernel[kh // 2, kw // 2, idx, idx] = 1
        return kernel


def build_model(widths=HYP["widths"], bn_momentum: float = HYP["bn_momentum"],
                scaling: float = HYP["scaling_factor"], whiten_kernel: int = 2,
                num_classes: int = 10) -> keras.Model:
    """The airbench94 network on the functional API (channels_last 32x32x3 inputs)."""
    bound = 1.0 / math.sqrt(3 * whiten_kernel * whiten_kernel)   # nn.Conv2d's bias init
    inputs = keras.Input((32, 32, 3))
    x = layers.WhiteningConv2D(whiten_kernel, epsilon=5e-4, name="whiten",
                               bias_initializer=initializers.RandomUniform(-bound, bound))(inputs)
    x = layers.Activation("gelu")(x)
    for i, width in enumerate(widths):
        for j in range(2):
            x = layers.Conv2D(width, 3, padding="same", use_bias=False,
                              kernel_initializer=PartialDirac(),
                              name="block%d_conv%d" % (i + 1, j + 1))(x)
            if j == 0:
                x = layers.MaxPooling2D(2)(x)
            # airbench's BatchNorm: fast moving statistics, tiny epsilon, no scale.
            x = layers.BatchNormalization(momentum=bn_momentum, epsilon=1e-12, scale=False,
                                          name="block%d_norm%d" % (i + 1, j + 1))(x)
            x = layers.Activation("gelu")(x)
    x = layers.MaxPooling2D(3)(x)
    x = layers.Flatten()(x)
    x = layers.Dense(num_classes, use_bias=False, kernel_initializer=torch_default_init(),
                     name="head")(x)
    outputs = layers.Rescaling(scaling, name="scale")(x)
    return keras.Model(inputs, outputs, name="airbench94")


class AugmentedCifar(PyDataset):
    """Training batches made on the device, airbench-style.

    Every epoch draws a new order and a new crop offset per image; flips alternate
    between epochs. Each batch is one gather from the padded images, so nothing is
    copied to or from the host and nothing synchronises with it.

    Args:
        images: ``(N, H, W, C)`` tensor of normalised images, on the training device.
        labels: ``(N, ...)`` tensor of targets, on the same device.
        batch_size: Images per batch.
        flip: Alternating horizontal flips.
        translate: Maximum shift in pixels (reflect padding), 0 for none.
        drop_last: Drop the last, smaller batch (airbench trains on full batches).
        generator: ``torch.Generator`` on the images' device for the flips, orders and
            crops (None: torch's global generator). Two sources given generators seeded
            alike yield the same batches, whatever else draws random numbers.

    Example:
        >>> data = AugmentedCifar(x, y, batch_size=1024)
        >>> model.fit(data, epochs=10, shuffle=False)
    """

    def __init__(self, images: torch.Tensor, labels: torch.Tensor, batch_size: int,
                 flip: bool = True, translate: int = 2, drop_last: bool = True,
                 generator: torch.Generator | None = None):
        super().__init__()
        if images.dim() != 4:
            raise ValueError("AugmentedCifar expects (N, H, W, C) images, got shape %s"
                             % (tuple(images.shape),))
        if images.shape[0] != labels.shape[0]:
            raise ValueError("AugmentedCifar: %d images but %d labels"
                             % (images.shape[0], labels.shape[0]))
        n = images.shape[0]
        if batch_size < 1 or (drop_last and batch_size > n):
            raise ValueError("AugmentedCifar: batch_size=%d for %d images" % (batch_size, n))
        self.labels = labels
        self.batch_size = batch_size
        self.translate = int(translate)
        self.drop_last = drop_last
        self.epoch = 0
        self.generator = generator
        dev = images.device
        t = self.translate
        # NHWC -> NCHW view for F.pad's reflect mode, and back to NHWC storage.
        self.padded = F.pad(images.permute(0, 3, 1, 2), (t, t, t, t), mode="reflect") \
            .permute(0, 2, 3, 1).contiguous() if t else images
        self.size = images.shape[1:3]
        self._base_flip = torch.rand(n, device=dev, generator=generator) < 0.5 \
            if flip else None
        self._rows = torch.arange(self.size[0], device=dev)
        self._cols = torch.arange(self.size[1], device=dev)
        self._stale = True

    def __len__(self) -> int:
        n = self.labels.shape[0]
        return n // self.batch_size if self.drop_last else math.ceil(n / self.batch_size)

    def _prepare(self) -> None:
        n, dev = self.labels.shape[0], self.labels.device
        gen = self.generator
        self._perm = torch.randperm(n, device=dev, generator=gen)
        self._shifts = torch.randint(0, 2 * self.translate + 1, (n, 2), device=dev,
                                     generator=gen) if self.translate else None
        if self._base_flip is not None:
            self._flips = self._base_flip ^ bool(self.epoch % 2)
        self._stale = False

    def __getitem__(self, index: int):
        if self._stale:
            self._prepare()
        ids = self._perm[index * self.batch_size:(index + 1) * self.batch_size]
        rows, cols = self._rows.expand(len(ids), -1), self._cols.expand(len(ids), -1)
        if self._shifts is not None:
            shift = self._shifts[ids]
            rows, cols = rows + shift[:, :1], cols + shift[:, 1:]
        if self._base_flip is not None:
            cols = torch.where(self._flips[ids].unsqueeze(1), cols.flip(1), cols)
        x = self.padded[ids.view(-1, 1, 1), rows.unsqueeze(2), cols.unsqueeze(1)]
        return x, self.labels[ids]

    def on_epoch_end(self) -> None:
        self.epoch += 1
        self._stale = True


class AirbenchSGD(Optimizer):
    """Nesterov SGD as ``torch.optim.SGD`` computes it, with per-variable LR multipliers.

    ``d = g + l2 / m_v * w``; ``buf = momentum * buf + d``;
    ``w -= lr * m_v * (d + momentum * buf)``, where ``m_v`` is the multiplier of the
    variable (1 unless its name matches a key of ``lr_multipliers``): the multiplier
    speeds up the gradient step but leaves the decay per step unchanged.

    Args:
        learning_rate: Float or schedule (host-side, as every torchkeras optimizer).
        momentum: Momentum factor.
        l2: L2 decay coefficient added to the gradient (torch's ``weight_decay``).
        lr_multipliers: ``{regex: factor}`` matched against variable names.
        name: Name of the optimizer.
    """

    def __init__(self, learning_rate=0.01, momentum: float = 0.9, l2: float = 0.0,
                 lr_multipliers: dict | None = None, name: str | None = None):
        super().__init__(learning_rate=learning_rate, name=name)
        self.momentum = float(momentum)
        self.l2 = float(l2)
        self.lr_multipliers = dict(lr_multipliers or {})
        self._plans: dict = {}

    def build(self, var_list) -> None:
        if self._reuse_build(var_list):
            return
        super().build(var_list)
        self.momentums = self.add_optimizer_variables(var_list, "momentum")
        self._factor = [self._multiplier(v) for v in self._params]
        self._plans = {}

    def _multiplier(self, variable) -> float:
        name = str(getattr(variable, "name", "") or "")
        for pattern, factor in self.lr_multipliers.items():
            if re.search(pattern, name):
                return float(factor)
        return 1.0

    def _plan(self, idx) -> list:
        """Positions (within the given params) grouped by multiplier; cached per subset."""
        key = None if idx is None else tuple(idx)
        plan = self._plans.get(key)
        if plan is None:
            chosen = range(len(self._params)) if idx is None else idx
            groups: dict = {}
            for pos, i in enumerate(chosen):
                groups.setdefault(self._factor[i], []).append(pos)
            plan = self._plans[key] = sorted(groups.items())
        return plan

    def _update(self, params, grads, idx, lr, step) -> None:
        bufs = self._take(self.momentums, idx)
        m = self.momentum
        for factor, pos in self._plan(idx):
            p = [params[k] for k in pos]
            d = [grads[k] for k in pos]
            b = [bufs[k] for k in pos]
            if self.l2:
                d = torch._foreach_add(d, p, alpha=self.l2 / factor)
            torch._foreach_mul_(b, m)
            torch._foreach_add_(b, d)
            d = torch._foreach_add(d, b, alpha=m)
            torch._foreach_add_(p, d, alpha=-lr * factor)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({"momentum": self.momentum, "l2": self.l2,
                       "lr_multipliers": self.lr_multipliers})
        for key in ("weight_decay", "clipnorm", "global_clipnorm", "clipvalue", "use_ema",
                    "ema_momentum", "ema_overwrite_frequency", "loss_scale_factor",
                    "gradient_accumulation_steps"):
            config.pop(key, None)
        return config


class TriangularSchedule(LearningRateSchedule):
    """Linear warm-up from ``start * lr`` to ``lr``, then linear decay to ``end * lr``."""

    def __init__(self, learning_rate: float, total_steps: int, warmup: float = 0.23,
                 start: float = 0.2, end: float = 0.07):
        self.learning_rate = float(learning_rate)
        self.total_steps = int(total_steps)
        self.warmup = float(warmup)
        self.start = float(start)
        self.end = float(end)

    def __call__(self, step):
        warmup_steps = max(int(self.total_steps * self.warmup), 1)
        step = float(step)
        if step < warmup_steps:
            frac = step / warmup_steps
            factor = self.start * (1 - frac) + frac
        else:
            frac = (step - warmup_steps) / max(self.total_steps - warmup_steps, 1)
            factor = (1 - frac) + self.end * frac
        return self.learning_rate * factor

    def get_config(self) -> dict:
        return {"learning_rate": self.learning_rate, "total_steps": self.total_steps,
                "warmup": self.warmup, "start": self.start, "end": self.end}


class LookaheadDecay(LearningRateSchedule):
    """airbench's Lookahead step size: ``1 - 0.95**5 * (step / total_steps)**3``.

    Early syncs copy the fast weights (step size ~1); late in training the slow weights
    move slowly, averaging the last few hundred steps.
    """

    def __init__(self, total_steps: int):
        self.total_steps = int(total_steps)

    def __call__(self, step):
        return 1.0 - 0.95 ** 5 * (min(float(step), self.total_steps) / self.total_steps) ** 3

    def get_config(self) -> dict:
        return {"total_steps": self.total_steps}


class StopAfterSteps(keras.callbacks.Callback):
    """Stops ``fit`` once the optimizer has taken ``total_steps`` steps (fractional epochs)."""

    _reads_lazy_logs = True   # reads no logs: no per-batch host sync

    def __init__(self, total_steps: int):
        super().__init__()
        self.total_steps = int(total_steps)

    def on_train_batch_end(self, batch, logs=None):
        if int(self.model.optimizer.iterations) >= self.total_steps:
            self.model.stop_training = True


def reflect_pad_nhwc(images: torch.Tensor, pad: int) -> torch.Tensor:
    return F.pad(images.permute(0, 3, 1, 2), (pad,) * 4, mode="reflect").permute(0, 2, 3, 1)


def tta_logits(predict, images: torch.Tensor, level: int = 2) -> torch.Tensor:
    """Test-time augmentation: ``predict(nhwc_images) -> logits`` over several views.

    Level 0: the images; 1: average with the mirrored images; 2: half of that plus half
    of the mirrored average over two 1-pixel diagonal translations (airbench's TTA).
    """
    def mirrored(views):
        return 0.5 * predict(views) + 0.5 * predict(views.flip(2))

    if level == 0:
        return predict(images)
    logits = mirrored(images)
    if level == 1:
        return logits
    h, w = images.shape[1:3]
    padded = reflect_pad_nhwc(images, 1)
    shifted = [padded[:, 0:h, 0:w], padded[:, 2:h + 2, 2:w + 2]]
    return 0.5 * logits + 0.25 * (mirrored(shifted[0]) + mirrored(shifted[1]))


def schedule_constants(hyp: dict, steps_per_epoch: int, mean_loss: bool = False) -> dict:
    """airbench's learning rate and decay, converted for a summed loss (per 1024 images).

    With ``mean_loss`` they are converted for the mean loss per image instead (the loss
    Keras reports): the learning rate ``batch_size`` times larger and the L2 coefficient
    ``batch_size`` times smaller give exactly the same update.
    """
    total_steps = math.ceil(steps_per_epoch * hyp["epochs"])
    kilostep_scale = 1024 * (1 + 1 / (1 - hyp["momentum"]))
    lr = hyp["lr"] / kilostep_scale
    wd = hyp["weight_decay"] * hyp["batch_size"] / kilostep_scale
    l2 = wd / lr
    if mean_loss:
        lr, l2 = lr * hyp["batch_size"], l2 / hyp["batch_size"]
    return {"total_steps": total_steps, "lr": lr, "l2": l2,
            "bias_lr_factor": hyp["bias_scaler"]}
