"""CIFAR-10 with a custom Layer and a subclassed Model: the Keras tutorial flow.

A ``ConvBlock`` layer (two conv/BatchNorm/ReLU, pooling, dropout) and a ``CifarCNN``
model subclass; ``compile``/``fit``/``evaluate`` with ModelCheckpoint, EarlyStopping and
TensorBoard; then ``save_weights`` and ``load_weights`` into a fresh model, which must
score the same.

    python examples/cifar10_cnn.py --logdir runs/cnn      # CIFAR-10 (synthetic if offline)
    python examples/cifar10_cnn.py --synthetic --epochs 2 --train-size 1024
    tensorboard --logdir runs/cnn
"""
from __future__ import annotations

import math
import os
import sys

_HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:0] = [_HERE, os.path.dirname(_HERE)]   # the examples, then the repository

import numpy as np  # noqa: E402
import torch  # noqa: E402

import _cifar_common as common  # noqa: E402
import torchkeras as keras  # noqa: E402
from torchkeras import layers  # noqa: E402


@keras.saving.register_keras_serializable(package="cifar10_cnn")
class ConvBlock(layers.Layer):
    """conv-BN-ReLU, conv-BN-ReLU, 2x2 max-pool, dropout.

    Args:
        filters: Channels of both convolutions.
        dropout: Dropout rate after pooling.
    """

    def __init__(self, filters: int, dropout: float = 0.2, **kwargs):
        super().__init__(**kwargs)
        self.filters = filters
        self.dropout_rate = dropout
        self.conv1 = layers.Conv2D(filters, 3, padding="same", use_bias=False)
        self.norm1 = layers.BatchNormalization(momentum=0.9)
        self.conv2 = layers.Conv2D(filters, 3, padding="same", use_bias=False)
        self.norm2 = layers.BatchNormalization(momentum=0.9)
        self.pool = layers.MaxPooling2D(2)
        self.dropout = layers.Dropout(dropout)

    def call(self, x, training=None):
        # Any torch op works inside call(): here torch.relu between the layers.
        x = torch.relu(self.norm1(self.conv1(x), training=training))
        x = torch.relu(self.norm2(self.conv2(x), training=training))
        return self.dropout(self.pool(x), training=training)

    def get_config(self) -> dict:
        return {**super().get_config(), "filters": self.filters, "dropout": self.dropout_rate}


@keras.saving.register_keras_serializable(package="cifar10_cnn")
class CifarCNN(keras.Model):
    """Three ConvBlocks, global average pooling and a softmax classifier.

    Takes uint8 images: the first layer rescales and standardises them.
    """

    def __init__(self, widths=(32, 64, 128), num_classes: int = 10, **kwargs):
        super().__init__(**kwargs)
        self.widths = tuple(widths)
        self.num_classes = num_classes
        self.rescale = layers.Rescaling(1.0 / 255.0)
        self.standardize = layers.Normalization(mean=common.CIFAR_MEAN,
                                                variance=common.CIFAR_STD ** 2)
        # One attribute per block: each is tracked as a sublayer.
        self.block1 = ConvBlock(self.widths[0], dropout=0.1)
        self.block2 = ConvBlock(self.widths[1], dropout=0.2)
        self.block3 = ConvBlock(self.widths[2], dropout=0.3)
        self.pool = layers.GlobalAveragePooling2D()
        self.classifier = layers.Dense(num_classes, activation="softmax")

    def call(self, images, training=None):
        x = self.standardize(self.rescale(images))
        x = self.block1(x, training=training)
        x = self.block2(x, training=training)
        x = self.block3(x, training=training)
        return self.classifier(self.pool(x))

    def get_config(self) -> dict:
        return {**super().get_config(), "widths": list(self.widths),
                "num_classes": self.num_classes}


# `make demo` on a CPU: about a minute of CPU time on 2 cores (3 epochs of ~22 steps).
CPU_DEMO = {"train_size": 3000, "test_size": 1000, "widths": "16,32,64"}


def demo_settings(args, cuda: bool) -> None:
    """Fills in ``--demo``'s sizes (flags given explicitly win) and says what it picked."""
    args.epochs = 3 if args.epochs == 30 else args.epochs
    if cuda:
        print("Demo: 3 epochs on the full training set (CUDA).", flush=True)
        return
    for key, value in CPU_DEMO.items():
        if getattr(args, key) is None or (key == "widths" and args.widths == "32,64,128"):
            setattr(args, key, value)
    print("Demo on CPU (no CUDA device): %d training images, blocks %s, %g epochs, so that "
          "it finishes in about a minute. On a CUDA GPU `make demo` trains on the full set; "
          "`python examples/cifar10_cnn.py` is the full run." % (
              args.train_size, args.widths, args.epochs), flush=True)


def build_parser():
    """The flags of this example (the shared CIFAR ones and its own)."""
    p = common.base_parser(__doc__.splitlines()[0], epochs=30, batch_size=128)
    p.add_argument("--widths", default="32,64,128", help="channels of the three blocks")
    p.add_argument("--patience", type=int, default=4, help="EarlyStopping patience")
    p.add_argument("--demo", action="store_true",
                   help="`make demo`: 3 epochs; without CUDA a subset and narrower blocks, "
                        "sized to finish in about a minute")
    return p


def main(argv=None) -> float:
    args = build_parser().parse_args(argv)
    if args.demo:
        demo_settings(args, keras.config.get_device().type == "cuda")
    keras.utils.set_random_seed(args.seed)
    (x_train, y_train), (x_test, y_test), source = common.load_cifar10(
        args.synthetic, args.train_size, args.test_size, args.seed)
    logdir = common.default_logdir("cifar10_cnn", args.logdir)
    ckpt_dir = os.path.join(logdir, "checkpoints")
    widths = tuple(int(w) for w in args.widths.split(","))
    print("Training CifarCNN on %d %s images; TensorBoard logs and checkpoints in %s"
          % (len(x_train), source, logdir), flush=True)

    model = CifarCNN(widths)
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=2e-3),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    callbacks = [
        keras.callbacks.ModelCheckpoint(os.path.join(ckpt_dir, "best.weights.safetensors"),
                                        monitor="val_accuracy", save_best_only=True,
                                        save_weights_only=True),
        keras.callbacks.EarlyStopping(monitor="val_loss", patience=args.patience,
                                      restore_best_weights=True),
        keras.callbacks.TensorBoard(log_dir=logdir),
    ]
    history = model.fit(x_train, y_train, batch_size=args.batch_size,
                        epochs=max(1, math.ceil(args.epochs)),
                        steps_per_epoch=args.steps_per_epoch, validation_split=0.1,
                        callbacks=callbacks, verbose=args.verbose)
    print("trained %d epoch(s); best val_accuracy %.4f"
          % (len(history.history["loss"]), max(history.history["val_accuracy"])))
    loss, accuracy = model.evaluate(x_test, y_test, batch_size=1000, verbose=0)

    # Weights round trip: a fresh model, built on one batch, loads them and agrees.
    weights = os.path.join(logdir, "cifar10_cnn.weights.safetensors")
    model.save_weights(weights)
    restored = CifarCNN(widths)
    restored(x_test[:1])
    restored.load_weights(weights)
    restored.compile(loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    _, accuracy_restored = restored.evaluate(x_test, y_test, batch_size=1000, verbose=0)
    if not np.isclose(accuracy, accuracy_restored, atol=1e-6):
        raise RuntimeError("reloaded weights score %.4f, the trained model %.4f"
                           % (accuracy_restored, accuracy))
    print("test loss %.4f; weights saved to %s and reloaded (accuracy %.4f)"
          % (loss, weights, accuracy_restored))
    common.report("cifar10_cnn", source, accuracy)
    return accuracy


if __name__ == "__main__":
    main()
