"""CIFAR-10 with a ResNet on the functional API, augmenting on the device.

ResNet v1 for CIFAR (He et al., 2016: 6n+2 layers, 16/32/64 channels) with the
augmentation inside the model — ``RandomFlip`` and ``RandomTranslation`` run on the
training device, only while training — in mixed bfloat16 with channels_last activations
(Keras's NHWC tensors are torch's channels_last memory format as they are), and
``compile(jit_compile=True)`` (``torch.compile``) by default when CUDA is available.

    python examples/cifar10_resnet.py --logdir runs/resnet   # CIFAR-10 (synthetic if offline)
    python examples/cifar10_resnet.py --synthetic --depth 8 --epochs 1 --train-size 512
"""
from __future__ import annotations

import argparse
import math
import os
import sys

_HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:0] = [_HERE, os.path.dirname(_HERE)]   # the examples, then the repository

import torch  # noqa: E402

import _cifar_common as common  # noqa: E402
import torchkeras as keras  # noqa: E402
from torchkeras import layers  # noqa: E402


def residual_block(x, filters: int, strides: int, name: str):
    """Two 3x3 convs with BatchNorm; a 1x1 projection when the shape changes."""
    shortcut = x
    y = layers.Conv2D(filters, 3, strides=strides, padding="same", use_bias=False,
                      kernel_initializer="he_normal", name=name + "_conv1")(x)
    y = layers.BatchNormalization(momentum=0.9, name=name + "_bn1")(y)
    y = layers.Activation("relu")(y)
    y = layers.Conv2D(filters, 3, padding="same", use_bias=False,
                      kernel_initializer="he_normal", name=name + "_conv2")(y)
    # Zero-initialised last scale: each block starts as the identity.
    y = layers.BatchNormalization(momentum=0.9, gamma_initializer="zeros",
                                  name=name + "_bn2")(y)
    if strides != 1 or x.shape[-1] != filters:
        shortcut = layers.Conv2D(filters, 1, strides=strides, use_bias=False,
                                 name=name + "_proj")(x)
        shortcut = layers.BatchNormalization(momentum=0.9, name=name + "_proj_bn")(shortcut)
    return layers.Activation("relu")(layers.Add()([y, shortcut]))


def build_resnet(depth: int = 20, width: int = 16, num_classes: int = 10) -> keras.Model:
    """ResNet-``depth`` (depth = 6n + 2) taking uint8 ``(32, 32, 3)`` images."""
    if (depth - 2) % 6:
        raise ValueError("depth must be 6n + 2 (8, 14, 20, 32, 44, 56, ...), got %d" % depth)
    n = (depth - 2) // 6
    inputs = keras.Input((32, 32, 3), dtype="uint8")
    # Preprocessing and augmentation in float32 (dtype=...): they run before the
    # bfloat16 part of the network, on the device, and are identities at inference.
    x = layers.Rescaling(1.0 / 255.0, dtype="float32")(inputs)
    x = layers.Normalization(mean=common.CIFAR_MEAN, variance=common.CIFAR_STD ** 2,
                             dtype="float32")(x)
    x = layers.RandomFlip("horizontal", dtype="float32")(x)
    x = layers.RandomTranslation(0.125, 0.125, fill_mode="reflect", interpolation="nearest",
                                 dtype="float32")(x)
    x = layers.Conv2D(width, 3, padding="same", use_bias=False,
                      kernel_initializer="he_normal", name="stem_conv")(x)
    x = layers.BatchNormalization(momentum=0.9, name="stem_bn")(x)
    x = layers.Activation("relu")(x)
    for stage in range(3):
        for block in range(n):
            strides = 2 if stage > 0 and block == 0 else 1
            x = residual_block(x, width * 2 ** stage, strides,
                               "stage%d_block%d" % (stage + 1, block + 1))
    x = layers.GlobalAveragePooling2D()(x)
    # Logits in float32: the softmax cross-entropy wants the precision.
    outputs = layers.Dense(num_classes, dtype="float32", name="logits")(x)
    return keras.Model(inputs, outputs, name="resnet%d" % depth)


def main(argv=None) -> float:
    p = common.base_parser(__doc__.splitlines()[0], epochs=30, batch_size=256)
    p.add_argument("--depth", type=int, default=20, help="6n+2: 8, 14, 20, 32, 56, ...")
    p.add_argument("--width", type=int, default=16, help="channels of the first stage")
    p.add_argument("--lr", type=float, default=0.2, help="peak learning rate")
    p.add_argument("--jit", action=argparse.BooleanOptionalAction, default=None,
                   help="compile(jit_compile=True) (default: on with CUDA, off on CPU)")
    p.add_argument("--precision", default="mixed_bfloat16",
                   choices=("mixed_bfloat16", "float32"), help="global dtype policy")
    args = p.parse_args(argv)
    keras.utils.set_random_seed(args.seed)
    cuda = keras.config.get_device().type == "cuda"
    jit = cuda if args.jit is None else args.jit
    keras.mixed_precision.set_global_policy(args.precision)
    (x_train, y_train), (x_test, y_test), source = common.load_cifar10(
        args.synthetic, args.train_size, args.test_size, args.seed)
    logdir = common.default_logdir("cifar10_resnet", args.logdir)
    model = build_resnet(args.depth, args.width)
    # NHWC activations are torch's channels_last layout; store the kernels alike.
    model.to(memory_format=torch.channels_last)
    epochs = max(1, math.ceil(args.epochs))
    steps = args.steps_per_epoch or math.ceil(len(x_train) / args.batch_size)
    total = epochs * steps
    schedule = keras.optimizers.schedules.CosineDecay(
        initial_learning_rate=args.lr / 10, decay_steps=max(total - total // 10, 1),
        warmup_target=args.lr, warmup_steps=max(total // 10, 1))
    model.compile(optimizer=keras.optimizers.SGD(schedule, momentum=0.9, nesterov=True,
                                                 weight_decay=5e-4),
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                  metrics=["accuracy"], jit_compile=jit)
    print("Training %s (%d parameters) on %d %s images: %s, jit_compile=%s; logs in %s"
          % (model.name, model.count_params(), len(x_train), source, args.precision, jit,
             logdir), flush=True)
    model.fit(x_train, y_train, batch_size=args.batch_size, epochs=epochs,
              steps_per_epoch=args.steps_per_epoch, validation_data=(x_test, y_test),
              validation_freq=max(1, epochs // 5), verbose=args.verbose,
              callbacks=[keras.callbacks.TensorBoard(log_dir=logdir)])
    _, accuracy = model.evaluate(x_test, y_test, batch_size=1000, verbose=0)
    common.report("cifar10_resnet", source, accuracy)
    return accuracy


if __name__ == "__main__":
    main()
