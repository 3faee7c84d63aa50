"""Train with callbacks: ModelCheckpoint, EarlyStopping and TensorBoard together.

Runs offline in a few seconds on synthetic images (faint bars: horizontal, vertical or
diagonal, some training labels wrong so the model overfits and stops early), then prints where the checkpoints and TensorBoard logs went:

    python examples/train_with_callbacks.py [--synthetic] [--output-dir OUTPUT_DIR]
    tensorboard --logdir OUTPUT_DIR/logs

(The data is always synthetic; ``--synthetic``, which every example accepts, changes
nothing here.)
"""
import argparse
import os
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

import numpy as np  # noqa: E402

import torchkeras as keras  # noqa: E402
from torchkeras import layers  # noqa: E402

SIZE = 12
CLASSES = ["horizontal", "vertical", "diagonal"]


def make_images(n, rng, label_noise=0.0):
    """Noisy 12x12 grey images, each with one faint bar whose direction is the label."""
    y = rng.integers(0, len(CLASSES), size=n)
    x = rng.normal(scale=0.6, size=(n, SIZE, SIZE, 1)).astype("float32")
    pos = rng.integers(2, SIZE - 2, size=n)
    idx = np.arange(SIZE)
    for i in range(n):
        if y[i] == 0:
            x[i, pos[i], :, 0] += 1.0
        elif y[i] == 1:
            x[i, :, pos[i], 0] += 1.0
        else:
            x[i, idx, (idx + pos[i]) % SIZE, 0] += 1.0
    flip = rng.random(n) < label_noise   # some wrong labels: a small net overfits them
    y[flip] = rng.integers(0, len(CLASSES), size=int(flip.sum()))
    return np.clip(x, -2.0, 3.0), y


def main(out_dir=None, verbose: int = 2):
    out_dir = out_dir or tempfile.mkdtemp(prefix="torchkeras_callbacks_")
    log_dir = os.path.join(out_dir, "logs")
    ckpt_dir = os.path.join(out_dir, "checkpoints")
    keras.utils.set_random_seed(0)
    rng = np.random.default_rng(0)
    x_train, y_train = make_images(500, rng, label_noise=0.2)
    x_val, y_val = make_images(500, rng)

    model = keras.Sequential([
        keras.Input(shape=(SIZE, SIZE, 1)),
        layers.Flatten(),
        layers.Dense(128, activation="relu"),
        layers.Dense(len(CLASSES), activation="softmax"),
    ], name="bars")
    model.compile(optimizer=keras.optimizers.Adam(1e-3),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"])

    callbacks = [
        # one file per improvement of val_accuracy, named after the epoch and the score
        keras.callbacks.ModelCheckpoint(
            os.path.join(ckpt_dir, "bars-{epoch:02d}-{val_accuracy:.3f}.keras"),
            monitor="val_accuracy", save_best_only=True),
        # stop once val_loss has not improved for 3 epochs; keep the best weights
        keras.callbacks.EarlyStopping(monitor="val_loss", patience=3,
                                      restore_best_weights=True, verbose=1),
        # curves every epoch, batch curves every 20 steps, weight histograms
        keras.callbacks.TensorBoard(log_dir=log_dir, histogram_freq=1, update_freq=20),
    ]
    history = model.fit(x_train, y_train, validation_data=(x_val, y_val), epochs=30,
                        batch_size=32, callbacks=callbacks, verbose=verbose)

    # a few validation images in TensorBoard's Images tab
    keras.callbacks.log_images(os.path.join(log_dir, "validation"), "validation samples",
                               (x_val[:9] + 2.0) / 5.0, step=0, max_outputs=9)

    loss, acc = model.evaluate(x_val, y_val, verbose=0)
    print("\nEpochs run: %d; restored best weights: val_loss %.4f, val_accuracy %.3f"
          % (len(history.history["loss"]), loss, acc))
    print("Checkpoints in %s:" % ckpt_dir)
    for name in sorted(os.listdir(ckpt_dir)):
        print("   ", name)
    print("TensorBoard logs in %s; view them with:\n    tensorboard --logdir %s"
          % (log_dir, log_dir))
    return history


def parse_args(argv=None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--synthetic", action="store_true",
                   help="synthetic data (always the case here: accepted for uniformity)")
    p.add_argument("--output-dir", default=None,
                   help="where checkpoints and logs go (default: a fresh temporary folder)")
    p.add_argument("--verbose", type=int, default=2, choices=(0, 1, 2), help="fit verbosity")
    return p.parse_args(argv)


if __name__ == "__main__":
    args = parse_args()
    main(args.output_dir, args.verbose)
